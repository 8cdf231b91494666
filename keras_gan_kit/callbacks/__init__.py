"""GAN training callbacks: sample grids (also for TensorBoard), generator EMA, FID, divergence."""

from keras_gan_kit.callbacks.csv_logger import CSVLogger
from keras_gan_kit.callbacks.divergence_guard import DivergenceGuard, TrainingDivergedError
from keras_gan_kit.callbacks.fid_monitor import FIDMonitor
from keras_gan_kit.callbacks.generator_ema import GeneratorEMA
from keras_gan_kit.callbacks.image_sample_saver import ImageSampleSaver
from keras_gan_kit.callbacks.tensorboard_sample_grids import TensorBoardSampleGrids
from keras_gan_kit.callbacks.translation_sample_saver import TranslationSampleSaver

__all__ = [
    "CSVLogger",
    "DivergenceGuard",
    "FIDMonitor",
    "GeneratorEMA",
    "ImageSampleSaver",
    "TensorBoardSampleGrids",
    "TrainingDivergedError",
    "TranslationSampleSaver",
]
