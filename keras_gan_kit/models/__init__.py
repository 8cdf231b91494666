"""GAN model families: `keras.Model` subclasses written in `keras.ops` only."""

from keras_gan_kit.models.gan import GAN

__all__ = ["GAN"]
