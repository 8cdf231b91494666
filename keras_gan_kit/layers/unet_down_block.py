"""`UNetDownBlock`: the pix2pix U-Net encoder block."""

from __future__ import annotations

import keras

from keras_gan_kit.layers.normalization import (
    NORMALIZATIONS,
    check_normalization,
    make_normalization,
)
from keras_gan_kit.utils.validation import check_positive_int

__all__ = ["UNetDownBlock"]


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class UNetDownBlock(keras.layers.Layer):
    """Halves the spatial size: 4x4 `Conv2D` (stride 2) -> norm -> LeakyReLU(0.2).

    The pix2pix encoder block "Ck" (Isola et al. 2017). Padding is 1 on each
    side, as in the reference code, so an even input size is exactly halved.
    The convolution has a bias only when `normalization="none"`; its kernel
    is drawn from N(0, 0.02).

    The reference code applies the LeakyReLU at the start of the *next*
    block and concatenates the un-activated output into the skip. Here it
    comes at the end; `UNetUpBlock` starts with a ReLU, and
    `ReLU(LeakyReLU(x)) = ReLU(x)`, so a U-Net built from these blocks
    computes exactly the reference function.

    Args:
        filters: int. Output channels.
        normalization: str. `"batch"` (pix2pix), `"instance"` (non-affine),
            `"layer"` or `"none"`. Defaults to `"batch"`.
        negative_slope: float. LeakyReLU slope. Defaults to 0.2.
        **kwargs: standard layer arguments (`name`, `dtype`).

    Example:

    ```python
    x = keras.Input((256, 256, 3))
    y = UNetDownBlock(64, normalization="none")(x)   # (None, 128, 128, 64)
    ```

    References:
        Isola et al., "Image-to-Image Translation with Conditional
        Adversarial Networks", CVPR 2017.
    """

    def __init__(
        self,
        filters: int,
        normalization: str = "batch",
        negative_slope: float = 0.2,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = check_positive_int(filters, "filters")
        self.normalization = check_normalization(normalization, choices=NORMALIZATIONS)
        if not isinstance(negative_slope, (int, float)) or isinstance(negative_slope, bool):
            raise ValueError(
                f"`negative_slope` must be a number. Received: negative_slope={negative_slope!r}"
            )
        self.negative_slope = negative_slope
        self.conv = keras.layers.Conv2D(
            filters,
            4,
            strides=2,
            padding="same",  # = padding 1 on each side for k=4, s=2 and even sizes
            use_bias=self.normalization == "none",
            kernel_initializer=keras.initializers.RandomNormal(stddev=0.02),
            dtype=self.dtype_policy,
            name="conv",
        )
        self.norm = make_normalization(self.normalization, name="norm", dtype=self.dtype_policy)

    def build(self, input_shape):
        self.conv.build(input_shape)
        if self.norm is not None:
            self.norm.build(self.conv.compute_output_shape(input_shape))
        self.built = True

    def call(self, inputs, training=None):
        x = self.conv(inputs)
        if self.norm is not None:
            x = self.norm(x, training=training)
        return keras.ops.leaky_relu(x, negative_slope=self.negative_slope)

    def compute_output_shape(self, input_shape):
        return self.conv.compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "normalization": self.normalization,
                "negative_slope": self.negative_slope,
            }
        )
        return config
