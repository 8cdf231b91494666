"""`ImageFolderDataset`: stream a big folder of images (CelebA, FFHQ) batch by batch."""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor

import keras
import numpy as np

from keras_gan_kit.datasets.loaders import (
    IMAGE_EXTENSIONS,
    list_image_files,
    read_square_image,
)
from keras_gan_kit.utils.validation import check_positive_int, check_seed

__all__ = ["ImageFolderDataset"]


class ImageFolderDataset(keras.utils.PyDataset):
    """Batches of images decoded from a folder on the fly, in [-1, 1].

    For folders too big to hold in memory as float32 (CelebA at 64x64 is
    about 10 GB that way; FFHQ at 256x256 about 50 GB): only the file list is
    kept, and each batch is read, resized, centre-cropped and scaled when
    `fit` asks for it. Decoding is parallel twice over: the images of one
    batch are decoded by `decode_threads` threads (PIL releases the GIL while
    decoding and resizing), and with `workers > 1` Keras prepares that many
    batches ahead in a thread pool while the model trains. It is a
    `keras.utils.PyDataset`, so it works with `fit` on TensorFlow, JAX and
    PyTorch alike and needs no TensorFlow. `load_image_folder` reads the
    same files the same way (shorter side resized to `image_size`, bicubic,
    then a centre crop), all at once.

    Every epoch visits each image once in a new random order (with
    `shuffle`); the last batch may be smaller. With `flip`, each image is
    mirrored left-right with probability 1/2, drawn anew every epoch
    (StyleGAN's `--mirror`, a free doubling of a face set). Orders and flips
    follow from `seed` alone, whatever the number of workers.

    With `return_labels`, batches are `(images, labels)` with the names of
    the immediate sub-folders as classes (sorted; label i is
    `class_names[i]`; images directly in `directory` get label 0), as in
    `keras.utils.image_dataset_from_directory`.

    Args:
        directory: str or path. Folder of images, searched recursively
            (`.png`, `.jpg`, `.jpeg`, `.bmp`, `.gif`, `.webp`, `.tif`).
        image_size: int. Output height and width. Defaults to 64.
        batch_size: int. Images per batch. Defaults to 64.
        channels: int. 1 (greyscale) or 3 (RGB). Defaults to 3.
        flip: bool. Random horizontal flips. Defaults to False.
        shuffle: bool. A new order every epoch. Defaults to True.
        seed: int or None. Seed of the order and the flips. Defaults to None.
        return_labels: bool. Yield `(images, labels)`. Defaults to False.
        max_images: int or None. Use at most this many files (sorted order).
        decode_threads: int. Threads decoding the images of one batch.
            Defaults to 4.
        **kwargs: `keras.utils.PyDataset` arguments: `workers` (batches
            prepared in parallel; defaults to 2 here), `use_multiprocessing`,
            `max_queue_size`.

    Example:

    ```python
    data = keras_gan_kit.datasets.ImageFolderDataset(
        "celeba/img_align_celeba", image_size=64, batch_size=64, flip=True, seed=0
    )
    print(data.num_images, data.image_shape)   # 202599 (64, 64, 3)
    gan.fit(data, epochs=20)
    ```
    """

    def __init__(
        self,
        directory,
        image_size: int = 64,
        batch_size: int = 64,
        channels: int = 3,
        flip: bool = False,
        shuffle: bool = True,
        seed: int | None = None,
        return_labels: bool = False,
        max_images: int | None = None,
        decode_threads: int = 4,
        **kwargs,
    ):
        kwargs.setdefault("workers", 2)
        super().__init__(**kwargs)
        self.image_size = check_positive_int(image_size, "image_size")
        self.batch_size = check_positive_int(batch_size, "batch_size")
        if channels not in (1, 3):
            raise ValueError(f"`channels` must be 1 or 3. Received: channels={channels!r}")
        self.channels = channels
        self.decode_threads = check_positive_int(decode_threads, "decode_threads")
        if max_images is not None:
            check_positive_int(max_images, "max_images")
        self.flip = bool(flip)
        self.shuffle = bool(shuffle)
        self.seed = check_seed(seed)
        self.return_labels = bool(return_labels)
        self.directory = os.fspath(directory)
        if not os.path.isdir(self.directory):
            raise ValueError(f"`directory` is not a folder. Received: directory={self.directory!r}")
        files = list_image_files(self.directory)[:max_images]
        if not files:
            raise ValueError(
                f"No images found in {self.directory!r} (looked for {', '.join(IMAGE_EXTENSIONS)})."
            )
        self.files = files
        self.class_names = sorted(
            d for d in os.listdir(self.directory) if os.path.isdir(os.path.join(self.directory, d))
        )
        index = {name: i for i, name in enumerate(self.class_names)}
        self.labels = np.array(
            [index.get(os.path.relpath(f, self.directory).split(os.sep)[0], 0) for f in files],
            "int32",
        )
        self._rng = np.random.default_rng(seed)
        self._flip_seed = int(self._rng.integers(2**31))
        self._epoch = 0
        self._pool = None
        self._order = np.arange(len(files))
        self.on_epoch_end()

    @property
    def num_images(self) -> int:
        """The number of image files."""
        return len(self.files)

    @property
    def image_shape(self) -> tuple:
        """`(image_size, image_size, channels)`, the shape of one image."""
        return (self.image_size, self.image_size, self.channels)

    def __len__(self) -> int:
        return math.ceil(len(self.files) / self.batch_size)

    def on_epoch_end(self):
        """Draws the next epoch's order (with `shuffle`) and flips."""
        self._epoch += 1
        if self.shuffle:
            self._order = self._rng.permutation(len(self.files))

    def read(self, indices, flip=None) -> np.ndarray:
        """Decodes the images with these file indices (sorted-file order).

        Args:
            indices: sequence of int. Positions in `files`.
            flip: bool array of the same length, or None (no flips).

        Returns:
            float32 array `(len(indices), *image_shape)` in [-1, 1].
        """
        paths = [self.files[i] for i in indices]

        def decode(path):
            return read_square_image(path, self.image_size, self.channels)

        if self.decode_threads > 1 and len(paths) > 1:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.decode_threads)
            arrays = list(self._pool.map(decode, paths))
        else:
            arrays = [decode(p) for p in paths]
        images = np.stack(arrays) / np.float32(127.5) - np.float32(1.0)
        if flip is not None:
            images = np.where(np.asarray(flip)[:, None, None, None], images[:, :, ::-1], images)
        return images.astype("float32")

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"Batch index {index} out of range [0, {len(self)}).")
        indices = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        flip = None
        if self.flip:
            # A function of (seed, epoch, batch): the same with any number of workers.
            rng = np.random.default_rng([self._flip_seed, self._epoch, index])
            flip = rng.random(len(indices)) < 0.5
        images = self.read(indices, flip)
        if self.return_labels:
            return images, self.labels[indices]
        return images

    def take(self, count: int) -> np.ndarray:
        """The first `count` images in sorted-file order (no flips), e.g. for `reals.png`.

        Args:
            count: int. How many (at most `num_images`).

        Returns:
            float32 array `(min(count, num_images), *image_shape)` in [-1, 1].
        """
        check_positive_int(count, "count")
        return self.read(range(min(count, len(self.files))))

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_pool"] = None  # thread pools do not pickle (use_multiprocessing=True)
        return state
