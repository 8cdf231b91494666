"""k-NN manifold metrics: precision/recall and density/coverage."""

from __future__ import annotations

import numpy as np

from keras_gan_kit.utils.validation import check_features, check_int, check_same_feature_dim

__all__ = ["density_coverage", "precision_recall"]

_ROWS_PER_CHUNK = 1024


def _pairwise_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Euclidean distances `(len(x), len(y))` in float64."""
    squared = (x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2.0 * (x @ y.T)
    return np.sqrt(np.clip(squared, 0.0, None))


def _kth_neighbour_radii(x: np.ndarray, k: int) -> np.ndarray:
    """Distance of each row of `x` to its k-th nearest other row of `x`."""
    radii = np.empty(len(x))
    for start in range(0, len(x), _ROWS_PER_CHUNK):
        d = _pairwise_distances(x[start : start + _ROWS_PER_CHUNK], x)
        # Index 0 of each sorted row is the point itself (distance 0).
        radii[start : start + len(d)] = np.partition(d, k, axis=1)[:, k]
    return radii


def _count_in_balls(queries: np.ndarray, centres: np.ndarray, radii: np.ndarray, strict: bool):
    """For each query, how many balls `B(centres[i], radii[i])` contain it."""
    counts = np.empty(len(queries), dtype="int64")
    for start in range(0, len(queries), _ROWS_PER_CHUNK):
        d = _pairwise_distances(queries[start : start + _ROWS_PER_CHUNK], centres)
        inside = d < radii[None, :] if strict else d <= radii[None, :]
        counts[start : start + len(d)] = inside.sum(axis=1)
    return counts


def _check(real, fake, k):
    k = check_int(k, "k", minimum=1)
    real = check_features(real, "real")
    fake = check_features(fake, "fake")
    check_same_feature_dim(real, fake, "real", "fake")
    for arg, x in (("real", real), ("fake", fake)):
        if k >= len(x):
            raise ValueError(
                f"`k` must be smaller than the number of {arg} samples. Received: k={k} "
                f"with {len(x)} {arg} samples"
            )
    return real, fake, k


def precision_recall(real, fake, k: int = 3) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al., 2019).

    Each set's manifold is the union of balls around its points, each ball's
    radius being the distance to the point's `k`-th nearest neighbour in its
    own set. Precision is the fraction of fake samples inside the real
    manifold (fidelity); recall is the fraction of real samples inside the
    fake manifold (diversity: dropped modes lower it). A point on a ball's
    boundary counts as inside (`<=`), as in the authors' code.

    Costs `O((n + m)^2 d)` time, in chunks of 1024 rows (memory
    `O(1024 (n + m))`).

    Args:
        real: array `(n, d)`. Features of real samples.
        fake: array `(m, d)`. Features of generated samples.
        k: int. Neighbourhood size; smaller than n and m. Defaults to 3 (the
            paper's choice).

    Returns:
        tuple `(precision, recall)` of floats in [0, 1].

    Example:

    ```python
    import numpy as np
    from keras_gan_kit.metrics import precision_recall

    rng = np.random.default_rng(0)
    real = rng.normal(size=(1000, 2))
    precision_recall(real, real[real[:, 0] > 0])  # precision 1, recall about 0.5
    ```

    References:
        - [Kynkäänniemi et al., 2019](https://arxiv.org/abs/1904.06991)
    """
    real, fake, k = _check(real, fake, k)
    real_radii = _kth_neighbour_radii(real, k)
    fake_radii = _kth_neighbour_radii(fake, k)
    precision = float(np.mean(_count_in_balls(fake, real, real_radii, strict=False) > 0))
    recall = float(np.mean(_count_in_balls(real, fake, fake_radii, strict=False) > 0))
    return precision, recall


def density_coverage(real, fake, k: int = 5) -> tuple[float, float]:
    """Density and coverage (Naeem et al., 2020).

    With `B_i` the ball around real sample `i` reaching its `k`-th nearest
    real neighbour: density is `(1 / (k m)) sum_j #{i : fake_j in B_i}` (how
    many real neighbourhoods hold each fake sample, about 1 when fake matches
    real and above 1 when fakes crowd dense regions; not bounded by 1), and
    coverage is the fraction of real samples whose ball holds at least one
    fake sample (in [0, 1]; robust to real outliers). Uses strict
    inequalities (`<`), as the authors' `prdc` package does. Cost as
    `precision_recall`.

    Args:
        real: array `(n, d)`. Features of real samples.
        fake: array `(m, d)`. Features of generated samples.
        k: int. Neighbourhood size; smaller than n and m. Defaults to 5 (the
            paper's choice).

    Returns:
        tuple `(density, coverage)` of floats.

    Example:

    ```python
    import numpy as np
    from keras_gan_kit.metrics import density_coverage

    rng = np.random.default_rng(0)
    density_coverage(rng.normal(size=(1000, 2)), rng.normal(size=(1000, 2)))  # both about 1
    ```

    References:
        - [Naeem et al., 2020](https://arxiv.org/abs/2002.09797)
    """
    real, fake, k = _check(real, fake, k)
    real_radii = _kth_neighbour_radii(real, k)
    counts = _count_in_balls(fake, real, real_radii, strict=True)
    density = float(counts.sum() / (k * len(fake)))
    covered = np.zeros(len(real), dtype=bool)
    for start in range(0, len(real), _ROWS_PER_CHUNK):
        d = _pairwise_distances(real[start : start + _ROWS_PER_CHUNK], fake)
        covered[start : start + len(d)] = d.min(axis=1) < real_radii[start : start + len(d)]
    return density, float(covered.mean())
