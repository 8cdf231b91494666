"""Differentiable image transforms with explicit per-sample parameters, in `keras.ops`.

The augmentation layers (`DiffAugment`, `ADA`) draw random parameters and
call these functions; they are public so that a transform can be checked
(or reused) with known parameters. Every function takes channels-last
float images `(batch, height, width, channels)` and is differentiable with
respect to them on every backend: the geometric ones are gathers (their
gradient is a scatter-add), the color ones are affine maps.
"""

from __future__ import annotations

from keras import ops

__all__ = [
    "adjust_brightness",
    "adjust_contrast",
    "adjust_saturation",
    "affine_transform",
    "color_transform",
    "cutout",
    "translate",
]


def _per_sample(values, dtype):
    """`(batch,)` values as `(batch, 1, 1, 1)`, for broadcasting over an image."""
    return ops.reshape(ops.cast(values, dtype), (-1, 1, 1, 1))


def adjust_brightness(images, delta):
    """Adds `delta[i]` to every value of image `i` (DiffAugment's brightness).

    Args:
        images: float tensor `(batch, height, width, channels)`.
        delta: tensor `(batch,)`. The amount added to each image.

    Returns:
        Tensor like `images`.
    """
    images = ops.convert_to_tensor(images)
    return images + _per_sample(delta, images.dtype)


def adjust_saturation(images, factor):
    """Scales each pixel's deviation from its channel mean by `factor[i]`.

    `x -> (x - mean_c(x)) * factor + mean_c(x)`, the mean taken over the
    channels of each pixel (DiffAugment's saturation; 0 gives grey, 1 the
    image itself). A one-channel image is left unchanged.

    Args:
        images: float tensor `(batch, height, width, channels)`.
        factor: tensor `(batch,)`.

    Returns:
        Tensor like `images`.
    """
    images = ops.convert_to_tensor(images)
    mean = ops.mean(images, axis=-1, keepdims=True)
    return (images - mean) * _per_sample(factor, images.dtype) + mean


def adjust_contrast(images, factor):
    """Scales each image's deviation from its mean by `factor[i]`.

    `x -> (x - mean(x)) * factor + mean(x)`, the mean taken over all pixels
    and channels of the image (DiffAugment's contrast).

    Args:
        images: float tensor `(batch, height, width, channels)`.
        factor: tensor `(batch,)`.

    Returns:
        Tensor like `images`.
    """
    images = ops.convert_to_tensor(images)
    mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
    return (images - mean) * _per_sample(factor, images.dtype) + mean


def _reflect(index, size):
    """Integer indices mirrored into `[0, size)` ("reflect" padding: no edge repeat)."""
    if size == 1:
        return ops.zeros_like(index)
    period = 2 * (size - 1)
    index = ops.mod(ops.abs(index), period)
    return ops.where(index >= size, period - index, index)


def translate(images, shifts, padding="zeros"):
    """Moves image `i` by the integer pixel offsets `shifts[i] = (dy, dx)`.

    `output[i, y, x] = images[i, y - dy, x - dx]`; pixels that come from
    outside the image are zeros (`padding="zeros"`, DiffAugment's
    translation) or mirrored (`padding="reflect"`, as ADA's integer
    translation).

    Args:
        images: float tensor `(batch, height, width, channels)`.
        shifts: int tensor `(batch, 2)`. Rows then columns; positive moves
            the content down / right.
        padding: str. `"zeros"` or `"reflect"`. Defaults to `"zeros"`.

    Returns:
        Tensor like `images`.
    """
    images = ops.convert_to_tensor(images)
    if padding not in ("zeros", "reflect"):
        raise ValueError(f"`padding` must be 'zeros' or 'reflect'. Received: padding={padding!r}")
    height, width = int(images.shape[1]), int(images.shape[2])
    shifts = ops.cast(shifts, "int32")
    rows = ops.arange(height, dtype="int32")[None, :] - shifts[:, :1]  # (batch, height)
    cols = ops.arange(width, dtype="int32")[None, :] - shifts[:, 1:]  # (batch, width)
    if padding == "reflect":
        rows, cols = _reflect(rows, height), _reflect(cols, width)
        row_mask = col_mask = None
    else:
        row_mask = ops.cast((rows >= 0) & (rows < height), images.dtype)
        col_mask = ops.cast((cols >= 0) & (cols < width), images.dtype)
        rows, cols = ops.clip(rows, 0, height - 1), ops.clip(cols, 0, width - 1)
    out = ops.take_along_axis(images, rows[:, :, None, None], axis=1)
    out = ops.take_along_axis(out, cols[:, None, :, None], axis=2)
    if row_mask is not None:
        out = out * row_mask[:, :, None, None] * col_mask[:, None, :, None]
    return out


