"""Data for GAN training, scaled to [-1, 1] (the range of a tanh generator).

- `load_digits`: 1,797 real handwritten digits shipped inside the package
  (works offline; the default data of `keras-gan-kit train`).
- `load_mnist`, `load_fashion_mnist`, `load_cifar10`: public sets through
  `keras.datasets` (downloaded once, cached in `~/.keras/datasets`).
- `load_image_folder`: your own images, resized and centre-cropped; sub-folders
  become class labels.
- `gaussian_mixture_2d`: 2-D toy mixtures (ring, grid) for seeing mode collapse.
"""

from keras_gan_kit.datasets.loaders import (
    DATASETS,
    load,
    load_cifar10,
    load_digits,
    load_fashion_mnist,
    load_image_folder,
    load_mnist,
    to_uint8_images,
)
from keras_gan_kit.datasets.toy import gaussian_mixture_2d, gaussian_mixture_centers

__all__ = [
    "DATASETS",
    "load",
    "load_cifar10",
    "load_digits",
    "load_fashion_mnist",
    "load_image_folder",
    "load_mnist",
    "gaussian_mixture_2d",
    "gaussian_mixture_centers",
    "to_uint8_images",
]
