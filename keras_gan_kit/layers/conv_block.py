"""Shared machinery of the convolution blocks (internal)."""

from __future__ import annotations

import keras

from keras_gan_kit.layers.normalization import (
    check_normalization,
    make_normalization,
    maybe_spectral,
)
from keras_gan_kit.utils.validation import check_positive_int


class ConvBlock(keras.layers.Layer):
    """Stride-2 convolution -> optional normalization -> activation.

    Subclasses set `conv_class` and implement `activate(x)`.
    """

    conv_class = None

    def __init__(self, filters, kernel_size, normalization, spectral_norm, **kwargs):
        super().__init__(**kwargs)
        self.filters = check_positive_int(filters, "filters")
        self.kernel_size = kernel_size
        self.normalization = check_normalization(normalization)
        self.spectral_norm = spectral_norm
        self.conv = maybe_spectral(
            self.conv_class(
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
            dtype=self.dtype_policy,
        )
        self.norm = make_normalization(self.normalization, name="norm", dtype=self.dtype_policy)

    def build(self, input_shape):
        self.conv.build(input_shape)
        if self.norm is not None:
            self.norm.build(self.conv.compute_output_shape(input_shape))
        self.built = True

    def activate(self, x):
        raise NotImplementedError

    def call(self, inputs, training=None):
        x = self.conv(inputs, training=training)
        if self.norm is not None:
            x = self.norm(x, training=training)
        return self.activate(x)

    def compute_output_shape(self, input_shape):
        return self.conv.compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "normalization": self.normalization,
                "spectral_norm": self.spectral_norm,
            }
        )
        return config
