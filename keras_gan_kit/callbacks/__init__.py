"""Callbacks for GAN training: sample grids and generator EMA."""

from keras_gan_kit.callbacks.generator_ema import GeneratorEMA
from keras_gan_kit.callbacks.image_sample_saver import ImageSampleSaver

__all__ = ["GeneratorEMA", "ImageSampleSaver"]
