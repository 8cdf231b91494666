"""Building blocks of the bundled networks, reusable in your own."""

from keras_gan_kit.layers.conditional_batch_normalization import ConditionalBatchNormalization
from keras_gan_kit.layers.downsample_block import DownsampleBlock
from keras_gan_kit.layers.fir_resampling import FIRDownSampling2D, FIRUpSampling2D, lowpass_filter
from keras_gan_kit.layers.fixup_initializer import FixupHeNormal, fixup_gain
from keras_gan_kit.layers.grouped_conv2d import GroupedConv2D, grouped_conv_implementation
from keras_gan_kit.layers.image_history_buffer import ImageHistoryBuffer
from keras_gan_kit.layers.instance_normalization import InstanceNormalization
from keras_gan_kit.layers.r3gan_blocks import ModulatedConstant, R3GANResidualBlock
from keras_gan_kit.layers.reflection_padding_2d import ReflectionPadding2D
from keras_gan_kit.layers.residual_block import ResidualBlock
from keras_gan_kit.layers.sngan_blocks import (
    GlobalSumPooling2D,
    SNGANDiscriminatorBlock,
    SNGANGeneratorBlock,
)
from keras_gan_kit.layers.spectral_normalization import SpectralNormalization
from keras_gan_kit.layers.unet_down_block import UNetDownBlock
from keras_gan_kit.layers.unet_up_block import UNetUpBlock
from keras_gan_kit.layers.upsample_block import UpsampleBlock

__all__ = [
    "ConditionalBatchNormalization",
    "DownsampleBlock",
    "FIRDownSampling2D",
    "FIRUpSampling2D",
    "FixupHeNormal",
    "GlobalSumPooling2D",
    "GroupedConv2D",
    "ImageHistoryBuffer",
    "InstanceNormalization",
    "ModulatedConstant",
    "R3GANResidualBlock",
    "ReflectionPadding2D",
    "ResidualBlock",
    "SNGANDiscriminatorBlock",
    "SNGANGeneratorBlock",
    "SpectralNormalization",
    "UNetDownBlock",
    "UNetUpBlock",
    "UpsampleBlock",
    "fixup_gain",
    "grouped_conv_implementation",
    "lowpass_filter",
]
