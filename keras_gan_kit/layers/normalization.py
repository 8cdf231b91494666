"""Normalization choices shared by the building blocks (internal helper)."""

from __future__ import annotations

import keras

from keras_gan_kit.layers.instance_normalization import InstanceNormalization
from keras_gan_kit.layers.spectral_normalization import SpectralNormalization

NORMALIZATIONS = ("batch", "layer", "instance", "none")

# What the DCGAN networks and their blocks (`DownsampleBlock`, `UpsampleBlock`)
# accept: `check_normalization`'s default, unchanged since before "instance".
DCGAN_NORMALIZATIONS = ("batch", "layer", "none")


def check_normalization(normalization, arg="normalization", choices=DCGAN_NORMALIZATIONS):
    """Validates a normalization name against `choices`; returns it normalized."""
    value = "none" if normalization is None else str(normalization).lower()
    if value not in choices:
        raise ValueError(
            f"Unknown normalization. Received: {arg}={normalization!r}. Expected one of "
            f"{list(choices)}."
        )
    return value


def make_normalization(normalization, name=None, dtype=None):
    """A normalization layer for `normalization`, or None for `"none"`.

    `"instance"` is `InstanceNormalization(center=False, scale=False)`: the
    non-affine instance norm of the pix2pix/CycleGAN reference code.
    """
    if normalization == "batch":
        return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name, dtype=dtype)
    if normalization == "layer":
        return keras.layers.GroupNormalization(groups=1, epsilon=1e-5, name=name, dtype=dtype)
    if normalization == "instance":
        return InstanceNormalization(
            epsilon=1e-5, center=False, scale=False, name=name, dtype=dtype
        )
    return None


def maybe_spectral(layer, spectral_norm, dtype=None):
    """Wraps `layer` in `SpectralNormalization` (with dtype policy `dtype`) when asked."""
    return SpectralNormalization(layer, dtype=dtype) if spectral_norm else layer
