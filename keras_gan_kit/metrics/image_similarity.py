"""Paired-image metrics: L1 distance, PSNR and SSIM (NumPy float64, batched).

These compare a translated image with its ground truth (Pix2Pix outputs and
targets, CycleGAN reconstructions), image by image.
"""

from __future__ import annotations

import math

import keras
import numpy as np

from keras_gan_kit.utils.validation import check_positive_int, check_positive_number

__all__ = ["l1_distance", "psnr", "ssim"]

# images are processed in chunks of about this many float64 work values (64 MB),
# whatever the number of images
_CHUNK_VALUES = 1 << 23


def _as_images(x, arg: str) -> np.ndarray:
    if keras.ops.is_tensor(x):
        x = keras.ops.convert_to_numpy(x)
    try:
        array = np.asarray(x)
    except (TypeError, ValueError) as e:
        raise ValueError(
            f"`{arg}` must be an array of images (n, height, width, channels). "
            f"Received: {arg} of type {type(x).__name__}"
        ) from e
    if array.ndim != 4:
        raise ValueError(
            f"`{arg}` must be 4-D, (n, height, width, channels). Received: {arg}.shape="
            f"{array.shape}"
        )
    if array.size == 0:
        raise ValueError(f"`{arg}` is empty. Received: {arg}.shape={array.shape}")
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ValueError(f"`{arg}` must hold numbers. Received: {arg}.dtype={array.dtype}")
    return array


def _pair(a, b):
    a, b = _as_images(a, "a"), _as_images(b, "b")
    if a.shape != b.shape:
        raise ValueError(
            f"`a` and `b` must have the same shape. Received: a.shape={a.shape}, b.shape={b.shape}"
        )
    return a, b


def _check_range(value_range) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value_range)
    except (TypeError, ValueError):
        low, high = math.nan, math.nan
    if not (math.isfinite(low) and math.isfinite(high) and high > low):
        raise ValueError(
            "`value_range` must be (low, high) with finite low < high, e.g. (-1, 1) or "
            f"(0, 255). Received: value_range={value_range!r}"
        )
    return low, high


def _reduce(values: np.ndarray, reduction):
    if reduction == "mean":
        return float(np.mean(values))
    return values


def _check_reduction(reduction):
    if reduction not in (None, "none", "mean"):
        raise ValueError(f"`reduction` must be 'mean' or None. Received: reduction={reduction!r}")
    return None if reduction == "none" else reduction


