import numpy as np
import pytest

from keras_gan_kit.metrics import kid_from_features, polynomial_mmd


def reference_mmd(x, y):
    """Unbiased MMD^2 with the cubic kernel, by explicit loops over pairs."""
    d = x.shape[1]

    def k(a, b):
        return (float(np.dot(a, b)) / d + 1.0) ** 3

    n, m = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(n) for j in range(m)) / (n * m)
    return xx + yy - 2 * xy


def test_mmd_matches_explicit_loops():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(30, 5)), rng.normal(0.4, 1.2, size=(25, 5))
    assert polynomial_mmd(x, y) == pytest.approx(reference_mmd(x, y), rel=1e-6)


def test_kid_is_mean_of_subset_mmds():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(60, 4)), rng.normal(0.5, size=(50, 4))
    mean, std = kid_from_features(x, y, num_subsets=3, subset_size=20, seed=7)
    draws = np.random.default_rng(7)
    values = []
    for _ in range(3):
        xi = x[draws.choice(60, 20, replace=False)]
        yi = y[draws.choice(50, 20, replace=False)]
        values.append(reference_mmd(xi, yi))
    assert mean == pytest.approx(np.mean(values), rel=1e-6)
    assert std == pytest.approx(np.std(values), rel=1e-6)


def test_kid_is_unbiased_for_one_distribution():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(400, 16)), rng.normal(size=(400, 16))
    mean, std = kid_from_features(x, y, num_subsets=50, subset_size=100)
    # Mean over 50 subsets: its standard error is about std / sqrt(50).
    assert abs(mean) < 3 * std
    shifted, _ = kid_from_features(x, y + 0.5, num_subsets=50, subset_size=100)
    assert shifted > 10 * std


def test_kid_seed_is_reproducible():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    a = kid_from_features(x, y, num_subsets=5, subset_size=10, seed=1)
    assert a == kid_from_features(x, y, num_subsets=5, subset_size=10, seed=1)
    assert a != kid_from_features(x, y, num_subsets=5, subset_size=10, seed=2)


def test_kid_errors():
    x = np.zeros((50, 3))
    with pytest.raises(ValueError, match=r"subset_size=100 with 50 real and 60 fake"):
        kid_from_features(x, np.zeros((60, 3)), subset_size=100)
    with pytest.raises(ValueError, match="num_subsets=0"):
        kid_from_features(x, x, num_subsets=0, subset_size=10)
    with pytest.raises(ValueError, match="same feature dimension"):
        kid_from_features(x, np.zeros((50, 4)), subset_size=10)
