"""The command line: `ml-service score FILE` prints a churn probability per customer."""

from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np

from ml_service import features, model


@click.group()
def main() -> None:
    """Churn scoring for the customer base."""


@main.command()
@click.argument("records", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def score(records: Path) -> None:
    """Fit on the labelled RECORDS (a JSON list) and print each customer's churn probability."""
    rows = json.loads(records.read_text())
    values = features.standardise(features.matrix(rows))
    labels = np.array([row["churned"] for row in rows], dtype=np.float64)
    fitted = model.fit(values, labels)
    for row, probability in zip(rows, fitted.predict(values), strict=True):
        click.echo(f"{row['customer']}\t{probability:.3f}")
