"""`UpsampleBlock`: transposed convolution, normalization, activation."""

from __future__ import annotations

import keras

from keras_gan_kit.layers.conv_block import ConvBlock

__all__ = ["UpsampleBlock"]


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class UpsampleBlock(ConvBlock):
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

    conv_class = keras.layers.Conv2DTranspose

    def __init__(
        self,
        filters: int,
        kernel_size: int = 4,
        normalization: str = "batch",
        activation="relu",
        spectral_norm: bool = False,
        **kwargs,
    ):
        super().__init__(filters, kernel_size, normalization, spectral_norm, **kwargs)
        self.activation = keras.activations.get(activation)

    def activate(self, x):
        return self.activation(x)

    def get_config(self):
        return {**super().get_config(), "activation": keras.activations.serialize(self.activation)}
