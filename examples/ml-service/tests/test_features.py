import numpy as np
import pytest

from ml_service import features


def test_matrix_keeps_feature_order() -> None:
    rows = [{"tickets": 3.0, "sessions": 1.0, "minutes": 2.0}]

    assert features.matrix(rows).tolist() == [[1.0, 2.0, 3.0]]


def test_matrix_names_a_missing_feature() -> None:
    with pytest.raises(KeyError, match="minutes"):
        features.matrix([{"sessions": 1.0, "tickets": 0.0}])


def test_standardise_centres_and_scales_constant_columns_to_zero() -> None:
    values = np.array([[1.0, 5.0], [3.0, 5.0]])

    scaled = features.standardise(values)

    assert scaled.tolist() == [[-1.0, 0.0], [1.0, 0.0]]
