"""Mode coverage of samples from a known mixture (toy-data diagnostics)."""

from __future__ import annotations

import numpy as np

from keras_gan_kit.utils.validation import (
    check_features,
    check_positive_number,
    check_same_feature_dim,
)

__all__ = ["mode_coverage"]


def mode_coverage(samples, centers, std: float, threshold: float = 3.0, min_fraction=0.01):
    """How many modes of a known mixture the samples cover, and how well.

    A sample is *high quality* when it lies within `threshold` standard
    deviations of its nearest mode centre; a mode is *covered* when at least
    `min_fraction` of all samples are high-quality samples of that mode (the
    protocol of Srivastava et al. 2017, VEEGAN, and Lin et al. 2018, PacGAN).

    Args:
        samples: array `(n, d)`. Generated samples.
        centers: array `(num_modes, d)`. Mode centres, e.g. from
            `keras_gan_kit.datasets.gaussian_mixture_2d(return_centers=True)`.
        std: float. Standard deviation of each mode.
        threshold: float. Distance, in standard deviations, within which a
            sample counts as high quality. Defaults to 3.
        min_fraction: float. Share of samples a mode needs to be covered.
            Defaults to 0.01.

    Returns:
        dict with `modes_covered` (int), `num_modes` (int),
        `high_quality_fraction` (float), `mean_distance` (mean distance of a
        sample to its nearest centre) and `counts` (int array: high-quality
        samples per mode).

    Example:

    ```python
    x, centers = kgk.datasets.gaussian_mixture_2d("ring", return_centers=True)
    ...  # train a GAN on x
    stats = kgk.metrics.mode_coverage(gan.generate(2000), centers, std=0.05)
    print(f"{stats['modes_covered']} / {stats['num_modes']} modes")
    ```
    """
    samples = check_features(samples, "samples", min_samples=1)
    centers = check_features(centers, "centers", min_samples=1)
    check_same_feature_dim(samples, centers, "samples", "centers")
    std = check_positive_number(std, "std")
    threshold = check_positive_number(threshold, "threshold")
    min_fraction = check_positive_number(min_fraction, "min_fraction")
    distances = np.linalg.norm(samples[:, None, :] - centers[None, :, :], axis=-1)
    nearest = distances.argmin(axis=1)
    nearest_distance = distances.min(axis=1)
    high_quality = nearest_distance < threshold * std
    counts = np.bincount(nearest[high_quality], minlength=len(centers))
    return {
        "modes_covered": int(np.sum(counts >= min_fraction * len(samples))),
        "num_modes": len(centers),
        "high_quality_fraction": float(high_quality.mean()),
        "mean_distance": float(nearest_distance.mean()),
        "counts": counts,
    }