def _chunks(n: int, values_per_image: int):
    step = max(1, _CHUNK_VALUES // max(1, values_per_image))
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


def _per_image_mean(a, b, fn) -> np.ndarray:
    out = np.empty(len(a), "float64")
    per_image = int(np.prod(a.shape[1:]))
    for s in _chunks(len(a), per_image):
        d = fn(a[s].astype("float64") - b[s].astype("float64"))
        out[s] = d.reshape(len(d), -1).mean(axis=1)
    return out


def l1_distance(a, b, reduction: str | None = "mean"):
    """Mean absolute difference between paired images.

    The per-image value is the mean of `|a - b|` over height, width and
    channels, in the images' own units: for images in [-1, 1] it lies in
    [0, 2] (divide by 2 for the fraction of the range). Pix2Pix trains its
    generator with this distance (the L1 term).

    Args:
        a: array `(n, height, width, channels)` (NumPy or a backend tensor).
        b: array of the same shape as `a`.
        reduction: `"mean"` returns the mean over the batch as a float;
            None returns the per-image values. Defaults to `"mean"`.

    Returns:
        float, or float64 array `(n,)` with `reduction=None`.

    Example:

    ```python
    l1 = l1_distance(generator.predict(inputs), targets)
    ```

    References:
        - Isola et al., 2017. [Image-to-Image Translation with Conditional
          Adversarial Networks](https://arxiv.org/abs/1611.07004)
    """
    reduction = _check_reduction(reduction)
    a, b = _pair(a, b)
    return _reduce(_per_image_mean(a, b, np.abs), reduction)


def psnr(a, b, value_range=(-1.0, 1.0), reduction: str | None = "mean"):
    """Peak signal-to-noise ratio between paired images, in dB.

    Per image, `PSNR = 10 * log10(R**2 / MSE)` with `R = high - low` of
    `value_range` and the MSE over height, width and channels (the
    definition of `tf.image.psnr` and scikit-image). Identical images have
    MSE 0 and PSNR `inf`; the batch mean is then `inf` too, so report the
    per-image values (`reduction=None`) when that can happen. Values are not
    clipped to `value_range`.

    Args:
        a: array `(n, height, width, channels)` (NumPy or a backend tensor).
        b: array of the same shape as `a`.
        value_range: tuple `(low, high)`. The range the images are in.
            Defaults to `(-1, 1)`; use `(0, 255)` for 8-bit images.
        reduction: `"mean"` returns the mean over the batch as a float;
            None returns the per-image values. Defaults to `"mean"`.

    Returns:
        float, or float64 array `(n,)` with `reduction=None`.

    Example:

    ```python
    print(psnr(fake_photos, photos))  # e.g. 20.5 (dB)
    ```

    References:
        - Wang and Bovik, 2009. Mean squared error: Love it or leave it?
          IEEE Signal Processing Magazine.
    """
    low, high = _check_range(value_range)
    reduction = _check_reduction(reduction)
    a, b = _pair(a, b)
    mse = _per_image_mean(a, b, np.square)
    with np.errstate(divide="ignore"):
        values = 10.0 * np.log10((high - low) ** 2 / mse)
    return _reduce(values, reduction)


def _gaussian_window(window_size: int, sigma: float) -> np.ndarray:
    x = np.arange(window_size, dtype="float64") - (window_size - 1) / 2.0
    w = np.exp(-(x**2) / (2.0 * sigma**2))
    return w / w.sum()


def _filter_valid(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Separable 'valid' filtering of `(n, h, w, c)` with the 1-D window `w`."""
    k = len(w)
    height, width = x.shape[1] - k + 1, x.shape[2] - k + 1
    rows = w[0] * x[:, 0:height]
    tmp = np.empty_like(rows)
    for i in range(1, k):
        rows += np.multiply(w[i], x[:, i : i + height], out=tmp)
    out = w[0] * rows[:, :, 0:width]
    tmp = np.empty_like(out)
    for i in range(1, k):
        out += np.multiply(w[i], rows[:, :, i : i + width], out=tmp)
    return out


def ssim(
    a,
    b,
    value_range=(-1.0, 1.0),
    window_size: int = 11,
    sigma: float = 1.5,
    reduction: str | None = "mean",
):
    """Structural similarity (SSIM) between paired images.

    Wang et al. (2004): local means, variances and covariance under an
    `window_size` x `window_size` Gaussian window (standard deviation
    `sigma`), `SSIM = (2 mu_a mu_b + C1)(2 cov + C2) / ((mu_a^2 + mu_b^2 + C1)
    (var_a + var_b + C2))` with `C1 = (0.01 L)^2`, `C2 = (0.03 L)^2`,
    evaluated where the window fits inside the image ("valid"), averaged
    over positions and channels. Images are first mapped from `value_range`
    to [0, 1] (so `L = 1`): SSIM of [-1, 1] images equals SSIM of the same
    images as 0-255 pixels. This matches `tf.image.ssim` and scikit-image's
    `structural_similarity(..., gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False, data_range=1)`. SSIM is 1 for identical
    images and at most 1.

    Args:
        a: array `(n, height, width, channels)` (NumPy or a backend tensor);
            height and width at least `window_size`.
        b: array of the same shape as `a`.
        value_range: tuple `(low, high)`. The range the images are in.
            Defaults to `(-1, 1)`.
        window_size: int. Side of the Gaussian window. Defaults to 11.
        sigma: float. Standard deviation of the window. Defaults to 1.5.
        reduction: `"mean"` returns the mean over the batch as a float;
            None returns the per-image values. Defaults to `"mean"`.

    Returns:
        float, or float64 array `(n,)` with `reduction=None`.

    Example:

    ```python
    print(ssim(fake_photos, photos))  # 1.0 would be a perfect match
    ```

    References:
        - Wang et al., 2004. [Image Quality Assessment: From Error Visibility
          to Structural Similarity](https://doi.org/10.1109/TIP.2003.819861)
    """
    low, high = _check_range(value_range)
    check_positive_int(window_size, "window_size")
    sigma = check_positive_number(sigma, "sigma")
    reduction = _check_reduction(reduction)
    a, b = _pair(a, b)
    if a.shape[1] < window_size or a.shape[2] < window_size:
        raise ValueError(
            f"The images must be at least `window_size` ({window_size}) pixels high and "
            f"wide. Received: a.shape={a.shape}, window_size={window_size}"
        )
    w = _gaussian_window(window_size, sigma)
    c1, c2 = 0.01**2, 0.03**2
    out = np.empty(len(a), "float64")
    # at most about 30 float64 work arrays of an image's size are alive at once
    for s in _chunks(len(a), 30 * int(np.prod(a.shape[1:]))):
        x = (a[s].astype("float64") - low) / (high - low)
        y = (b[s].astype("float64") - low) / (high - low)
        n = len(x)
        # filter the five local moments in one batch: E[x], E[y], E[x^2], E[y^2], E[xy]
        moments = _filter_valid(np.concatenate([x, y, x * x, y * y, x * y]), w)
        mu_x, mu_y, e_xx, e_yy, e_xy = (moments[i * n : (i + 1) * n] for i in range(5))
        mu_xx, mu_yy, mu_xy = mu_x * mu_x, mu_y * mu_y, mu_x * mu_y
        var_x, var_y, cov = e_xx - mu_xx, e_yy - mu_yy, e_xy - mu_xy
        ssim_map = ((2 * mu_xy + c1) * (2 * cov + c2)) / (
            (mu_xx + mu_yy + c1) * (var_x + var_y + c2)
        )
        out[s] = ssim_map.reshape(len(ssim_map), -1).mean(axis=1)
    return _reduce(out, reduction)
