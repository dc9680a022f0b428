"""A logistic churn model, fitted by gradient descent: small enough to read in one sitting."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Model:
    """Weights per feature and a bias."""

    weights: npt.NDArray[np.float64]
    bias: float

    def predict(self, features: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The churn probability of each row of `features`."""
        return 1.0 / (1.0 + np.exp(-(features @ self.weights + self.bias)))


def fit(features: npt.NDArray[np.float64], labels: npt.NDArray[np.float64], *, steps: int = 500) -> Model:
    """Fit a logistic regression with plain gradient descent."""
    weights = np.zeros(features.shape[1])
    bias = 0.0
    for _ in range(steps):
        error = Model(weights, bias).predict(features) - labels
        weights = weights - 0.1 * features.T @ error / len(labels)
        bias -= 0.1 * float(error.mean())
    return Model(weights, bias)
