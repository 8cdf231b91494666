"""GAN model families: `keras.Model` subclasses written in `keras.ops` only."""

from keras_gan_kit.models.cyclegan import CycleGAN
from keras_gan_kit.models.gan import GAN
from keras_gan_kit.models.pix2pix import Pix2Pix
from keras_gan_kit.models.translation_model import translate_images

__all__ = ["CycleGAN", "GAN", "Pix2Pix", "translate_images"]
