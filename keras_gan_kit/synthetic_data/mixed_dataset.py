"""`MixedDataset`: real batches topped up with fresh GAN samples every epoch."""

from __future__ import annotations

import math
import threading

import keras
import numpy as np

from keras_gan_kit.synthetic_data.synthesis import class_counts, encode_labels, synthesize
from keras_gan_kit.utils.validation import (
    check_conditional_gan,
    check_fraction,
    check_labeled_pair,
    check_positive_int,
    check_seed,
)

__all__ = ["MixedDataset"]


class MixedDataset(keras.utils.PyDataset):
    """On-the-fly GAN data augmentation: each batch mixes real and freshly generated samples.

    (Called `keras_gan_kit.augmentation.AugmentedDataset` before the package
    became `synthetic_data`.)

    Every batch holds `num_real = batch_size - num_synthetic` real samples and
    `num_synthetic = round(batch_size * synthetic_fraction)` synthetic ones
    (real first, then synthetic). An epoch visits every real sample once
    (shuffled each epoch when `shuffle=True`), so it has
    `ceil(n_real / num_real)` batches; the last batch is smaller and keeps the
    same ratio, rounded. The synthetic samples of an epoch are generated with
    `synthesize` (class-balanced by default, `class_weights` and `filter` as
    there) when the epoch's first batch is asked for, and drawn afresh after
    every `on_epoch_end()`, which `fit()` calls: the classifier never sees
    the same synthetic sample twice.

    A `keras.utils.PyDataset`, so it works with `fit()` of any Keras model on
    every backend. Generation runs the GAN's generator in inference mode in
    the data pipeline, on the active backend.

    Args:
        gan: a class-conditional `keras_gan_kit.GAN`.
        x: array `(n, *gan.sample_shape)`. Real samples (cast to float32).
        y: array `(n,)` of class ids, or one-hot. Real labels.
        synthetic_fraction: float in [0, 1). Share of synthetic samples in
            each batch. Defaults to 0.5.
        batch_size: int. Samples per batch, real and synthetic together.
            Defaults to 32.
        class_weights: dict, sequence or None. Class frequencies of the
            synthetic samples (see `class_counts`). Defaults to None
            (balanced).
        filter: callable or None. Sample filter, e.g. a `ConfidenceFilter`
            (see `synthesize`). Defaults to None.
        one_hot: bool. Yield one-hot `float32` labels instead of `int32`
            ids. Defaults to False.
        shuffle: bool. Shuffle the real samples every epoch. Defaults to True.
        seed: int or None. Seeds the real order and the synthetic latents of
            every epoch (a seeded dataset yields the same sequence of epochs).
            Defaults to None.
        generator_batch_size: int. Batch size of the generator (and filter)
            calls. Defaults to 256.
        max_tries: int. Generation rounds allowed per epoch when filtering.
            Defaults to 10.
        **kwargs: `keras.utils.PyDataset` arguments (`workers`,
            `use_multiprocessing`, `max_queue_size`). Keep
            `use_multiprocessing=False`: the GAN lives in this process.

    Example:

    ```python
    dataset = kgk.synthetic_data.MixedDataset(
        gan, x_real, y_real, synthetic_fraction=0.5, batch_size=32, seed=0
    )
    classifier.fit(dataset, epochs=30)   # fresh synthetic digits every epoch
    ```

    References:
        Antoniou et al., "Data Augmentation Generative Adversarial Networks",
        2017.
    """

    def __init__(
        self,
        gan,
        x,
        y,
        synthetic_fraction: float = 0.5,
        batch_size: int = 32,
        class_weights=None,
        filter=None,  # noqa: A002
        one_hot: bool = False,
        shuffle: bool = True,
        seed=None,
        generator_batch_size: int = 256,
        max_tries: int = 10,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_classes = check_conditional_gan(gan, "MixedDataset")
        x, y = check_labeled_pair((x, y), "(x, y)", num_classes=self.num_classes)
        if tuple(x.shape[1:]) != tuple(gan.sample_shape):
            raise ValueError(
                f"The real samples must have the GAN's sample shape {tuple(gan.sample_shape)}. "
                f"Received: x.shape={x.shape}"
            )
        if len(x) == 0:
            raise ValueError("`x` holds no samples. Received: x.shape=" + str(x.shape))
        self.synthetic_fraction = check_fraction(
            synthetic_fraction, "synthetic_fraction", high_open=True
        )
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.num_synthetic = int(math.floor(batch_size * self.synthetic_fraction + 0.5))
        self.num_real = batch_size - self.num_synthetic
        if self.num_real < 1 or (self.synthetic_fraction > 0 and self.num_synthetic < 1):
            raise ValueError(
                f"batch_size={batch_size} is too small for synthetic_fraction="
                f"{synthetic_fraction}: a batch would hold {self.num_real} real and "
                f"{self.num_synthetic} synthetic samples. Received: batch_size={batch_size}"
            )
        check_positive_int(generator_batch_size, "generator_batch_size")
        check_positive_int(max_tries, "max_tries")
        seed = check_seed(seed)
        if filter is not None and not callable(filter):
            raise ValueError(
                "`filter` must be a callable filter(samples, labels) -> bool mask. Received: "
                f"filter of type {type(filter).__name__}"
            )
        if class_weights is not None:  # checked now rather than at the first batch
            class_counts(self.num_classes, num_samples=1, class_weights=class_weights)
        self.gan = gan
        self.x = x.astype("float32") if x.dtype.kind == "f" else x
        self.y = y
        self.class_weights = class_weights
        self.filter = filter
        self.one_hot = bool(one_hot)
        self.shuffle = bool(shuffle)
        self.seed = seed
        self.generator_batch_size = generator_batch_size
        self.max_tries = max_tries
        self.epoch = 0
        self._rng = np.random.default_rng(seed)
        self._lock = threading.Lock()
        self._state = None

    def __len__(self) -> int:
        return math.ceil(len(self.x) / self.num_real)

    def _synthetic_count(self, index: int) -> int:
        """Synthetic samples in batch `index` (the last one keeps the ratio, rounded)."""
        real = min(self.num_real, len(self.x) - index * self.num_real)
        if real == self.num_real:
            return self.num_synthetic
        return int(math.floor(real * self.num_synthetic / self.num_real + 0.5))

    def _epoch_state(self):
        """This epoch's real order and synthetic pool, made on first use."""
        with self._lock:
            if self._state is None:
                order = (
                    self._rng.permutation(len(self.x)) if self.shuffle else np.arange(len(self.x))
                )
                total = sum(self._synthetic_count(i) for i in range(len(self)))
                if total:
                    x_syn, y_syn = synthesize(
                        self.gan,
                        num_samples=total,
                        class_weights=self.class_weights,
                        filter=self.filter,
                        batch_size=self.generator_batch_size,
                        seed=int(self._rng.integers(2**31 - 1)),
                        max_tries=self.max_tries,
                    )
                else:
                    x_syn = np.zeros((0,) + self.x.shape[1:], "float32")
                    y_syn = np.zeros((0,), "int32")
                starts = np.concatenate(
                    [[0], np.cumsum([self._synthetic_count(i) for i in range(len(self))])]
                )
                self._state = (order, x_syn, y_syn, starts)
            return self._state

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(f"Batch index {index} out of range for {len(self)} batches.")
        order, x_syn, y_syn, starts = self._epoch_state()
        real = order[index * self.num_real : (index + 1) * self.num_real]
        synthetic = slice(starts[index], starts[index + 1])
        x = np.concatenate([self.x[real], x_syn[synthetic]], axis=0)
        y = np.concatenate([self.y[real], y_syn[synthetic]], axis=0)
        return x, encode_labels(y, self.one_hot, self.num_classes)

    def on_epoch_end(self):
        """Discards this epoch's synthetic samples and order; the next epoch draws new ones."""
        with self._lock:
            self._state = None
            self.epoch += 1
