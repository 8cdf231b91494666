"""`DownsampleBlock`: strided convolution, normalization, activation."""

from __future__ import annotations

import keras

from keras_gan_kit.layers.conv_block import ConvBlock

__all__ = ["DownsampleBlock"]


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class DownsampleBlock(ConvBlock):
    """Halves the spatial size: `Conv2D(stride 2)` -> norm -> LeakyReLU.

    The DCGAN discriminator block (Radford et al. 2016): a 4x4 convolution
    with stride 2, optional normalization, LeakyReLU(0.2).

    Args:
        filters: int. Output channels.
        kernel_size: int. Kernel size. Defaults to 4.
        normalization: str. `"batch"`, `"layer"` or `"none"`. Defaults to
            `"none"` (use `"none"` with gradient penalties).
        negative_slope: float. LeakyReLU slope. Defaults to 0.2.
        spectral_norm: bool. Wrap the convolution in
            `keras_gan_kit.layers.SpectralNormalization` (SNGAN). Defaults to False.
        **kwargs: standard layer arguments (`name`, `dtype`).

    Example:

    ```python
    x = keras.Input((32, 32, 3))
    y = DownsampleBlock(64, spectral_norm=True)(x)   # (None, 16, 16, 64)
    ```
    """

    conv_class = keras.layers.Conv2D

    def __init__(
        self,
        filters: int,
        kernel_size: int = 4,
        normalization: str = "none",
        negative_slope: float = 0.2,
        spectral_norm: bool = False,
        **kwargs,
    ):
        super().__init__(filters, kernel_size, normalization, spectral_norm, **kwargs)
        self.negative_slope = negative_slope

    def activate(self, x):
        return keras.ops.leaky_relu(x, negative_slope=self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}
