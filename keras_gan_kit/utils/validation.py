"""Argument checks shared by the whole package.

One home for input validation, in the spirit of keras'
`utils/argument_validation.py`. Every check names the argument it checks and
says what it received, e.g. `ValueError("`seed` must be an int or None.
Received: seed='a'")`, and returns the value in the form the caller needs.

This module sits at the bottom of the package: it imports nothing from
`keras_gan_kit`.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "check_bool",
    "check_conditional_gan",
    "check_data_format",
    "check_features",
    "check_finite_number",
    "check_fraction",
    "check_image_array",
    "check_image_size",
    "check_int",
    "check_labeled_pair",
    "check_labels",
    "check_non_negative_int",
    "check_non_negative_number",
    "check_positive_int",
    "check_positive_number",
    "check_same_feature_dim",
    "check_seed",
]


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def check_positive_int(value, arg: str) -> int:
    """Checks that `value` is an int >= 1.

    Args:
        value: the value to check.
        arg: str. The argument's name, used in the error message.

    Returns:
        `value` (a Python int).

    Raises:
        ValueError: if `value` is not an int >= 1 (bools are refused).
    """
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"`{arg}` must be a positive int. Received: {arg}={value!r}")
    return value


def check_non_negative_int(value, arg: str) -> int:
    """Checks that `value` is an int >= 0.

    Args:
        value: the value to check.
        arg: str. The argument's name, used in the error message.

    Returns:
        `value`.

    Raises:
        ValueError: if `value` is not an int >= 0 (bools are refused).
    """
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"`{arg}` must be an int >= 0. Received: {arg}={value!r}")
    return value


def check_non_negative_number(value, arg: str) -> float:
    """Checks that `value` is a number >= 0.

    Args:
        value: the value to check.
        arg: str. The argument's name, used in the error message.

    Returns:
        `float(value)`.

    Raises:
        ValueError: if `value` is not an int or float >= 0 (NaN and bools are
            refused).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"`{arg}` must be a number >= 0. Received: {arg}={value!r}")
    return float(value)


def check_positive_number(value, arg: str) -> float:
    """Checks that `value` is a number > 0.

    Args:
        value: the value to check.
        arg: str. The argument's name, used in the error message.

    Returns:
        `float(value)`.

    Raises:
        ValueError: if `value` is not an int or float > 0 (NaN and bools are
            refused).
    """
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
        raise ValueError(f"`{arg}` must be a positive number. Received: {arg}={value!r}")
    return float(value)


def check_finite_number(value, arg: str, minimum: float | None = None, strict: bool = False):
    """Checks that `value` is a finite number (not NaN or infinite), optionally bounded below.

    Args:
        value: the value to check.
        arg: str. The argument's name, used in the error message.
        minimum: float or None. Lower bound. Defaults to None (none).
        strict: bool. Whether `value` must exceed `minimum` rather than
            reach it. Defaults to False.

    Returns:
        `float(value)`.

    Raises:
        ValueError: if `value` is not an int or float, is NaN or infinite,
            or lies below (or, with `strict`, at) `minimum`.
    """
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, (int, float, np.integer, np.floating))
        or not np.isfinite(value)
        or (minimum is not None and (value <= minimum if strict else value < minimum))
    ):
        bound = "" if minimum is None else f" {'>' if strict else '>='} {minimum:g}"
        raise ValueError(f"`{arg}` must be a finite number{bound}. Received: {arg}={value!r}")
    return float(value)


def check_fraction(value, arg: str, low_open: bool = False, high_open: bool = False) -> float:
    """Checks that `value` is a number in `[0, 1]`.

    Args:
        value: the value to check (Python or NumPy int/float).
        arg: str. The argument's name, used in the error message.
        low_open: bool. Exclude 0 (the interval becomes `(0, 1]`).
            Defaults to False.
        high_open: bool. Exclude 1 (the interval becomes `[0, 1)`).
            Defaults to False.

    Returns:
        `float(value)`.

    Raises:
        ValueError: if `value` is not a number in the interval (NaN and bools
            are refused).
    """
    ok = _is_number(value)
    if ok:
        value = float(value)
        ok = (value > 0 if low_open else value >= 0) and (value < 1 if high_open else value <= 1)
    if not ok:
        low, high = ("(" if low_open else "["), (")" if high_open else "]")
        raise ValueError(f"`{arg}` must be a number in {low}0, 1{high}. Received: {arg}={value!r}")
    return value