def cutout(images, centers, sizes):
    """Zeroes one axis-aligned rectangle per image.

    A pixel `(y, x)` (its centre at `(y + 0.5, x + 0.5)`) is zeroed when
    `|y + 0.5 - cy| < h / 2` and `|x + 0.5 - cx| < w / 2`. With integer
    sizes and centres on the pixel grid (DiffAugment) this is a rectangle of
    `h * w` pixels, clipped at the border; a size of 0 zeroes nothing.

    Args:
        images: float tensor `(batch, height, width, channels)`.
        centers: tensor `(batch, 2)`. `(cy, cx)` in pixels from the top-left
            corner of the image.
        sizes: tensor `(batch, 2)`. `(h, w)` in pixels.

    Returns:
        Tensor like `images`.
    """
    images = ops.convert_to_tensor(images)
    height, width = int(images.shape[1]), int(images.shape[2])
    centers = ops.cast(centers, "float32")
    sizes = ops.cast(sizes, "float32")
    ys = ops.arange(height, dtype="float32")[None, :] + 0.5
    xs = ops.arange(width, dtype="float32")[None, :] + 0.5
    inside_y = ops.abs(ys - centers[:, :1]) < sizes[:, :1] / 2.0  # (batch, height)
    inside_x = ops.abs(xs - centers[:, 1:]) < sizes[:, 1:] / 2.0  # (batch, width)
    inside = ops.logical_and(inside_y[:, :, None], inside_x[:, None, :])
    keep = 1.0 - ops.cast(inside, images.dtype)
    return images * keep[..., None]


def affine_transform(images, matrices):
    """Resamples each image through a 2-D affine map, bilinearly, with mirrored borders.

    `matrices[i]` maps output pixel coordinates to input pixel coordinates,
    `[x_in, y_in, 1] = M @ [x_out, y_out, 1]`, both measured in pixels from
    the centre of the image (x to the right, y down), as the inverse matrix
    `G_inv` of StyleGAN2-ADA's augmentation pipeline. Each output pixel is
    the bilinear interpolation of the four input pixels around its source
    point; source points outside the image are mirrored back into it
    ("reflect" padding, repeated as often as needed). An identity matrix
    returns the images exactly.

    The reference pipeline (stylegan2-ada-pytorch, `training/augment.py`)
    instead pads by reflection, upsamples 2x with a symmetric wavelet
    (sym6) low-pass filter, samples with `grid_sample` and downsamples
    again, which reduces aliasing of rotations and scalings; this function
    samples the image at its own resolution (a documented simplification:
    the transform is the same, the interpolation is plain bilinear).

    Args:
        images: float tensor `(batch, height, width, channels)`.
        matrices: float tensor `(batch, 3, 3)` (only the first two rows are used).

    Returns:
        Tensor like `images`.
    """
    images = ops.convert_to_tensor(images)
    batch = ops.shape(images)[0]
    height, width, channels = (int(d) for d in images.shape[1:])
    dtype = images.dtype
    matrices = ops.cast(matrices, "float32")
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    xs = (ops.arange(width, dtype="float32") - cx)[None, None, :]
    ys = (ops.arange(height, dtype="float32") - cy)[None, :, None]

    def row(k):
        m = matrices[:, k, :]
        return m[:, 0, None, None] * xs + m[:, 1, None, None] * ys + m[:, 2, None, None]

    x_in = row(0) + cx  # (batch, height, width), input pixel units
    y_in = row(1) + cy
    x0 = ops.floor(x_in)
    y0 = ops.floor(y_in)
    fx = ops.cast(x_in - x0, dtype)[..., None]
    fy = ops.cast(y_in - y0, dtype)[..., None]
    x0 = ops.cast(x0, "int32")
    y0 = ops.cast(y0, "int32")
    flat = ops.reshape(images, (batch, height * width, channels))

    def gather(y, x):
        index = _reflect(y, height) * width + _reflect(x, width)
        index = ops.reshape(index, (batch, height * width, 1))
        return ops.reshape(
            ops.take_along_axis(flat, index, axis=1), (batch, height, width, channels)
        )

    top = gather(y0, x0) * (1.0 - fx) + gather(y0, x0 + 1) * fx
    bottom = gather(y0 + 1, x0) * (1.0 - fx) + gather(y0 + 1, x0 + 1) * fx
    return top * (1.0 - fy) + bottom * fy


def color_transform(images, matrices):
    """Applies a per-image affine color map given as a homogeneous 4x4 matrix.

    For RGB pixels `[r, g, b, 1] -> M @ [r, g, b, 1]` (StyleGAN2-ADA's color
    transforms: brightness, contrast, luma flip, hue rotation, saturation).
    A one-channel image gets the luma version, as in the reference: `x ->
    x * s + t` with `s` the mean row sum of `M[:3, :3]` and `t` the mean of
    `M[:3, 3]`. Images whose channels are a multiple of 3 (e.g. two RGB
    images concatenated, as Pix2Pix's pairs) get the map on each triple.

    Args:
        images: float tensor `(batch, height, width, channels)`, channels 1 or
            a multiple of 3.
        matrices: float tensor `(batch, 4, 4)`.

    Returns:
        Tensor like `images`.
    """
    images = ops.convert_to_tensor(images)
    channels = int(images.shape[-1])
    matrices = ops.cast(matrices, images.dtype)
    if channels == 1:
        scale = ops.mean(ops.sum(matrices[:, :3, :3], axis=2), axis=1)
        shift = ops.mean(matrices[:, :3, 3], axis=1)
        return images * _per_sample(scale, images.dtype) + _per_sample(shift, images.dtype)
    if channels % 3:
        raise ValueError(
            "Color transforms need images with 1 channel or a multiple of 3 channels. "
            f"Received: images with {channels} channels"
        )
    batch = ops.shape(images)[0]
    height, width = int(images.shape[1]), int(images.shape[2])
    groups = ops.reshape(images, (batch, height * width * (channels // 3), 3))
    out = ops.matmul(groups, ops.transpose(matrices[:, :3, :3], (0, 2, 1)))
    out = out + matrices[:, None, :3, 3]
    return ops.reshape(out, (batch, height, width, channels))
