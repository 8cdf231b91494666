"""Leaf helpers: argument checks (`validation`), image grids and `uint8` conversion.

Nothing here imports from the rest of `keras_gan_kit`.
"""

from keras_gan_kit.utils.image_grid import make_image_grid, save_image_grid, to_uint8_images

__all__ = ["make_image_grid", "save_image_grid", "to_uint8_images"]
