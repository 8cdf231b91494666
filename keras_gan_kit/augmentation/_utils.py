"""Checks shared by the augmentation helpers (internal)."""

from __future__ import annotations

import numpy as np
from keras import ops


def check_conditional(gan, caller: str) -> int:
    """Returns `gan.num_classes`, or raises if `gan` is not a class-conditional GAN."""
    num_classes = getattr(gan, "num_classes", None)
    if not hasattr(gan, "generate") or not hasattr(gan, "latent_shape"):
        raise ValueError(
            f"{caller} needs a keras_gan_kit.GAN. Received: gan of type {type(gan).__name__}"
        )
    if num_classes is None:
        raise ValueError(
            f"{caller} needs a class-conditional GAN (built with num_classes=...), to know "
            "which class each synthetic sample belongs to. Received: a GAN with "
            "num_classes=None"
        )
    return int(num_classes)


def check_fraction(value, arg: str, low_open: bool = False, high_open: bool = False) -> float:
    """Returns `float(value)` if it lies in [0, 1] (ends open as asked), else raises."""
    ok = isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
    if ok:
        value = float(value)
        ok = (value > 0 if low_open else value >= 0) and (value < 1 if high_open else value <= 1)
    if not ok:
        low, high = ("(" if low_open else "["), (")" if high_open else "]")
        raise ValueError(f"`{arg}` must be a number in {low}0, 1{high}. Received: {arg}={value!r}")
    return value


def check_seed(seed) -> None:
    if seed is not None and (not isinstance(seed, (int, np.integer)) or isinstance(seed, bool)):
        raise ValueError(f"`seed` must be an int or None. Received: seed={seed!r}")


def as_int_labels(labels, arg: str, num_samples: int | None = None) -> np.ndarray:
    """Integer labels `(n,)` from ints `(n,)`/`(n, 1)` or one-hot `(n, k)`."""
    labels = np.asarray(ops.convert_to_numpy(labels))
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    elif labels.ndim == 2 and labels.shape[1] > 1:
        labels = labels.argmax(axis=1)
    if labels.ndim != 1:
        raise ValueError(
            f"`{arg}` must have shape (n,) of integer class ids or (n, num_classes) one-hot. "
            f"Received: {arg}.shape={labels.shape}"
        )
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
            raise ValueError(f"`{arg}` must hold integer class ids. Received non-integers.")
    elif labels.dtype.kind not in "iu":
        raise ValueError(f"`{arg}` must hold integer class ids. Received dtype {labels.dtype}.")
    if labels.size and labels.min() < 0:
        raise ValueError(f"`{arg}` must hold class ids >= 0. Received: min {labels.min()}")
    if num_samples is not None and len(labels) != num_samples:
        raise ValueError(
            f"`{arg}` must have one label per sample: expected {num_samples}, received "
            f"{len(labels)}."
        )
    return labels.astype("int32")


def as_pair(data, arg: str):
    """`(samples, int labels)` from a `(x, y)` pair, checked for equal lengths."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError(
            f"`{arg}` must be a pair (samples, labels). Received: {arg} of type "
            f"{type(data).__name__}"
        )
    x = np.asarray(ops.convert_to_numpy(data[0]))
    if x.ndim < 1:
        raise ValueError(f"`{arg}` samples must have a batch axis. Received shape {x.shape}")
    y = as_int_labels(data[1], f"{arg}[1]", num_samples=len(x))
    return x, y


def encode_labels(labels: np.ndarray, one_hot: bool, num_classes: int) -> np.ndarray:
    """`int32` labels, or `float32` one-hot `(n, num_classes)`."""
    if not one_hot:
        return labels.astype("int32")
    return np.eye(num_classes, dtype="float32")[labels]


def predict_scores(model, samples, batch_size: int) -> np.ndarray:
    """Scores of `model` on `samples`, in inference mode, batch by batch (float64)."""
    import keras

    outputs = []
    for i in range(0, len(samples), batch_size):
        batch = samples[i : i + batch_size]
        if isinstance(model, keras.layers.Layer):
            scores = model(batch, training=False)
        else:
            scores = model(batch)
        outputs.append(np.asarray(ops.convert_to_numpy(scores), dtype="float64"))
    return np.concatenate(outputs, axis=0)
