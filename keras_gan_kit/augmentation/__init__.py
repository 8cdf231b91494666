"""Temporary alias of `keras_gan_kit.synthetic_data` (renamed; this module will be removed)."""

from keras_gan_kit.synthetic_data import *  # noqa: F403
from keras_gan_kit.synthetic_data import __all__  # noqa: F401
