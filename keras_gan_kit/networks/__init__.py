"""Ready-made generators and discriminators."""

from keras_gan_kit.networks.dcgan_discriminator import DCGANDiscriminator
from keras_gan_kit.networks.dcgan_generator import DCGANGenerator
from keras_gan_kit.networks.network import Network
from keras_gan_kit.networks.patchgan_discriminator import PatchGANDiscriminator
from keras_gan_kit.networks.r3gan import R3GANDiscriminator, R3GANGenerator
from keras_gan_kit.networks.resnet_generator import ResNetGenerator
from keras_gan_kit.networks.sngan import SNGANDiscriminator, SNGANGenerator
from keras_gan_kit.networks.unet_generator import UNetGenerator

__all__ = [
    "DCGANDiscriminator",
    "DCGANGenerator",
    "Network",
    "PatchGANDiscriminator",
    "R3GANDiscriminator",
    "R3GANGenerator",
    "ResNetGenerator",
    "SNGANDiscriminator",
    "SNGANGenerator",
    "UNetGenerator",
]