def check_image_size(image_size) -> int:
    """Checks the `image_size` of a bundled network: a power of two >= 8.

    Args:
        image_size: the value to check.

    Returns:
        The number of 2x upsampling steps from a 4x4 map to `image_size`,
        `log2(image_size / 4)` (1 for 8, 2 for 16, 3 for 32, ...).

    Raises:
        ValueError: if `image_size` is not a Python int power of two >= 8.
    """
    if (
        not isinstance(image_size, int)
        or isinstance(image_size, bool)
        or image_size < 8
        or image_size & (image_size - 1)
    ):
        raise ValueError(
            "`image_size` must be a power of two >= 8 (8, 16, 32, 64, ...). "
            f"Received: image_size={image_size!r}"
        )
    return image_size.bit_length() - 3  # log2(image_size / 4)


def check_int(value, arg: str, minimum: int | None = None) -> int:
    """Checks that `value` is a Python or NumPy int, at least `minimum`.

    Unlike `check_positive_int`, NumPy integers are accepted (e.g. a count
    computed with NumPy).

    Args:
        value: the value to check.
        arg: str. The argument's name, used in the error message.
        minimum: int or None. The smallest value allowed. Defaults to None
            (no bound).

    Returns:
        `int(value)`.

    Raises:
        ValueError: if `value` is not an int (bools are refused) or is below
            `minimum`.
    """
    if not _is_int(value) or (minimum is not None and value < minimum):
        bound = "" if minimum is None else f" >= {minimum}"
        raise ValueError(f"`{arg}` must be an int{bound}. Received: {arg}={value!r}")
    return int(value)


def check_bool(value, arg: str) -> bool:
    """Checks a flag: exactly True or False (not 0, 1 or None).

    Args:
        value: the value to check.
        arg: str. The argument's name, used in the error message.

    Returns:
        `value`.

    Raises:
        ValueError: if `value` is not a bool.
    """
    if not isinstance(value, bool):
        raise ValueError(f"`{arg}` must be True or False. Received: {arg}={value!r}")
    return value


def check_data_format(data_format) -> str:
    """Checks an image layout argument, as Keras' image layers take it.

    Args:
        data_format: `"channels_last"`, `"channels_first"` or None (Keras'
            `keras.config.image_data_format()`).

    Returns:
        `"channels_last"` or `"channels_first"`.

    Raises:
        ValueError: for any other value.
    """
    if data_format is None:
        import keras  # only here: the rest of this module needs NumPy alone

        return keras.config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "`data_format` must be 'channels_last', 'channels_first' or None. Received: "
            f"data_format={data_format!r}"
        )
    return data_format


def check_seed(seed, arg: str = "seed") -> int | None:
    """Checks a random seed: an int (Python or NumPy) or None.

    Args:
        seed: the value to check.
        arg: str. The argument's name, used in the error message.
            Defaults to `"seed"`.

    Returns:
        `seed` as a Python int, or None.

    Raises:
        ValueError: if `seed` is neither an int nor None (bools are refused).
    """
    if seed is None:
        return None
    if not _is_int(seed):
        raise ValueError(f"`{arg}` must be an int or None. Received: {arg}={seed!r}")
    return int(seed)


def _to_numpy(x) -> np.ndarray:
    """A NumPy view of an array-like or a backend tensor (imports keras lazily)."""
    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, (list, tuple, int, float, np.generic)):
        return np.asarray(x)
    from keras import ops

    return np.asarray(ops.convert_to_numpy(x))


