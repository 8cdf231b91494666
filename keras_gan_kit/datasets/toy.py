"""2-D Gaussian mixtures: the classic mode-collapse benchmarks."""

from __future__ import annotations

import numpy as np

from keras_gan_kit.utils.validation import check_positive_int, check_positive_number, check_seed

__all__ = ["gaussian_mixture_2d", "gaussian_mixture_centers"]

KINDS = ("ring", "grid")


def gaussian_mixture_centers(kind: str = "ring") -> np.ndarray:
    """The mode centres of `gaussian_mixture_2d(kind)`.

    Args:
        kind: str. `"ring"`: 8 modes evenly spaced on a circle of radius 2
            (Metz et al. 2017, unrolled GANs); `"grid"`: 25 modes on the
            5x5 grid {-4, -2, 0, 2, 4}^2 (Lin et al. 2018, PacGAN).

    Returns:
        float64 array `(num_modes, 2)`.
    """
    if kind == "ring":
        angles = 2 * np.pi * np.arange(8) / 8
        return 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    if kind == "grid":
        axis = np.arange(-4.0, 5.0, 2.0)
        return np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
    raise ValueError(f"Unknown mixture. Received: kind={kind!r}. Expected one of {list(KINDS)}.")


def gaussian_mixture_2d(
    kind: str = "ring",
    num_samples: int = 10_000,
    std: float = 0.05,
    seed: int = 0,
    return_centers: bool = False,
):
    """Points from a mixture of equally likely 2-D Gaussians.

    A GAN on these trains in seconds and shows mode collapse plainly: pair it
    with `keras_gan_kit.metrics.mode_coverage`. The points span about
    [-2.2, 2.2] (ring) or [-4.2, 4.2] (grid), so use a generator with a
    linear output.

    Args:
        kind: str. `"ring"` (8 modes) or `"grid"` (25 modes); see
            `gaussian_mixture_centers`. Defaults to `"ring"`.
        num_samples: int. Number of points. Defaults to 10,000.
        std: float. Standard deviation of each Gaussian. Defaults to 0.05.
        seed: int. Random seed. Defaults to 0.
        return_centers: bool. Also return the mode centres. Defaults to False.

    Returns:
        float32 array `(num_samples, 2)`; with `return_centers`, a tuple
        `(points, centers)`.
    """
    centers = gaussian_mixture_centers(kind)
    check_positive_int(num_samples, "num_samples")
    std = check_positive_number(std, "std")
    rng = np.random.default_rng(check_seed(seed))
    modes = rng.integers(len(centers), size=num_samples)
    points = (centers[modes] + std * rng.standard_normal((num_samples, 2))).astype("float32")
    return (points, centers) if return_centers else points
