"""`FeatureStatistics`: running mean and covariance of features, for FID."""

from __future__ import annotations

import os

import numpy as np

from keras_gan_kit.metrics.fid import frechet_distance
from keras_gan_kit.utils.validation import check_features, check_positive_int

__all__ = ["FeatureStatistics"]


class FeatureStatistics:
    """Running mean and covariance of feature vectors, in float64.

    Feed batches with `update()`; read `mean`, `covariance` (unbiased, as
    `np.cov`) and `count`. Batches are merged with the parallel update of
    Chan, Golub & LeVeque (per-batch centred sums of outer products, then a
    correction for the shift of the mean), which stays accurate when the
    features have a large mean, unlike accumulating `sum(x)` and
    `sum(x x^T)`. Memory is `O(d^2)`, independent of the number of samples.

    `save()` writes an `.npz` with keys `mu`, `sigma` (pytorch-fid's format,
    so its precomputed statistics files can be loaded too) and `count`.

    Args:
        num_features: int or None. Feature dimension; None takes it from the
            first batch. Defaults to None.

    Attributes:
        count: int or None. Number of samples seen (None for statistics
            loaded from a file without a count).

    Example:

    ```python
    stats = FeatureStatistics()
    for batch in feature_batches:          # arrays (batch, d)
        stats.update(batch)
    stats.save("reference_stats.npz")
    fid = stats.frechet_distance(FeatureStatistics.load("other_stats.npz"))
    ```

    References:
        - [Chan, Golub & LeVeque, 1979](https://doi.org/10.1007/978-3-642-51461-6_3)
    """

    def __init__(self, num_features: int | None = None):
        if num_features is not None:
            check_positive_int(num_features, "num_features")
        self.num_features = num_features
        self.count = 0
        self._mean = None
        self._scatter = None  # sum of outer products of deviations from the mean
        self._fixed_covariance = None  # loaded without a count

    def update(self, batch) -> FeatureStatistics:
        """Adds a batch of features `(batch, d)` (or one vector `(d,)`); returns self."""
        batch = np.asarray(batch, dtype="float64")
        if batch.ndim == 1:
            batch = batch[None]
        if batch.shape[0] == 0:
            return self
        batch = check_features(batch, "batch", min_samples=1)
        if self.num_features is None:
            self.num_features = batch.shape[1]
        if batch.shape[1] != self.num_features:
            raise ValueError(
                f"Expected batches of {self.num_features} features. Received: "
                f"batch.shape={batch.shape}"
            )
        if self.count is None:
            raise ValueError(
                "These statistics were loaded without a sample count (e.g. from a "
                "pytorch-fid .npz file) and cannot be updated."
            )
        n = batch.shape[0]
        batch_mean = batch.mean(axis=0)
        centred = batch - batch_mean
        batch_scatter = centred.T @ centred
        if self.count == 0:
            self._mean = batch_mean
            self._scatter = batch_scatter
        else:
            total = self.count + n
            delta = batch_mean - self._mean
            self._mean = self._mean + delta * (n / total)
            self._scatter = (
                self._scatter + batch_scatter + np.outer(delta, delta) * (self.count * n / total)
            )
        self.count += n
        return self

    def _check_ready(self, minimum: int = 1):
        if self.count is not None and self.count < minimum:
            raise ValueError(
                f"FeatureStatistics needs at least {minimum} samples here. Received: "
                f"count={self.count}"
            )

    @property
    def mean(self) -> np.ndarray:
        """float64 array `(d,)`: the mean feature vector."""
        self._check_ready()
        return self._mean.copy()

    @property
    def covariance(self) -> np.ndarray:
        """float64 array `(d, d)`: the unbiased covariance (`np.cov(x, rowvar=False)`)."""
        if self.count is None:
            return self._fixed_covariance.copy()
        self._check_ready(2)
        covariance = self._scatter / (self.count - 1)
        return 0.5 * (covariance + covariance.T)

    def frechet_distance(self, other: FeatureStatistics) -> float:
        """The Fréchet distance (FID) between these statistics and `other`'s."""
        if not isinstance(other, FeatureStatistics):
            raise ValueError(
                "`other` must be a FeatureStatistics. Received: other of type "
                f"{type(other).__name__}"
            )
        return frechet_distance(self.mean, self.covariance, other.mean, other.covariance)

    @classmethod
    def from_features(cls, features) -> FeatureStatistics:
        """Statistics of an array of features `(n, d)`."""
        return cls().update(check_features(features, "features"))

    def save(self, path) -> str:
        """Writes `mu`, `sigma` and `count` to an `.npz` file; returns the path."""
        self._check_ready(2)
        path = os.fspath(path)
        if not path.endswith(".npz"):
            raise ValueError(f"`path` must end with '.npz'. Received: path={path!r}")
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        arrays = {"mu": self.mean, "sigma": self.covariance}
        if self.count is not None:
            arrays["count"] = np.int64(self.count)
        np.savez(path, **arrays)
        return path

    @classmethod
    def load(cls, path) -> FeatureStatistics:
        """Reads statistics saved by `save()` or pytorch-fid (`mu`, `sigma`).

        Statistics without `count` (pytorch-fid's files) can be compared but not
        updated.
        """
        path = os.fspath(path)
        if not os.path.exists(path):
            raise ValueError(f"No statistics file at `path`. Received: path={path!r}")
        with np.load(path) as data:
            missing = {"mu", "sigma"} - set(data.files)
            if missing:
                raise ValueError(
                    f"The statistics file needs arrays 'mu' and 'sigma'. Received: {path!r} "
                    f"with arrays {sorted(data.files)}"
                )
            mu = np.asarray(data["mu"], dtype="float64")
            sigma = np.asarray(data["sigma"], dtype="float64")
            count = int(data["count"]) if "count" in data.files else None
        if mu.ndim != 1 or sigma.shape != (mu.shape[0], mu.shape[0]):
            raise ValueError(
                f"Inconsistent statistics in {path!r}: mu.shape={mu.shape}, "
                f"sigma.shape={sigma.shape}"
            )
        stats = cls(num_features=int(mu.shape[0]))
        stats._mean = mu
        if count is None:
            stats.count = None
            stats._fixed_covariance = 0.5 * (sigma + sigma.T)
        else:
            stats.count = count
            stats._scatter = sigma * (count - 1)
        return stats

    def __repr__(self):
        return f"FeatureStatistics(num_features={self.num_features}, count={self.count})"
