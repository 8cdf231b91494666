"""Fréchet distance between Gaussians, and FID from feature arrays."""

from __future__ import annotations

import numpy as np

from keras_gan_kit.utils.validation import check_features, check_same_feature_dim

__all__ = ["fid_from_features", "frechet_distance"]


def _symmetric_sqrt(matrix: np.ndarray) -> np.ndarray:
    """Square root of a symmetric positive semi-definite matrix (eigenvalues clipped at 0)."""
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    root = np.sqrt(np.clip(eigenvalues, 0.0, None))
    return (eigenvectors * root) @ eigenvectors.T


def _trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """`tr(sqrtm(sigma1 @ sigma2))` for symmetric PSD matrices.

    `sigma1 @ sigma2` is similar to the symmetric PSD matrix
    `sqrt(sigma1) @ sigma2 @ sqrt(sigma1)`, so the trace of its square root is
    the sum of the square roots of that matrix's (real, non-negative)
    eigenvalues. Rounding can make tiny eigenvalues negative; they are clipped.
    """
    root1 = _symmetric_sqrt(sigma1)
    middle = root1 @ sigma2 @ root1
    middle = 0.5 * (middle + middle.T)
    eigenvalues = np.linalg.eigvalsh(middle)
    return float(np.sum(np.sqrt(np.clip(eigenvalues, 0.0, None))))


def _check_gaussian(mu, sigma, mu_arg: str, sigma_arg: str):
    mu = np.asarray(mu, dtype="float64")
    sigma = np.asarray(sigma, dtype="float64")
    if mu.ndim != 1:
        raise ValueError(
            f"`{mu_arg}` must be a 1-D mean vector. Received: {mu_arg}.shape={mu.shape}"
        )
    if sigma.shape != (mu.shape[0], mu.shape[0]):
        raise ValueError(
            f"`{sigma_arg}` must be a square matrix matching `{mu_arg}`, shape "
            f"({mu.shape[0]}, {mu.shape[0]}). Received: {sigma_arg}.shape={sigma.shape}"
        )
    if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(sigma))):
        raise ValueError(f"`{mu_arg}` and `{sigma_arg}` must be finite.")
    if not np.allclose(sigma, sigma.T, rtol=1e-6, atol=1e-8 * max(1.0, np.abs(sigma).max())):
        raise ValueError(f"`{sigma_arg}` must be a symmetric covariance matrix.")
    return mu, 0.5 * (sigma + sigma.T)


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """Fréchet (2-Wasserstein) distance between two Gaussians.

    `d^2 = ||mu1 - mu2||^2 + tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2))`,
    computed in float64. The trace of the matrix square root is taken as the
    sum of square roots of the eigenvalues of the symmetric matrix
    `sqrt(sigma1) sigma2 sqrt(sigma1)` (which has the same eigenvalues as
    `sigma1 sigma2`), with tiny negative eigenvalues from rounding clipped to
    zero. This needs no `scipy.linalg.sqrtm`, never returns complex values and
    stays finite for singular covariances (fewer samples than features). A
    result that rounding makes slightly negative is returned as 0.

    Args:
        mu1: array `(d,)`. Mean of the first Gaussian.
        sigma1: array `(d, d)`. Covariance of the first Gaussian.
        mu2: array `(d,)`. Mean of the second Gaussian.
        sigma2: array `(d, d)`. Covariance of the second Gaussian.

    Returns:
        float. The squared Fréchet distance (this is what "FID" reports).

    Example:

    ```python
    import numpy as np
    from keras_gan_kit.metrics import frechet_distance

    frechet_distance(np.zeros(2), np.eye(2), np.ones(2), 4 * np.eye(2))  # 2 + 2 * (1 + 4 - 4) = 4
    ```

    References:
        - [Dowson & Landau, 1982](https://doi.org/10.1016/0047-259X(82)90077-X)
        - [Heusel et al., 2017](https://arxiv.org/abs/1706.08500)
    """
    mu1, sigma1 = _check_gaussian(mu1, sigma1, "mu1", "sigma1")
    mu2, sigma2 = _check_gaussian(mu2, sigma2, "mu2", "sigma2")
    if mu1.shape != mu2.shape:
        raise ValueError(
            "`mu1` and `mu2` must have the same dimension. Received: "
            f"mu1.shape={mu1.shape}, mu2.shape={mu2.shape}"
        )
    diff = mu1 - mu2
    distance = (
        float(diff @ diff)
        + float(np.trace(sigma1))
        + float(np.trace(sigma2))
        - 2.0 * _trace_sqrt_product(sigma1, sigma2)
    )
    return max(distance, 0.0)


def fid_from_features(real, fake) -> float:
    """Fréchet Inception Distance between two sets of features.

    Fits a Gaussian (mean and unbiased covariance, as `np.cov`) to each set
    and returns `frechet_distance` between them. With Inception-V3 pool
    features (`FIDInceptionV3`) this is FID; with any other network it is the
    Fréchet distance in that network's feature space.

    Args:
        real: array `(n, d)`. Features of real samples (n >= 2).
        fake: array `(m, d)`. Features of generated samples (m >= 2).

    Returns:
        float. The FID (lower is better; 0 for identical sets).

    Example:

    ```python
    import numpy as np
    from keras_gan_kit.metrics import fid_from_features

    rng = np.random.default_rng(0)
    fid_from_features(rng.normal(size=(1000, 8)), rng.normal(1.0, size=(1000, 8)))  # about 8
    ```

    References:
        - [Heusel et al., 2017](https://arxiv.org/abs/1706.08500)
    """
    real = check_features(real, "real")
    fake = check_features(fake, "fake")
    check_same_feature_dim(real, fake, "real", "fake")
    return frechet_distance(
        real.mean(axis=0),
        np.cov(real, rowvar=False).reshape(real.shape[1], real.shape[1]),
        fake.mean(axis=0),
        np.cov(fake, rowvar=False).reshape(fake.shape[1], fake.shape[1]),
    )
