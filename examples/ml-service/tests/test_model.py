import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from ml_service import model
from ml_service.cli import main


def test_fit_separates_churners_from_stayers() -> None:
    values = np.array([[-1.0], [-0.5], [0.5], [1.0]])
    labels = np.array([0.0, 0.0, 1.0, 1.0])

    fitted = model.fit(values, labels)

    probabilities = fitted.predict(values)
    assert probabilities[:2].max() < 0.5 < probabilities[2:].min()


def test_score_prints_one_probability_per_customer(tmp_path: Path) -> None:
    rows = [
        {"customer": "a", "sessions": 30, "minutes": 900, "tickets": 0, "churned": 0},
        {"customer": "b", "sessions": 2, "minutes": 15, "tickets": 4, "churned": 1},
    ]
    records = tmp_path / "records.json"
    records.write_text(json.dumps(rows))

    result = CliRunner().invoke(main, ["score", str(records)])

    assert result.exit_code == 0, result.output
    names = [line.split("\t")[0] for line in result.output.splitlines()]
    assert names == ["a", "b"]
