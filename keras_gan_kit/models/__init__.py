"""GAN model families: `keras.Model` subclasses written in `keras.ops` only.

Every family is a subclass of `AdversarialModel`, the engine that owns the
optimizers, seed state, trackers and the phase loop.
"""

from keras_gan_kit.models.adversarial_model import AdversarialModel
from keras_gan_kit.models.cyclegan import CycleGAN
from keras_gan_kit.models.gan import GAN
from keras_gan_kit.models.pix2pix import Pix2Pix
from keras_gan_kit.models.translation import translate_images

__all__ = ["AdversarialModel", "CycleGAN", "GAN", "Pix2Pix", "translate_images"]
