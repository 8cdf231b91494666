"""SNGAN/BigGAN ResNet blocks: generator up-block, discriminator down-block, global sum pooling."""

from __future__ import annotations

import math

import keras
from keras import ops

from keras_gan_kit.layers.conditional_batch_normalization import ConditionalBatchNormalization
from keras_gan_kit.layers.spectral_normalization import SpectralNormalization
from keras_gan_kit.utils.validation import check_positive_int

__all__ = ["GlobalSumPooling2D", "SNGANDiscriminatorBlock", "SNGANGeneratorBlock"]


def glorot_uniform(gain=1.0):
    """Xavier/Glorot uniform with a gain (PyTorch's `xavier_uniform_(w, gain)`)."""
    return keras.initializers.VarianceScaling(scale=gain**2, mode="fan_avg", distribution="uniform")


def _conv(filters, kernel_size, gain, spectral_norm, dtype, name):
    conv = keras.layers.Conv2D(
        filters,
        kernel_size,
        padding="same",
        kernel_initializer=glorot_uniform(gain),
        bias_initializer="zeros",
        dtype=dtype,
        name=name,
    )
    if spectral_norm:
        return SpectralNormalization(conv, dtype=dtype, name=f"{name}_sn")
    return conv


def _upsample(x):
    return ops.repeat(ops.repeat(x, 2, axis=1), 2, axis=2)


def _downsample(x):
    return ops.average_pool(x, 2, strides=2, padding="valid")


