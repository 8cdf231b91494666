"""`RandomJitter`: the image-to-image papers' random jitter and mirroring of training images."""

from __future__ import annotations

import math

import keras
from keras import ops

from keras_gan_kit.utils.validation import (
    check_bool,
    check_data_format,
    check_positive_int,
    check_seed,
)

__all__ = ["RandomJitter", "default_jitter_size"]

_SEED_KEY = "seed_state"
_INTERPOLATIONS = ("nearest", "bilinear", "bicubic")


def default_jitter_size(image_size: int) -> int:
    """The papers' jitter size for an image side: `image_size * 286 / 256`, rounded half up.

    Pix2Pix and CycleGAN resize 256-pixel training images to 286 before a
    random 256-pixel crop; other sizes keep that ratio (8 -> 9, 16 -> 18,
    32 -> 36, 64 -> 72, 128 -> 143, 256 -> 286, 512 -> 572).

    Args:
        image_size: int. The training image side, in pixels.

    Returns:
        The side to resize to before cropping back to `image_size`.
    """
    check_positive_int(image_size, "image_size")
    return int(math.floor(image_size * 286 / 256 + 0.5))


def _check_size(value, arg):
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(
                f"`{arg}` must be an int, a (height, width) pair or None. Received: {arg}={value!r}"
            )
        return tuple(check_positive_int(v, arg) for v in value)
    return (check_positive_int(value, arg),) * 2


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class RandomJitter(keras.layers.Layer):
    """Random jitter and mirroring of training images, one transform per sample.

    The data augmentation of the image-to-image translation papers: each
    training image is resized up to `jitter_size` (286 for 256-pixel images)
    and cropped back to its own size at a random offset, then mirrored left
    to right with probability 1/2. Called on a list of tensors (`[inputs,
    targets]`), it applies the same crop offset and the same flip to the
    i-th sample of every tensor, as Pix2Pix needs for its pairs; each call
    draws new transforms, so calling it once per domain transforms CycleGAN's
    two domains independently.

    Pass it as `jitter=` to `keras_gan_kit.models.Pix2Pix` or
    `keras_gan_kit.models.CycleGAN`: the model applies it to every training
    batch, before anything else sees the batch, and never in `translate()`
    (or anywhere outside `fit`). Unlike `DiffAugment`/`ADA`, which transform
    what the discriminator sees, this changes the training data itself: the
    generator learns from the jittered images too.

    Why not Keras' own layers: `keras.layers.RandomCrop` draws one offset
    for the whole batch (and crops without resizing up first), while the
    papers' loaders crop each image at its own offset; `RandomFlip` cannot
    share its draws between the two images of a pair. Here the crop and the
    flip are one gather (`keras.ops.take`) of a `keras.ops.image.resize`d
    batch, with per-sample offsets from a `keras.random.SeedGenerator`, so it
    runs inside the compiled training step on every backend.

    The random state (`seed_generator`) is a non-trainable variable of the
    model (threaded through JAX's compiled step) and is saved in `.keras`
    files, so a resumed run draws the same transforms as an uninterrupted
    one.

    Where this differs from the reference code
    (junyanz/pytorch-CycleGAN-and-pix2pix, `data/base_dataset.py`): the
    reference resizes 8-bit PIL images (bicubic, clipped to [0, 255] by the
    format); here the resize runs on float images and, for `"bicubic"`, each
    channel of each result is clipped to that channel's minimum and maximum
    in the input image, so the cubic overshoot cannot leave the input's
    range. The TensorFlow pix2pix
    tutorial resizes with nearest neighbours and keras.io's CycleGAN
    bilinearly: `interpolation` selects either.

    Args:
        jitter: bool. Resize up and crop at a random offset. Defaults to True.
        jitter_size: int, `(height, width)` or None. The size images are
            resized to before the random crop back to their own size; at
            least the image size. Defaults to None: `image_size * 286 / 256`
            of each side, rounded (`default_jitter_size`; 286 for 256, the
            papers').
        flip: bool. Mirror left to right with probability 1/2. Defaults to
            True.
        interpolation: str. `"bicubic"` (the reference code's), `"bilinear"`
            or `"nearest"`. Defaults to `"bicubic"`.
        seed: int or None. Seed of the random transforms. Defaults to None
            (random).
        data_format: str or None. `"channels_last"` or `"channels_first"`.
            Defaults to `keras.config.image_data_format()`.
        **kwargs: `keras.layers.Layer` arguments (`name`, `dtype`).

    Example:

    ```python
    import keras_gan_kit as kgk

    jitter = kgk.augment.RandomJitter(seed=0)     # 256 -> 286 -> random 256 crop, mirror
    inputs, targets = jitter([inputs, targets], training=True)   # the same transform per pair
    model = kgk.models.Pix2Pix(generator, discriminator, jitter=jitter)
    ```

    References:
        Isola, Zhu, Zhou, Efros. "Image-to-Image Translation with Conditional
        Adversarial Networks", CVPR 2017 (appendix, training details: random
        jitter by resizing 256 x 256 images to 286 x 286 and randomly cropping
        back to 256 x 256; mirroring).
        Zhu, Park, Isola, Efros. "Unpaired Image-to-Image Translation using
        Cycle-Consistent Adversarial Networks", ICCV 2017, trained with the
        authors' code, whose defaults are the same jitter and flip
        (`--load_size 286 --crop_size 256`, flips unless `--no_flip`):
        https://github.com/junyanz/pytorch-CycleGAN-and-pix2pix
    """

    def __init__(
        self,
        jitter: bool = True,
        jitter_size=None,
        flip: bool = True,
        interpolation: str = "bicubic",
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs,
    ):
        kwargs.setdefault("dtype", "float32")
        kwargs.setdefault("autocast", False)
        super().__init__(**kwargs)
        self.jitter = check_bool(jitter, "jitter")
        self.jitter_size = _check_size(jitter_size, "jitter_size")
        if self.jitter_size is not None and not jitter:
            raise ValueError(
                "`jitter_size` sets the resize of the random jitter, which is off. Received: "
                f"jitter_size={jitter_size!r} with jitter=False"
            )
        self.flip = check_bool(flip, "flip")
        if interpolation not in _INTERPOLATIONS:
            raise ValueError(
                f"`interpolation` must be one of {list(_INTERPOLATIONS)}. Received: "
                f"interpolation={interpolation!r}"
            )
        self.interpolation = interpolation
        self.seed = check_seed(seed)
        self.data_format = check_data_format(data_format)
        self.seed_generator = keras.random.SeedGenerator(seed, name="jitter_seed")
        # No weights depend on the input shape: built from the start (fit() must find it
        # built; call() checks the sizes, which are static inside the step).
        self.built = True

    @property
    def identity(self) -> bool:
        """Whether the layer changes nothing (`jitter` and `flip` both off)."""
        return not (self.jitter or self.flip)

    def resize_size(self, image_size) -> tuple:
        """`(height, width)` images of `image_size = (height, width)` are resized to.

        Args:
            image_size: tuple `(height, width)` of the training images.

        Raises:
            ValueError: if `jitter_size` is smaller than `image_size`.
        """
        height, width = (int(d) for d in image_size)
        if not self.jitter:
            return height, width
        size = self.jitter_size or (default_jitter_size(height), default_jitter_size(width))
        if size[0] < height or size[1] < width:
            raise ValueError(
                "`jitter_size` must be at least the image size (images are resized up to it, "
                f"then cropped back). Received: jitter_size={size} for images of size "
                f"{(height, width)}"
            )
        return size

    def call(self, inputs, training=None):
        """Jitters and mirrors `inputs` (a tensor or a list of tensors) when `training`."""
        single = not isinstance(inputs, (list, tuple))
        tensors = [inputs] if single else list(inputs)
        if not training or self.identity:
            return inputs
        if self.data_format == "channels_first":
            tensors = [ops.transpose(t, (0, 2, 3, 1)) for t in tensors]
        shapes = [tuple(t.shape) for t in tensors]
        for shape in shapes:
            if len(shape) != 4 or any(d is None for d in shape[1:]):
                raise ValueError(
                    "RandomJitter transforms batches of images (batch, height, width, channels) "
                    f"with static height, width and channels. Received: shape={shape}"
                )
            if shape[1:3] != shapes[0][1:3]:
                raise ValueError(
                    "RandomJitter applies one transform to the images of every tensor: they "
                    f"need the same height and width. Received shapes {shapes}"
                )
        dtypes = [t.dtype for t in tensors]
        sizes = [int(s[-1]) for s in shapes]
        images = ops.concatenate([ops.cast(t, "float32") for t in tensors], axis=-1)
        images = self._transform(images)
        outputs, start = [], 0
        for size, dtype in zip(sizes, dtypes):
            part = images[..., start : start + size]
            start += size
            if not keras.backend.is_float_dtype(dtype):
                part = ops.round(part)
            part = ops.cast(part, dtype)
            if self.data_format == "channels_first":
                part = ops.transpose(part, (0, 3, 1, 2))
            outputs.append(part)
        if single:
            return outputs[0]
        return type(inputs)(outputs) if isinstance(inputs, tuple) else outputs

    def _transform(self, images):
        """Resize up, random crop and random mirror of channels-last float32 images."""
        height, width, channels = (int(d) for d in images.shape[1:])
        size_h, size_w = self.resize_size((height, width))
        batch = ops.shape(images)[0]
        if (size_h, size_w) != (height, width):
            resized = ops.image.resize(
                images, (size_h, size_w), interpolation=self.interpolation, antialias=False
            )
            if self.interpolation == "bicubic":  # no overshoot beyond each channel's range
                low = ops.min(images, axis=(1, 2), keepdims=True)
                high = ops.max(images, axis=(1, 2), keepdims=True)
                resized = ops.clip(resized, low, high)
            images = resized

        def offsets(extent):
            # Uniform integers in [0, extent], per sample (extent + 1 values).
            draw = keras.random.uniform((batch,), seed=self.seed_generator)
            value = ops.floor(draw * float(extent + 1))
            return ops.cast(ops.clip(value, 0.0, float(extent)), "int32")

        top = offsets(size_h - height)
        left = offsets(size_w - width)
        columns = ops.arange(width, dtype="int32")[None, :]
        if self.flip:
            draw = keras.random.uniform((batch,), seed=self.seed_generator)
            flipped = ops.expand_dims(draw < 0.5, -1)
            columns = ops.where(flipped, (width - 1) - columns, columns)
        rows = top[:, None] + ops.arange(height, dtype="int32")[None, :]  # (batch, height)
        columns = left[:, None] + columns  # (batch, width)
        # One gather of the crop (and mirror) from the flattened pixels of each sample.
        first = ops.arange(batch, dtype="int32") * (size_h * size_w)
        index = first[:, None, None] + rows[:, :, None] * size_w + columns[:, None, :]
        pixels = ops.reshape(images, (-1, channels))
        picked = ops.take(pixels, ops.reshape(index, (-1,)), axis=0)
        return ops.reshape(picked, (-1, height, width, channels))

    def compute_output_shape(self, input_shape):
        """The input shape(s): the images keep their size."""
        return input_shape

    def get_config(self):
        """Returns the constructor arguments."""
        config = super().get_config()
        config.update(
            {
                "jitter": self.jitter,
                "jitter_size": self.jitter_size,
                "flip": self.flip,
                "interpolation": self.interpolation,
                "seed": self.seed,
                "data_format": self.data_format,
            }
        )
        return config

    def save_own_variables(self, store):
        """Saves the state of the seed generator (Keras does not save it by itself)."""
        store[_SEED_KEY] = ops.convert_to_numpy(self.seed_generator.state)

    def load_own_variables(self, store):
        """Restores what `save_own_variables` saved."""
        if _SEED_KEY in store.keys():
            self.seed_generator.state.assign(store[_SEED_KEY])
