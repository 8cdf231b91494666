"""Building blocks of the bundled networks, reusable in your own."""

from keras_gan_kit.layers.downsample_block import DownsampleBlock
from keras_gan_kit.layers.spectral_normalization import SpectralNormalization
from keras_gan_kit.layers.upsample_block import UpsampleBlock

__all__ = ["DownsampleBlock", "SpectralNormalization", "UpsampleBlock"]
