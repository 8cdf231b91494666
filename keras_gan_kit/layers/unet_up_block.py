"""`UNetUpBlock`: the pix2pix U-Net decoder block."""

from __future__ import annotations

import keras

from keras_gan_kit.layers.normalization import (
    NORMALIZATIONS,
    check_normalization,
    make_normalization,
)
from keras_gan_kit.utils.validation import check_fraction, check_positive_int

__all__ = ["UNetUpBlock"]


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class UNetUpBlock(keras.layers.Layer):
    """Doubles the spatial size: ReLU -> 4x4 `Conv2DTranspose` (stride 2) -> norm -> dropout.

    The pix2pix decoder block "Ck"/"CDk" (Isola et al. 2017), pre-activated as
    in the reference code: the ReLU comes first, so the block can be fed the
    concatenation `[skip, x]` of a U-Net directly (the concatenation itself is
    left to the caller, e.g. `keras.layers.Concatenate()`). Padding is 1 on
    each side as in the reference, so the size exactly doubles. The
    transposed convolution has a bias only when `normalization="none"`; its
    kernel is drawn from N(0, 0.02).

    Dropout is the generator's only noise source in pix2pix: it is active in
    training mode (`training=True`) and off in inference. To sample as the
    paper does at test time, call the generator with `training=True`.

    Args:
        filters: int. Output channels.
        normalization: str. `"batch"` (pix2pix), `"instance"` (non-affine),
            `"layer"` or `"none"`. Defaults to `"batch"`.
        dropout: float. Dropout rate after the normalization (0.5 in
            pix2pix's first three decoder blocks). Defaults to 0.
        **kwargs: standard layer arguments (`name`, `dtype`).

    Example:

    ```python
    x = keras.Input((2, 2, 1024))    # [skip, upsampled] concatenated
    y = UNetUpBlock(512, dropout=0.5)(x)   # (None, 4, 4, 512)
    ```

    References:
        Isola et al., "Image-to-Image Translation with Conditional
        Adversarial Networks", CVPR 2017.
    """

    def __init__(
        self,
        filters: int,
        normalization: str = "batch",
        dropout: float = 0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = check_positive_int(filters, "filters")
        self.normalization = check_normalization(normalization, choices=NORMALIZATIONS)
        self.dropout = check_fraction(dropout, "dropout", high_open=True)
        self.conv = keras.layers.Conv2DTranspose(
            filters,
            4,
            strides=2,
            padding="same",  # = padding 1 on each side for k=4, s=2
            use_bias=self.normalization == "none",
            kernel_initializer=keras.initializers.RandomNormal(stddev=0.02),
            dtype=self.dtype_policy,
            name="conv",
        )
        self.norm = make_normalization(self.normalization, name="norm", dtype=self.dtype_policy)
        self.drop = (
            keras.layers.Dropout(self.dropout, dtype=self.dtype_policy, name="dropout")
            if self.dropout
            else None
        )

    def build(self, input_shape):
        self.conv.build(input_shape)
        if self.norm is not None:
            self.norm.build(self.conv.compute_output_shape(input_shape))
        self.built = True

    def call(self, inputs, training=None):
        x = self.conv(keras.ops.relu(inputs))
        if self.norm is not None:
            x = self.norm(x, training=training)
        if self.drop is not None:
            x = self.drop(x, training=training)
        return x

    def compute_output_shape(self, input_shape):
        return self.conv.compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "normalization": self.normalization,
                "dropout": self.dropout,
            }
        )
        return config
