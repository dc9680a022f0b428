"""Turn raw usage records into the model's feature matrix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FEATURES = ("sessions", "minutes", "tickets")


def matrix(records: Sequence[dict[str, float]]) -> npt.NDArray[np.float64]:
    """Stack `records` into a (n, len(FEATURES)) float matrix, in FEATURES order.

    Raises:
        KeyError: a record lacks one of the features.
    """
    return np.array([[record[name] for name in FEATURES] for record in records], dtype=np.float64)


def standardise(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Scale every column to mean 0 and standard deviation 1 (constant columns become 0)."""
    spread = values.std(axis=0)
    spread[spread == 0] = 1.0
    scaled: npt.NDArray[np.float64] = (values - values.mean(axis=0)) / spread
    return scaled
