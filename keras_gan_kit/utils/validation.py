"""Argument checks that name the argument and what was received (internal)."""

from __future__ import annotations


def check_positive_int(value, arg: str):
    """Returns `value` if it is an int >= 1, else raises `ValueError`."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"`{arg}` must be a positive int. Received: {arg}={value!r}")
    return value


def check_non_negative_int(value, arg: str) -> int:
    """Returns `value` if it is an int >= 0, else raises `ValueError`."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"`{arg}` must be an int >= 0. Received: {arg}={value!r}")
    return value


def check_non_negative_number(value, arg: str) -> float:
    """Returns `float(value)` if it is a number >= 0, else raises `ValueError`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"`{arg}` must be a number >= 0. Received: {arg}={value!r}")
    return float(value)


def check_positive_number(value, arg: str) -> float:
    """Returns `float(value)` if it is a number > 0, else raises `ValueError`."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
        raise ValueError(f"`{arg}` must be a positive number. Received: {arg}={value!r}")
    return float(value)
