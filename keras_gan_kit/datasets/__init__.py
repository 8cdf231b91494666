"""Data for GAN training, scaled to [-1, 1] (the range of a tanh generator).

- `load_digits`: 1,797 real handwritten digits shipped inside the package
  (works offline; the default data of `keras-gan-kit train`).
- `load_mnist`, `load_fashion_mnist`, `load_cifar10`: public sets through
  `keras.datasets` (downloaded once, cached in `~/.keras/datasets`).
- `load_lfw_faces`: the 100 grayscale faces of Labeled Faces in the Wild that
  ship with scikit-image (offline; `pip install scikit-image`).
- `load_image_folder`: your own images, resized and centre-cropped; sub-folders
  become class labels. `ImageFolderDataset` streams big folders (CelebA, FFHQ)
  batch by batch with parallel decoding and optional flips.
- `gaussian_mixture_2d`: 2-D toy mixtures (ring, grid) for seeing mode collapse.
- Image-to-image translation: `load_pix2pix_dataset` and `load_cyclegan_dataset`
  (public sets, downloaded once), `load_paired_folder` and `load_unpaired_folder`
  (your folders), `make_paired_demo` and `make_unpaired_demo` (procedural, offline),
  and `load_translation_data`, one entry point for all of them;
  `UnpairedDataset` batches two unaligned sets for `CycleGAN`.
"""

from keras_gan_kit.datasets.demo import (
    demo_labels_to_photo,
    make_paired_demo,
    make_unpaired_demo,
)
from keras_gan_kit.datasets.faces import LFW_NUM_FACES, load_lfw_faces
from keras_gan_kit.datasets.image_folder_dataset import ImageFolderDataset
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
from keras_gan_kit.datasets.translation import (
    CYCLEGAN_DATASETS,
    PIX2PIX_DATASETS,
    load_cyclegan_dataset,
    load_paired_folder,
    load_pix2pix_dataset,
    load_translation_data,
    load_unpaired_folder,
)
from keras_gan_kit.datasets.unpaired_dataset import UnpairedDataset

__all__ = [
    "DATASETS",
    "load",
    "load_cifar10",
    "load_digits",
    "load_fashion_mnist",
    "load_image_folder",
    "load_lfw_faces",
    "load_mnist",
    "ImageFolderDataset",
    "LFW_NUM_FACES",
    "gaussian_mixture_2d",
    "gaussian_mixture_centers",
    "to_uint8_images",
    "CYCLEGAN_DATASETS",
    "PIX2PIX_DATASETS",
    "demo_labels_to_photo",
    "load_cyclegan_dataset",
    "load_paired_folder",
    "load_pix2pix_dataset",
    "load_translation_data",
    "load_unpaired_folder",
    "make_paired_demo",
    "make_unpaired_demo",
    "UnpairedDataset",
]
