"""`resize_images`: antialiased resize of float image arrays with `keras.ops.image.resize`."""

from __future__ import annotations

import numpy as np

__all__ = ["resize_images"]


def resize_images(
    images: np.ndarray,
    size,
    interpolation: str = "bicubic",
    batch_size: int = 1024,
) -> np.ndarray:
    """Resizes float images `(n, h, w, c)` to `size` with Keras' antialiased resize.

    Runs `keras.ops.image.resize(..., antialias=True)` on the active backend,
    `batch_size` images at a time (so a large dataset never sits on the
    accelerator at once), and returns a NumPy `float32` array. Values are not
    clipped (bicubic overshoots slightly).

    It replaces per-channel loops over PIL's float (`"F"` mode) resize. On all
    three backends it gives PIL's numbers to float32 rounding (measured max
    abs difference on [0, 1] images: 0 for the bundled digits upsampled
    bilinearly to 16/32/64 px, <= 5e-7 for the scikit-image faces resized
    bicubically to 16/32/64 px, <= 7e-6 for photographs resized up and down,
    also to non-square sizes): with antialiasing, Keras resamples with the
    same separable, support-widening filters as PIL (Keys' cubic with
    a = -0.5, the triangle for bilinear) and renormalizes the weights at the
    borders, as PIL does.

    Args:
        images: float array `(n, h, w, c)`.
        size: int or `(height, width)`. Output size.
        interpolation: str. `"bilinear"` or `"bicubic"`. Defaults to `"bicubic"`.
        batch_size: int. Images resized per call. Defaults to 1024.

    Returns:
        `float32` array `(n, height, width, c)`.

    Example:

    ```python
    images = np.random.default_rng(0).uniform(size=(4, 25, 25, 1)).astype("float32")
    resize_images(images, 32).shape  # (4, 32, 32, 1)
    ```
    """
    from keras import ops

    if interpolation not in ("bilinear", "bicubic"):
        raise ValueError(
            "`interpolation` must be 'bilinear' or 'bicubic'. "
            f"Received: interpolation={interpolation!r}"
        )
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4:
        raise ValueError(
            "`images` must have shape (n, height, width, channels). "
            f"Received: images.shape={images.shape}"
        )
    height, width = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    if images.shape[1:3] == (height, width):
        return images
    if len(images) == 0:
        return np.zeros((0, height, width, images.shape[3]), "float32")
    chunks = [
        ops.convert_to_numpy(
            ops.image.resize(
                images[i : i + batch_size],
                (height, width),
                interpolation=interpolation,
                antialias=True,
            )
        ).astype("float32")
        for i in range(0, len(images), batch_size)
    ]
    return np.concatenate(chunks)
