"""What the image-to-image families share: checks, loss scale and `translate_images`."""

from __future__ import annotations

import warnings

import numpy as np
from keras import ops

from keras_gan_kit import losses as losses_lib
from keras_gan_kit.utils.validation import check_image_array, check_positive_int

__all__ = ["translate_images"]


def reference_generator_scale(adversarial_loss) -> float:
    """Factor that turns the library's generator loss into the reference code's criterion.

    The Pix2Pix/CycleGAN reference code weighs its L1 terms (lambda = 100, 10)
    against `criterion(D(fake), real_label)`: BCE, which equals the library's
    non-saturating generator loss, or, for LSGAN, the plain MSE `(D - 1)^2`,
    which is twice `keras_gan_kit.losses.LeastSquaresLoss`' `0.5 * (D - 1)^2`. With
    this factor the paper's weights mean what they mean there.
    """
    return 2.0 if isinstance(adversarial_loss, losses_lib.LeastSquaresLoss) else 1.0


def warn_if_critic_loss(adversarial_loss) -> None:
    """Warns that a critic loss (WGAN) needs a Lipschitz critic, which these models don't add."""
    if adversarial_loss.is_critic_loss:
        warnings.warn(
            f"The {adversarial_loss.name!r} loss needs a Lipschitz critic (e.g. spectral "
            "normalization); image-to-image models have no gradient penalty option.",
            stacklevel=3,
        )


def probe_shape(generator, channels=None):
    """A small input batch shape a generator accepts, from its input and size multiple."""
    inputs = getattr(generator, "inputs", None)
    fixed = fixed_input_size(generator)
    if channels is None:
        if not inputs or inputs[0].shape[-1] is None:
            raise ValueError(
                "Cannot tell the generator's input channels: it has no symbolic input. "
                "Use a functional generator (e.g. keras_gan_kit.networks.UNetGenerator)."
            )
        channels = int(inputs[0].shape[-1])
    size = fixed or (max(size_multiple(generator), 32),) * 2
    return (1, *size, channels)


def size_multiple(generator) -> int:
    """Height/width multiple a fully convolutional generator needs (2^downsamplings)."""
    downsamples = getattr(generator, "num_downsamples", None)
    return 2 ** int(downsamples) if downsamples else 1


def fixed_input_size(generator):
    """`(height, width)` a generator's input is built for, or None if any size goes."""
    inputs = getattr(generator, "inputs", None)
    if not inputs or len(inputs[0].shape) != 4:
        return None
    height, width = inputs[0].shape[1:3]
    return None if height is None or width is None else (int(height), int(width))


def _resize(image, size):
    """Bicubic resize (antialiased) of one float image `(h, w, c)` to `size = (h2, w2)`.

    `keras.ops.image.resize` (`utils.resize.resize_images`); it replaced a
    per-channel loop over PIL's float bicubic resize, which it matches to float32
    rounding (measured <= 7e-6 on [0, 1] photographs, up and down, non-square).
    """
    from keras_gan_kit.utils.resize import resize_images

    if image.shape[:2] == tuple(size):
        return image
    return np.clip(resize_images(image[None], tuple(size))[0], -1.0, 1.0).astype("float32")


def translate_images(generator, images, batch_size=8, mode="auto"):
    """Runs an image-to-image generator on images of any size, keeping their range.

    Args:
        generator: the generator (`keras.Model`), mapping [-1, 1] images to [-1, 1].
        images: array `(n, h, w, c)` or `(h, w, c)`, or a list of such images of
            different sizes. `uint8` images (0-255) are scaled to [-1, 1] and the
            results returned as `uint8`; float images must lie in [-1, 1] and the
            results are float32 in [-1, 1].
        batch_size: int. Images per generator call (for same-size batches).
        mode: `"auto"`, `"pad"` or `"resize"`. `"pad"` reflect-pads each image to
            the generator's size multiple (2^downsamplings) and crops the output
            back: no resampling, for fully convolutional generators. `"resize"`
            resizes to the generator's input size and back (bicubic). `"auto"`
            resizes when the generator was built for one input size, pads
            otherwise.

    Returns:
        The translations, with the structure, shapes and dtype of `images`.
    """
    check_positive_int(batch_size, "batch_size")
    if mode not in ("auto", "pad", "resize"):
        raise ValueError(f"`mode` must be 'auto', 'pad' or 'resize'. Received: mode={mode!r}")
    fixed = fixed_input_size(generator)
    if mode == "auto":
        mode = "resize" if fixed is not None else "pad"
    if mode == "resize" and fixed is None:
        raise ValueError(
            "mode='resize' needs a generator built for one input size; this one is fully "
            "convolutional. Use mode='pad'."
        )
    if isinstance(images, (list, tuple)):
        return [translate_images(generator, image, batch_size, mode) for image in images]
    images = np.asarray(images)
    single = images.ndim == 3
    if single:
        images = images[None]
    if images.ndim != 4:
        raise ValueError(
            "`images` must have shape (n, height, width, channels) or (height, width, "
            f"channels). Received: images.shape={images.shape}"
        )
    as_uint8 = images.dtype == np.uint8
    if as_uint8:
        images = images.astype("float32") / 127.5 - 1.0
    else:
        images = check_image_array(images, "images")
    height, width = images.shape[1:3]
    if mode == "resize":
        batch = np.stack([_resize(image, fixed) for image in images])
    else:
        multiple = size_multiple(generator)
        pad_h, pad_w = -height % multiple, -width % multiple
        batch = images
        if pad_h or pad_w:
            pad = ((0, 0), (pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2))
            batch = np.pad(images, pad + ((0, 0),), mode="symmetric")
    outputs = np.concatenate(
        [
            ops.convert_to_numpy(generator(batch[i : i + batch_size], training=False)).astype(
                "float32"
            )
            for i in range(0, len(batch), batch_size)
        ]
    )
    if mode == "resize":
        outputs = np.stack([_resize(image, (height, width)) for image in outputs])
    else:
        top, left = (outputs.shape[1] - height) // 2, (outputs.shape[2] - width) // 2
        outputs = outputs[:, top : top + height, left : left + width]
    if as_uint8:
        outputs = np.round((np.clip(outputs, -1.0, 1.0) + 1.0) * 127.5).astype("uint8")
    return outputs[0] if single else outputs


def check_jitter(jitter):
    """Checks a translation model's `jitter=` argument: a Keras layer (`RandomJitter`) or None.

    The layer is called as `jitter([images, ...], training=True)` on every
    training batch and must return the list with each tensor's shape.
    """
    import keras

    if jitter is not None and not isinstance(jitter, keras.layers.Layer):
        raise ValueError(
            "`jitter` must be a keras.layers.Layer that transforms training images (e.g. "
            "keras_gan_kit.augment.RandomJitter()) or None. Received: "
            f"jitter={jitter!r} of type {type(jitter).__name__}"
        )
    return jitter
