"""`UnpairedDataset`: batches from two unaligned image sets (CycleGAN's data)."""

from __future__ import annotations

import math

import keras
import numpy as np

from keras_gan_kit.utils.validation import check_positive_int, check_seed

__all__ = ["UnpairedDataset"]


class UnpairedDataset(keras.utils.PyDataset):
    """Yields `(images_a, images_b)` batches drawn independently from two sets.

    As the reference CycleGAN's unaligned loader: an epoch has
    `ceil(max(n_a, n_b) / batch_size)` batches; each epoch both sets are
    reshuffled independently, and the shorter one is cycled through (its
    permutation repeated) to match the longer one. Images are not paired:
    batch `i` of A has nothing to do with batch `i` of B.

    Args:
        images_a: array `(n_a, ...)`. Domain A.
        images_b: array `(n_b, ...)`. Domain B.
        batch_size: int. Images of each domain per batch. Defaults to 1.
        shuffle: bool. Reshuffle both sets every epoch. Defaults to True.
        seed: int. Seed of the shuffles. Defaults to None.
        **kwargs: `keras.utils.PyDataset` arguments (`workers`, ...).

    Example:

    ```python
    data = UnpairedDataset(horses, zebras, batch_size=4, seed=0)
    images_a, images_b = data[0]           # (4, h, w, 3) each
    cyclegan.fit(data, epochs=10)
    ```
    """

    def __init__(self, images_a, images_b, batch_size=1, shuffle=True, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.images_a = np.asarray(images_a)
        self.images_b = np.asarray(images_b)
        for arg, images in (("images_a", self.images_a), ("images_b", self.images_b)):
            if images.ndim < 2 or len(images) == 0:
                raise ValueError(
                    f"`{arg}` must be a non-empty batch of samples. Received: "
                    f"{arg}.shape={images.shape}"
                )
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.shuffle = bool(shuffle)
        self.seed = check_seed(seed)
        self._rng = np.random.default_rng(seed)
        self._epoch_length = max(len(self.images_a), len(self.images_b))
        self._order_a = self._order_b = None
        self.on_epoch_end()

    def _order(self, n):
        repeats = math.ceil(self._epoch_length / n)
        if not self.shuffle:
            return np.tile(np.arange(n), repeats)[: self._epoch_length]
        return np.concatenate([self._rng.permutation(n) for _ in range(repeats)])[
            : self._epoch_length
        ]

    def on_epoch_end(self):
        """Draws new, independent orders of both sets."""
        self._order_a = self._order(len(self.images_a))
        self._order_b = self._order(len(self.images_b))

    def __len__(self):
        return math.ceil(self._epoch_length / self.batch_size)

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"Batch index {index} out of range [0, {len(self)}).")
        window = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.images_a[self._order_a[window]], self.images_b[self._order_b[window]]
