"""Normalization choices shared by the building blocks (internal helper)."""

from __future__ import annotations

import keras

from keras_gan_kit.layers.spectral_normalization import SpectralNormalization

NORMALIZATIONS = ("batch", "layer", "none")


def check_normalization(normalization, arg="normalization"):
    """Validates a normalization name; returns it normalized."""
    value = "none" if normalization is None else str(normalization).lower()
    if value not in NORMALIZATIONS:
        raise ValueError(
            f"Unknown normalization. Received: {arg}={normalization!r}. Expected one of "
            f"{list(NORMALIZATIONS)}."
        )
    return value


def make_normalization(normalization, name=None):
    """A normalization layer for `normalization`, or None for `"none"`."""
    if normalization == "batch":
        return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)
    if normalization == "layer":
        return keras.layers.GroupNormalization(groups=1, epsilon=1e-5, name=name)
    return None


def maybe_spectral(layer, spectral_norm):
    """Wraps `layer` in `SpectralNormalization` when asked."""
    return SpectralNormalization(layer) if spectral_norm else layer