def _check_feature_map(layer, shape):
    if len(shape) != 4 or shape[-1] is None:
        raise ValueError(
            f"{type(layer).__name__} takes channels-last feature maps (batch, height, width, "
            f"channels) with known channels. Received: input_shape={tuple(shape)}"
        )
    return int(shape[-1])


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class SNGANGeneratorBlock(keras.layers.Layer):
    """The residual up-block of the SNGAN/BigGAN ResNet generator.

    Residual branch: BN, ReLU, 2x nearest upsampling, 3x3 conv to `filters`,
    BN, ReLU, 3x3 conv. Shortcut: upsampling then a 1x1 conv to `filters`
    when the block upsamples or changes the width, else the identity.
    Output: their sum. With `num_classes` both BNs are
    `ConditionalBatchNormalization` (per-class scale and shift, the
    conditional generator of Miyato & Koyama and BigGAN) and the block is
    called on `[x, labels]`.

    As in the SNGAN Chainer code and Mimicry: residual convolutions are
    Glorot-uniform with gain `sqrt(2)`, the shortcut with gain 1, biases
    zero; BN has momentum 0.9 and epsilon 1e-5 (PyTorch's 0.1 and 1e-5).
    Mimicry upsamples bilinearly; this block uses nearest neighbours, as the
    SNGAN and BigGAN papers.

    Args:
        filters: int. Output channels (and of the hidden convolution).
        upsample: bool. Double height and width. Defaults to True.
        num_classes: int or None. Class-conditional batch norm; the block is
            then called on `[x, labels]`. Defaults to None.
        spectral_norm: bool. Spectral normalization on every convolution
            (BigGAN's generator; SNGAN's has none). Defaults to False.
        **kwargs: standard layer arguments (`name`, `dtype`).

    Example:

    ```python
    x = keras.Input((4, 4, 256))
    y = SNGANGeneratorBlock(256)(x)   # (None, 8, 8, 256)
    ```

    References:
        Miyato et al., "Spectral Normalization for Generative Adversarial
        Networks", ICLR 2018.
        Brock et al., "Large Scale GAN Training for High Fidelity Natural
        Image Synthesis", ICLR 2019.
    """

    def __init__(
        self,
        filters: int,
        upsample: bool = True,
        num_classes: int | None = None,
        spectral_norm: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = check_positive_int(filters, "filters")
        self.upsample = bool(upsample)
        self.num_classes = (
            None if num_classes is None else check_positive_int(num_classes, "num_classes")
        )
        self.spectral_norm = bool(spectral_norm)

    def _split(self, inputs):
        if self.num_classes is None:
            return inputs, None
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(
                "A class-conditional SNGANGeneratorBlock (num_classes="
                f"{self.num_classes}) is called on `[x, labels]`. Received: {inputs!r}"
            )
        return inputs[0], inputs[1]

    def _norm(self, name):
        dtype = self.dtype_policy
        if self.num_classes is None:
            return keras.layers.BatchNormalization(
                momentum=0.9, epsilon=1e-5, dtype=dtype, name=name
            )
        return ConditionalBatchNormalization(self.num_classes, dtype=dtype, name=name)

    def build(self, input_shape):
        x_shape, label_shape = self._split(input_shape)
        channels = _check_feature_map(self, x_shape)
        dtype = self.dtype_policy
        self.norm_1 = self._norm("norm_1")
        self.norm_2 = self._norm("norm_2")
        self.conv_1 = _conv(self.filters, 3, math.sqrt(2), self.spectral_norm, dtype, "conv_1")
        self.conv_2 = _conv(self.filters, 3, math.sqrt(2), self.spectral_norm, dtype, "conv_2")
        self.learnable_shortcut = self.upsample or channels != self.filters
        self.shortcut = (
            _conv(self.filters, 1, 1.0, self.spectral_norm, dtype, "shortcut")
            if self.learnable_shortcut
            else None
        )
        x_shape = tuple(x_shape)
        b, h, w = x_shape[:3]
        if self.upsample:
            h = None if h is None else 2 * h
            w = None if w is None else 2 * w
        up_in = (b, h, w, channels)
        hidden = (b, h, w, self.filters)
        if self.num_classes is None:
            self.norm_1.build(x_shape)
            self.norm_2.build(hidden)
        else:
            self.norm_1.build([x_shape, tuple(label_shape)])
            self.norm_2.build([hidden, tuple(label_shape)])
        self.conv_1.build(up_in)
        self.conv_2.build(hidden)
        if self.shortcut is not None:
            self.shortcut.build(up_in)
        self.built = True

    def _normalize(self, norm, x, labels, training):
        if labels is None:
            return norm(x, training=training)
        return norm([x, labels], training=training)

    def call(self, inputs, training=None):
        x, labels = self._split(inputs)
        h = ops.relu(self._normalize(self.norm_1, x, labels, training))
        if self.upsample:
            h = _upsample(h)
        h = self.conv_1(h, training=training)
        h = ops.relu(self._normalize(self.norm_2, h, labels, training))
        h = self.conv_2(h, training=training)
        shortcut = x
        if self.shortcut is not None:
            shortcut = self.shortcut(_upsample(x) if self.upsample else x, training=training)
        return h + shortcut

    def compute_output_shape(self, input_shape):
        x_shape, _ = self._split(input_shape)
        b, h, w, _ = x_shape
        if self.upsample:
            h = None if h is None else 2 * h
            w = None if w is None else 2 * w
        return (b, h, w, self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "upsample": self.upsample,
            "num_classes": self.num_classes,
            "spectral_norm": self.spectral_norm,
        }


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class SNGANDiscriminatorBlock(keras.layers.Layer):
    """The residual down-block of the SNGAN/BigGAN ResNet discriminator.

    Residual branch: ReLU, 3x3 conv (to the input width), ReLU, 3x3 conv to
    `filters`, then 2x2 average pooling when `downsample`. Shortcut: a 1x1
    conv to `filters` then average pooling when the block downsamples or
    changes the width, else the identity. With `optimized=True` (the first
    block, on images): the branch has no leading ReLU and its hidden width is
    `filters`, and the shortcut pools first, then applies the 1x1 conv
    (SNGAN's `OptimizedDisBlock`, which always downsamples).

    As in the SNGAN Chainer code and Mimicry: residual convolutions are
    Glorot-uniform with gain `sqrt(2)`, the shortcut with gain 1, biases
    zero, spectral normalization on every convolution.

    Args:
        filters: int. Output channels.
        downsample: bool. Halve height and width (ignored and True when
            `optimized`). Defaults to True.
        optimized: bool. The first block of the discriminator (see above).
            Defaults to False.
        spectral_norm: bool. Spectral normalization on every convolution.
            Defaults to True.
        **kwargs: standard layer arguments (`name`, `dtype`).

    Example:

    ```python
    images = keras.Input((32, 32, 3))
    h = SNGANDiscriminatorBlock(128, optimized=True)(images)   # (None, 16, 16, 128)
    h = SNGANDiscriminatorBlock(128)(h)                        # (None, 8, 8, 128)
    ```

    References:
        Miyato et al., "Spectral Normalization for Generative Adversarial
        Networks", ICLR 2018.
    """

    def __init__(
        self,
        filters: int,
        downsample: bool = True,
        optimized: bool = False,
        spectral_norm: bool = True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = check_positive_int(filters, "filters")
        self.optimized = bool(optimized)
        self.downsample = True if self.optimized else bool(downsample)
        self.spectral_norm = bool(spectral_norm)

    def build(self, input_shape):
        channels = _check_feature_map(self, input_shape)
        if self.downsample and any(d is not None and d % 2 for d in input_shape[1:3]):
            raise ValueError(
                "SNGANDiscriminatorBlock with downsample=True halves height and width, so both "
                f"must be even. Received: input_shape={tuple(input_shape)}"
            )
        dtype = self.dtype_policy
        hidden = self.filters if self.optimized else channels
        self.conv_1 = _conv(hidden, 3, math.sqrt(2), self.spectral_norm, dtype, "conv_1")
        self.conv_2 = _conv(self.filters, 3, math.sqrt(2), self.spectral_norm, dtype, "conv_2")
        self.learnable_shortcut = self.optimized or self.downsample or channels != self.filters
        self.shortcut = (
            _conv(self.filters, 1, 1.0, self.spectral_norm, dtype, "shortcut")
            if self.learnable_shortcut
            else None
        )
        shape = tuple(input_shape)
        self.conv_1.build(shape)
        self.conv_2.build(shape[:3] + (hidden,))
        if self.shortcut is not None:
            if self.optimized:
                self.shortcut.build(self._pooled(shape)[:3] + (channels,))
            else:
                self.shortcut.build(shape)
        self.built = True

    @staticmethod
    def _pooled(shape):
        return (shape[0],) + tuple(None if d is None else d // 2 for d in shape[1:3]) + shape[3:]

    def call(self, inputs, training=None):
        h = inputs if self.optimized else ops.relu(inputs)
        h = self.conv_1(h, training=training)
        h = self.conv_2(ops.relu(h), training=training)
        if self.downsample:
            h = _downsample(h)
        if self.shortcut is None:
            shortcut = inputs
        elif self.optimized:
            shortcut = self.shortcut(_downsample(inputs), training=training)
        else:
            shortcut = self.shortcut(inputs, training=training)
            if self.downsample:
                shortcut = _downsample(shortcut)
        return h + shortcut

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if self.downsample:
            shape = self._pooled(shape)
        return shape[:3] + (self.filters,)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "downsample": self.downsample,
            "optimized": self.optimized,
            "spectral_norm": self.spectral_norm,
        }


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class GlobalSumPooling2D(keras.layers.Layer):
    """Sums a channels-last feature map over height and width: `(b, h, w, c) -> (b, c)`.

    The pooling of the SNGAN/BigGAN ResNet discriminators (a sum, not
    Keras' `GlobalAveragePooling2D` mean: the logit scales with the map's
    area, as in the reference code). It has no weights.

    Args:
        **kwargs: standard layer arguments (`name`, `dtype`).

    Example:

    ```python
    features = GlobalSumPooling2D()(keras.Input((8, 8, 128)))   # (None, 128)
    ```
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def call(self, inputs):
        return ops.sum(inputs, axis=(1, 2))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])
