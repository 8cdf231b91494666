"""`ResidualBlock`: CycleGAN's two-convolution residual block."""

from __future__ import annotations

import keras

from keras_gan_kit.layers.normalization import (
    NORMALIZATIONS,
    check_normalization,
    make_normalization,
)
from keras_gan_kit.layers.reflection_padding_2d import ReflectionPadding2D
from keras_gan_kit.utils.validation import check_fraction, check_positive_int

__all__ = ["ResidualBlock"]

PADDINGS = ("reflect", "zero")


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class ResidualBlock(keras.layers.Layer):
    """`x + F(x)` with `F` = pad, 3x3 conv, norm, ReLU, pad, 3x3 conv, norm.

    The residual block of the CycleGAN/pix2pix ResNet generator (Johnson et
    al.'s layout, reflection padding instead of zero padding). Both
    convolutions keep `filters` channels, so the input must have `filters`
    channels. An optional dropout sits after the first ReLU, as in the
    reference code's `use_dropout`. Convolutions have a bias only when
    `normalization="none"`; weights are drawn from N(0, 0.02).

    Args:
        filters: int. Channels of the input, both convolutions and the output.
        normalization: str. `"instance"` (CycleGAN, non-affine), `"batch"`,
            `"layer"` or `"none"`. Defaults to `"instance"`.
        padding: str. `"reflect"` (reference default) or `"zero"`.
            Defaults to `"reflect"`.
        dropout: float. Dropout rate between the two convolutions (0.5 in
            the reference when enabled). Defaults to 0.
        **kwargs: standard layer arguments (`name`, `dtype`).

    Example:

    ```python
    x = keras.Input((64, 64, 256))
    y = ResidualBlock(256)(x)   # (None, 64, 64, 256)
    ```

    References:
        He et al., "Deep Residual Learning for Image Recognition", CVPR 2016.
        Johnson et al., "Perceptual Losses for Real-Time Style Transfer and
        Super-Resolution", ECCV 2016.
        Zhu et al., "Unpaired Image-to-Image Translation using
        Cycle-Consistent Adversarial Networks", ICCV 2017.
    """

    def __init__(
        self,
        filters: int,
        normalization: str = "instance",
        padding: str = "reflect",
        dropout: float = 0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = check_positive_int(filters, "filters")
        self.normalization = check_normalization(normalization, choices=NORMALIZATIONS)
        if padding not in PADDINGS:
            raise ValueError(
                f"Unknown padding. Received: padding={padding!r}. Expected one of {list(PADDINGS)}."
            )
        self.padding = padding
        self.dropout = check_fraction(dropout, "dropout", high_open=True)
        dtype = self.dtype_policy
        self.pad_1 = (
            ReflectionPadding2D(1, dtype=dtype, name="pad_1") if padding == "reflect" else None
        )
        self.pad_2 = (
            ReflectionPadding2D(1, dtype=dtype, name="pad_2") if padding == "reflect" else None
        )
        self.conv_1 = self._conv("conv_1")
        self.conv_2 = self._conv("conv_2")
        self.norm_1 = make_normalization(self.normalization, name="norm_1", dtype=dtype)
        self.norm_2 = make_normalization(self.normalization, name="norm_2", dtype=dtype)
        self.drop = (
            keras.layers.Dropout(self.dropout, dtype=dtype, name="dropout")
            if self.dropout
            else None
        )

    def _conv(self, name):
        return keras.layers.Conv2D(
            self.filters,
            3,
            padding="valid" if self.padding == "reflect" else "same",
            use_bias=self.normalization == "none",
            kernel_initializer=keras.initializers.RandomNormal(stddev=0.02),
            dtype=self.dtype_policy,
            name=name,
        )

    def build(self, input_shape):
        if input_shape[-1] != self.filters:
            raise ValueError(
                "ResidualBlock adds its input to its output, so the input must have `filters` "
                f"channels. Received: filters={self.filters} for input_shape={tuple(input_shape)}"
            )
        shape = tuple(input_shape)
        for pad, conv, norm in (
            (self.pad_1, self.conv_1, self.norm_1),
            (self.pad_2, self.conv_2, self.norm_2),
        ):
            if pad is not None:
                pad.build(shape)
                conv.build(pad.compute_output_shape(shape))
            else:
                conv.build(shape)
            if norm is not None:
                norm.build(shape)
        self.built = True

    def _branch(self, x, pad, conv, norm, training):
        if pad is not None:
            x = pad(x)
        x = conv(x)
        if norm is not None:
            x = norm(x, training=training)
        return x

    def call(self, inputs, training=None):
        x = self._branch(inputs, self.pad_1, self.conv_1, self.norm_1, training)
        x = keras.ops.relu(x)
        if self.drop is not None:
            x = self.drop(x, training=training)
        x = self._branch(x, self.pad_2, self.conv_2, self.norm_2, training)
        return inputs + x

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "normalization": self.normalization,
                "padding": self.padding,
                "dropout": self.dropout,
            }
        )
        return config
