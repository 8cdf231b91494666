import numpy as np
import pytest

from keras_gan_kit.metrics import density_coverage, precision_recall


def mixture(n, centres, seed, std=0.05):
    rng = np.random.default_rng(seed)
    labels = rng.integers(len(centres), size=n)
    return np.asarray(centres)[labels] + rng.normal(scale=std, size=(n, 2))


CENTRES = [(np.cos(a), np.sin(a)) for a in np.linspace(0, 2 * np.pi, 8, endpoint=False)]


def reference_precision_recall(real, fake, k):
    def radii(x):
        d = np.linalg.norm(x[:, None] - x[None], axis=-1)
        return np.sort(d, axis=1)[:, k]

    def inside(queries, centres, r):
        d = np.linalg.norm(queries[:, None] - centres[None], axis=-1)
        return (d <= r[None]).any(axis=1)

    return inside(fake, real, radii(real)).mean(), inside(real, fake, radii(fake)).mean()


def test_identical_sets():
    x = mixture(300, CENTRES, 0)
    assert precision_recall(x, x) == (1.0, 1.0)
    density, coverage = density_coverage(x, x)
    assert coverage == 1.0
    assert density == pytest.approx(1.0, abs=0.25)


def test_matches_brute_force():
    real, fake = mixture(200, CENTRES, 1), mixture(150, CENTRES[:5], 2, std=0.1)
    assert precision_recall(real, fake, k=3) == pytest.approx(
        reference_precision_recall(real, fake, 3)
    )


def test_recall_and_coverage_fall_when_modes_are_dropped():
    real = mixture(800, CENTRES, 3)
    full = mixture(800, CENTRES, 4)
    half = mixture(800, CENTRES[:4], 5)
    p_full, r_full = precision_recall(real, full)
    p_half, r_half = precision_recall(real, half)
    assert p_full > 0.9 and p_half > 0.9  # the fakes that exist are realistic
    assert r_full > 0.9
    assert r_half == pytest.approx(0.5, abs=0.1)
    _, c_full = density_coverage(real, full)
    _, c_half = density_coverage(real, half)
    assert c_full > 0.9 and c_half == pytest.approx(0.5, abs=0.1)


def test_precision_and_density_fall_for_off_manifold_fakes():
    real = mixture(500, CENTRES, 6)
    noisy = mixture(500, CENTRES, 7, std=0.5)
    p, r = precision_recall(real, noisy)
    d, _ = density_coverage(real, noisy)
    assert p < 0.5 and d < 0.5


def test_errors():
    x = np.zeros((5, 2))
    with pytest.raises(ValueError, match="k=5 with 5 real samples"):
        precision_recall(x, np.zeros((10, 2)), k=5)
    with pytest.raises(ValueError, match="k=0"):
        density_coverage(x, x, k=0)
