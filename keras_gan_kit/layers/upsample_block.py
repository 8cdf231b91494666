"""`UpsampleBlock`: transposed convolution, normalization, activation."""

from __future__ import annotations

import keras

from keras_gan_kit.layers.normalization import (
    check_normalization,
    make_normalization,
    maybe_spectral,
)

__all__ = ["UpsampleBlock"]


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class UpsampleBlock(keras.layers.Layer):
    """Doubles the spatial size: `Conv2DTranspose(stride 2)` -> norm -> activation.

    The DCGAN generator block (Radford et al. 2016): a 4x4 transposed
    convolution with stride 2 (no bias when a normalization follows),
    BatchNorm, ReLU.

    Args:
        filters: int. Output channels.
        kernel_size: int. Kernel size. Defaults to 4.
        normalization: str. `"batch"`, `"layer"` or `"none"`. Defaults to
            `"batch"`.
        activation: str or callable. Defaults to `"relu"`.
        spectral_norm: bool. Wrap the convolution in
            `keras_gan_kit.layers.SpectralNormalization`. Defaults to False.
        **kwargs: standard layer arguments (`name`, `dtype`).

    Example:

    ```python
    x = keras.Input((4, 4, 256))
    y = UpsampleBlock(128)(x)   # (None, 8, 8, 128)
    ```
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int = 4,
        normalization: str = "batch",
        activation="relu",
        spectral_norm: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(filters, int) or filters < 1:
            raise ValueError(f"`filters` must be a positive int. Received: filters={filters!r}")
        self.filters = filters
        self.kernel_size = kernel_size
        self.normalization = check_normalization(normalization)
        self.activation = keras.activations.get(activation)
        self.spectral_norm = spectral_norm
        self.conv = maybe_spectral(
            keras.layers.Conv2DTranspose(
                filters,
                kernel_size,
                strides=2,
                padding="same",
                use_bias=self.normalization == "none",
                kernel_initializer=keras.initializers.RandomNormal(stddev=0.02),
                dtype=self.dtype_policy,
                name="conv",
            ),
            spectral_norm,
        )
        self.norm = make_normalization(self.normalization, name="norm")

    def build(self, input_shape):
        self.conv.build(input_shape)
        if self.norm is not None:
            self.norm.build(self.conv.compute_output_shape(input_shape))
        self.built = True

    def call(self, inputs, training=None):
        x = self.conv(inputs, training=training)
        if self.norm is not None:
            x = self.norm(x, training=training)
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        return self.conv.compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "normalization": self.normalization,
                "activation": keras.activations.serialize(self.activation),
                "spectral_norm": self.spectral_norm,
            }
        )
        return config
