"""Tiling generated images into one picture; converting them to `uint8`."""

from __future__ import annotations

import math
import os
import warnings

import numpy as np

__all__ = ["make_image_grid", "save_image_grid", "to_uint8_images"]


def to_uint8_images(images, value_range=(-1.0, 1.0)) -> np.ndarray:
    """Converts generated images to `uint8` in [0, 255] for saving or display.

    Args:
        images: array `(n, h, w, c)` or `(h, w, c)`.
        value_range: tuple `(low, high)`. The range the images are in.
            Defaults to `(-1, 1)`. Values outside it are clipped.

    Returns:
        `uint8` array of the same shape.
    """
    low, high = value_range
    if not high > low:
        raise ValueError(
            f"`value_range` must be (low, high) with high > low. Received: {value_range!r}"
        )
    images = (np.asarray(images, dtype="float32") - low) / (high - low)
    return np.clip(np.round(images * 255.0), 0, 255).astype("uint8")


def make_image_grid(images, value_range=(-1.0, 1.0), columns=None, padding=1) -> np.ndarray:
    """Tiles images `(n, h, w, c)` into one `uint8` picture.

    Args:
        images: array `(n, h, w, c)` with 1 or 3 channels (or `(n, h, w)`).
        value_range: tuple `(low, high)`. The range of the images' values,
            mapped to [0, 255]; outside values are clipped. Defaults to `(-1, 1)`.
        columns: int. Images per row. Defaults to `ceil(sqrt(n))`.
        padding: int. Pixels of black between images. Defaults to 1.

    Returns:
        `uint8` array `(H, W)` for 1 channel or `(H, W, 3)` for 3 channels.
    """
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or len(images) == 0:
        raise ValueError(
            "`images` must have shape (n, height, width, 1 or 3) with n >= 1. "
            f"Received: images.shape={images.shape}"
        )
    n, h, w, c = images.shape
    finite = np.isfinite(images)
    if not np.all(finite):
        bad = int(np.count_nonzero(~np.all(finite.reshape(n, -1), axis=1)))
        warnings.warn(
            f"{bad} of the {n} images hold NaN or infinite values (drawn as black pixels): "
            "the model that made them has probably diverged.",
            RuntimeWarning,
            stacklevel=2,
        )
        images = np.where(finite, images, value_range[0])
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    pixels = to_uint8_images(images, value_range)
    grid = np.zeros(
        (rows * h + (rows - 1) * padding, columns * w + (columns - 1) * padding, c), "uint8"
    )
    for i in range(n):
        r, col = divmod(i, columns)
        grid[
            r * (h + padding) : r * (h + padding) + h, col * (w + padding) : col * (w + padding) + w
        ] = pixels[i]
    return grid[..., 0] if c == 1 else grid


def save_image_grid(path, images, value_range=(-1.0, 1.0), columns=None, scale=1) -> str:
    """Saves images as one PNG grid (see `make_image_grid`).

    Args:
        path: str. Output file; parent folders are created.
        images: array `(n, h, w, c)`.
        value_range: tuple. Range of the images' values. Defaults to `(-1, 1)`.
        columns: int. Images per row. Defaults to `ceil(sqrt(n))`.
        scale: int. Nearest-neighbour upscaling factor, to make small images
            visible. Defaults to 1.

    Returns:
        The path written.
    """
    from PIL import Image

    grid = make_image_grid(images, value_range=value_range, columns=columns)
    image = Image.fromarray(grid)
    if scale > 1:
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    image.save(path)
    return os.fspath(path)
