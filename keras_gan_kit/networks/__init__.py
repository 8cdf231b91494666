"""Ready-made generators and discriminators."""

from keras_gan_kit.networks.dcgan_discriminator import DCGANDiscriminator
from keras_gan_kit.networks.dcgan_generator import DCGANGenerator

__all__ = ["DCGANDiscriminator", "DCGANGenerator"]
