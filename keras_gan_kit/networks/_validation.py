"""Argument checks shared by the bundled networks (internal)."""

from __future__ import annotations


def check_image_size(image_size):
    """A power of two >= 8; returns the number of 2x steps from 4x4."""
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
