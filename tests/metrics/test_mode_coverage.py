import numpy as np
import pytest

from keras_gan_kit import datasets, metrics


@pytest.mark.parametrize("kind, modes", [("ring", 8), ("grid", 25)])
def test_real_data_covers_every_mode(kind, modes):
    x, centers = datasets.gaussian_mixture_2d(kind, 5000, return_centers=True)
    assert x.shape == (5000, 2) and x.dtype == np.float32 and centers.shape == (modes, 2)
    stats = metrics.mode_coverage(x, centers, std=0.05)
    assert stats["modes_covered"] == modes and stats["num_modes"] == modes
    assert stats["high_quality_fraction"] > 0.98  # 3 std in 2-D holds 98.9%
    assert stats["counts"].sum() == round(stats["high_quality_fraction"] * 5000)


def test_collapse_and_blur_are_measured():
    x, centers = datasets.gaussian_mixture_2d("ring", 4000, return_centers=True)
    nearest = np.linalg.norm(x[:, None] - centers[None], axis=-1).argmin(1)
    collapsed = x[nearest < 3]  # only modes 0, 1, 2
    assert metrics.mode_coverage(collapsed, centers, std=0.05)["modes_covered"] == 3
    blurry = x + np.random.default_rng(0).normal(0, 0.5, x.shape)
    stats = metrics.mode_coverage(blurry, centers, std=0.05)
    assert stats["high_quality_fraction"] < 0.2 and stats["mean_distance"] > 0.3


def test_errors():
    with pytest.raises(ValueError, match="kind='spiral'"):
        datasets.gaussian_mixture_2d("spiral")
    with pytest.raises(ValueError, match="std=0"):
        metrics.mode_coverage(np.zeros((3, 2)), np.zeros((2, 2)), std=0)
    with pytest.raises(ValueError, match="same feature dimension"):
        metrics.mode_coverage(np.zeros((3, 3)), np.zeros((2, 2)), std=0.1)