def check_labels(labels, num_classes: int | None, num_samples: int | None = None, arg="labels"):
    """Checks class labels and returns them as `int32` class ids `(n,)`.

    Accepts integer class ids `(n,)` or `(n, 1)` and one-hot (or score)
    rows `(n, num_classes)`, whose argmax is taken. Floats are accepted when
    they hold whole numbers. Backend tensors are converted to NumPy.

    Args:
        labels: array-like or tensor. The labels.
        num_classes: int or None. Number of classes: ids must lie in
            `[0, num_classes)`. None accepts any id >= 0 and one-hot rows of
            any width > 1.
        num_samples: int or None. Expected number of labels `n`.
            Defaults to None (any).
        arg: str. The argument's name, used in error messages.
            Defaults to `"labels"`.

    Returns:
        `int32` NumPy array `(n,)`.

    Raises:
        ValueError: if the labels have another shape, hold non-integers or
            ids outside the range, or their count is not `num_samples`.
    """
    labels = _to_numpy(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    elif (
        labels.ndim == 2
        and labels.shape[1] > 1
        and labels.shape[1] == (num_classes or labels.shape[1])
    ):
        labels = labels.argmax(axis=1)
    if labels.ndim != 1:
        width = "num_classes" if num_classes is None else num_classes
        raise ValueError(
            f"`{arg}` must have shape (n,) of integers or (n, {width}) one-hot. "
            f"Received: {arg}.shape={labels.shape}"
        )
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or np.any(labels != np.round(labels)):
            raise ValueError(f"`{arg}` must hold integer class ids. Received non-integers.")
    elif labels.dtype.kind not in "iu":
        raise ValueError(f"`{arg}` must hold integer class ids. Received dtype {labels.dtype}.")
    if (
        labels.size
        and num_classes is not None
        and (labels.min() < 0 or labels.max() >= num_classes)
    ):
        raise ValueError(
            f"`{arg}` must lie in [0, {num_classes}). Received values from "
            f"{labels.min()} to {labels.max()}."
        )
    if labels.size and num_classes is None and labels.min() < 0:
        raise ValueError(f"`{arg}` must hold class ids >= 0. Received: min {labels.min()}")
    if num_samples is not None and len(labels) != num_samples:
        raise ValueError(
            f"`{arg}` must have one label per sample: expected {num_samples}, received "
            f"{len(labels)}."
        )
    return labels.astype("int32")


def check_labeled_pair(data, arg: str, num_classes: int | None = None):
    """Checks a labelled set `(samples, labels)` of equal lengths.

    Args:
        data: tuple or list `(samples, labels)`; labels as in `check_labels`.
        arg: str. The argument's name, used in error messages.
        num_classes: int or None. Passed to `check_labels`. Defaults to None.

    Returns:
        Tuple `(samples, labels)`: the samples as a NumPy array with a batch
        axis, the labels as `int32` class ids `(n,)`.

    Raises:
        ValueError: if `data` is not a pair, the samples have no batch axis,
            or the labels fail `check_labels` (one per sample).
    """
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise ValueError(
            f"`{arg}` must be a pair (samples, labels). Received: {arg} of type "
            f"{type(data).__name__}"
        )
    x = _to_numpy(data[0])
    if x.ndim < 1:
        raise ValueError(f"`{arg}` samples must have a batch axis. Received shape {x.shape}")
    y = check_labels(data[1], num_classes, num_samples=len(x), arg=f"{arg}[1]")
    return x, y


def check_conditional_gan(gan, caller: str) -> int:
    """Checks that `gan` is a class-conditional GAN and returns its `num_classes`.

    Duck-typed: any object with `generate`, `latent_shape` and a
    `num_classes` that is not None passes.

    Args:
        gan: the object to check.
        caller: str. The function asking, e.g. `"synthesize()"`, used in the
            error message.

    Returns:
        `int(gan.num_classes)`.

    Raises:
        ValueError: if `gan` is not a GAN, or is an unconditional one.
    """
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


def check_image_array(images, arg: str, image_rank: int = 3, in_tanh_range: bool = True):
    """Checks a NumPy batch of float images before training; returns it as float32.

    Integers are refused (they would be trained as if in [-1, 1]); values must
    be finite and, when `in_tanh_range`, within [-1, 1] (with a 1e-3
    tolerance), the range of the tanh generators.

    Args:
        images: array-like. The batch, `(n, height, width, channels)` for
            `image_rank=3`.
        arg: str. The argument's name, used in error messages.
        image_rank: int. Rank of one image. Defaults to 3.
        in_tanh_range: bool. Require values in [-1, 1]. Defaults to True.

    Returns:
        `float32` NumPy array (not copied when already float32).

    Raises:
        ValueError: on another rank, a non-float dtype, an empty batch,
            NaN/inf values, or (with `in_tanh_range`) values outside [-1, 1].
    """
    images = np.asarray(images)
    if images.ndim != image_rank + 1:
        raise ValueError(
            f"`{arg}` must be a batch of images of shape (n, height, width, channels). "
            f"Received: {arg}.shape={images.shape}"
        )
    if images.dtype.kind != "f":
        raise ValueError(
            f"`{arg}` holds {images.dtype} values. Scale images to [-1, 1] floats first, "
            "e.g. x.astype('float32') / 127.5 - 1.0 for uint8 images."
        )
    if len(images) == 0:
        raise ValueError(f"`{arg}` is empty. Received: {arg}.shape={images.shape}")
    if not np.all(np.isfinite(images)):
        raise ValueError(f"`{arg}` contains NaN or inf values.")
    low, high = float(images.min()), float(images.max())
    if in_tanh_range and (low < -1.0 - 1e-3 or high > 1.0 + 1e-3):
        raise ValueError(
            f"`{arg}` spans [{low:g}, {high:g}]; images must lie in [-1, 1] (the range "
            "of the tanh generators). Scale them first, e.g. x / 127.5 - 1.0 for 0-255 "
            "images or x * 2 - 1 for [0, 1] images."
        )
    return images.astype("float32", copy=False)


def check_features(x, arg: str, min_samples: int = 2) -> np.ndarray:
    """Checks a feature array `(num_samples, num_features)` for the metrics.

    Args:
        x: array-like. The features.
        arg: str. The argument's name, used in error messages.
        min_samples: int. The fewest rows allowed. Defaults to 2 (a
            covariance needs two samples).

    Returns:
        A finite `float64` NumPy array `(n, d)`, `n >= min_samples`, `d >= 1`.

    Raises:
        ValueError: if `x` is not numeric, not 2-D, has too few rows or no
            columns, or holds NaN/inf.
    """
    try:
        array = np.asarray(x, dtype="float64")
    except (TypeError, ValueError) as e:
        raise ValueError(
            f"`{arg}` must be an array of shape (num_samples, num_features). "
            f"Received: {arg} of type {type(x).__name__}"
        ) from e
    if array.ndim != 2:
        raise ValueError(
            f"`{arg}` must be 2-D, (num_samples, num_features). Received: {arg}.shape={array.shape}"
        )
    if array.shape[0] < min_samples:
        raise ValueError(
            f"`{arg}` needs at least {min_samples} samples. Received: {arg}.shape={array.shape}"
        )
    if array.shape[1] < 1:
        raise ValueError(f"`{arg}` has no features. Received: {arg}.shape={array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"`{arg}` contains NaN or infinite values.")
    return array


def check_same_feature_dim(a: np.ndarray, b: np.ndarray, arg_a: str, arg_b: str) -> None:
    """Checks that two feature arrays have the same number of features (last axis).

    Args:
        a: array. The first features.
        b: array. The second features.
        arg_a: str. Name of `a`, used in the error message.
        arg_b: str. Name of `b`, used in the error message.

    Raises:
        ValueError: if the last dimensions differ.
    """
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"`{arg_a}` and `{arg_b}` must have the same feature dimension. Received: "
            f"{arg_a} with {a.shape[-1]} features, {arg_b} with {b.shape[-1]} features"
        )
