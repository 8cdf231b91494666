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
    "check_fraction",
    "check_image_size",
    "check_non_negative_int",
    "check_non_negative_number",
    "check_positive_int",
    "check_positive_number",
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
