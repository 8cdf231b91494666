"""Callbacks for GAN training: sample grids, generator EMA, FID monitoring."""

from keras_gan_kit.callbacks.fid_monitor import FIDMonitor
from keras_gan_kit.callbacks.generator_ema import GeneratorEMA
from keras_gan_kit.callbacks.image_sample_saver import ImageSampleSaver

__all__ = ["FIDMonitor", "GeneratorEMA", "ImageSampleSaver"]
