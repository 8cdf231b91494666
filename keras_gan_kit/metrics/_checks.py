"""Input checks shared by the metrics (internal)."""

from __future__ import annotations

import numpy as np


def as_features(x, arg: str, min_samples: int = 2) -> np.ndarray:
    """Returns `x` as a finite float64 array `(n, d)` with `n >= min_samples`."""
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


def check_same_dim(a: np.ndarray, b: np.ndarray, arg_a: str, arg_b: str) -> None:
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"`{arg_a}` and `{arg_b}` must have the same feature dimension. Received: "
            f"{arg_a} with {a.shape[-1]} features, {arg_b} with {b.shape[-1]} features"
        )


def check_int(value, arg: str, minimum: int = 1) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"`{arg}` must be an int >= {minimum}. Received: {arg}={value!r}")
    return int(value)
