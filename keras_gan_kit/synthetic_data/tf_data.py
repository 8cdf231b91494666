"""`to_tf_dataset`: NumPy `(x, y)` as a batched `tf.data.Dataset`."""

from __future__ import annotations

import numpy as np

from keras_gan_kit.utils.validation import check_positive_int, check_seed

__all__ = ["to_tf_dataset"]


def to_tf_dataset(x, y=None, batch_size: int = 32, shuffle: bool = False, seed=None):
    """Wraps arrays (e.g. from `synthesize` or `mix`) in a batched `tf.data.Dataset`.

    For input pipelines built with `tf.data` (TensorFlow backend, or any
    backend's `fit`, which accepts `tf.data` everywhere). This is the one
    place outside `keras_gan_kit.trainers` that imports TensorFlow, lazily,
    inside the call: the rest of the package never needs it.

    Args:
        x: array `(n, ...)`. Samples.
        y: array `(n, ...)` or None. Labels.
        batch_size: int. Batch size (the last batch may be smaller).
            Defaults to 32.
        shuffle: bool. Shuffle once, in NumPy with `seed`, before batching,
            so the order is reproducible and the same as NumPy indexing with
            `np.random.default_rng(seed).permutation(n)`. Defaults to False.
        seed: int or None. Seed of the shuffle. Defaults to None.

    Returns:
        `tf.data.Dataset` of `(x, y)` batches (or `x` batches without `y`).

    Raises:
        ImportError: TensorFlow is not installed.

    Example:

    ```python
    x, y = kgk.synthetic_data.mix((x_real, y_real), kgk.synthetic_data.synthesize(gan, 1000))
    dataset = kgk.synthetic_data.to_tf_dataset(x, y, batch_size=64).prefetch(2)
    classifier.fit(dataset, epochs=10)
    ```
    """
    check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed)
    try:
        import tensorflow as tf  # lazy: only this optional output needs TensorFlow
    except ImportError as e:
        raise ImportError(
            "to_tf_dataset() needs TensorFlow (pip install tensorflow-cpu). Without it, pass "
            "the NumPy arrays to fit() directly, or use MixedDataset (a "
            "keras.utils.PyDataset, on every backend)."
        ) from e
    x = np.asarray(x)
    if y is not None:
        y = np.asarray(y)
        if len(y) != len(x):
            raise ValueError(
                f"`x` and `y` must have the same length. Received: len(x)={len(x)}, len(y)={len(y)}"
            )
    if shuffle:
        order = np.random.default_rng(seed).permutation(len(x))
        x = x[order]
        y = None if y is None else y[order]
    tensors = x if y is None else (x, y)
    return tf.data.Dataset.from_tensor_slices(tensors).batch(batch_size)
