"""`InstanceNormalization`: per-sample, per-channel normalization over space."""

from __future__ import annotations

import keras
from keras import ops

from keras_gan_kit.utils.validation import check_positive_number

__all__ = ["InstanceNormalization"]


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class InstanceNormalization(keras.layers.Layer):
    """Normalizes each sample's channels over their spatial axes.

    For channels-last inputs `(batch, *spatial, channels)`, each
    `(sample, channel)` slice is shifted to mean 0 and scaled to variance 1
    over the spatial axes (biased variance, as `torch.nn.InstanceNorm2d`), then
    optionally scaled by `gamma` and shifted by `beta` (one per channel). No
    running statistics: training and inference compute the same thing.
    Statistics are computed in float32 under mixed precision.

    The pix2pix/CycleGAN reference code uses the non-affine form
    (`center=False, scale=False`); that is what the networks here build for
    `normalization="instance"`. The layer defaults to the affine form, like
    Keras' other normalization layers (Ulyanov et al. describe both; with
    `gamma=1, beta=0` at initialization they start out identical).

    Args:
        epsilon: float. Added to the variance. Defaults to 1e-5.
        center: bool. Learn a per-channel offset `beta` (initialized to 0).
            Defaults to True.
        scale: bool. Learn a per-channel scale `gamma` (initialized to 1).
            Defaults to True.
        **kwargs: standard layer arguments (`name`, `dtype`).

    Example:

    ```python
    x = keras.random.normal((2, 64, 64, 32))
    y = InstanceNormalization(center=False, scale=False)(x)
    # y[i, :, :, c] has mean ~0 and variance ~1 for every i, c
    ```

    References:
        Ulyanov et al., "Instance Normalization: The Missing Ingredient for
        Fast Stylization", arXiv:1607.08022, 2016.
    """

    def __init__(self, epsilon: float = 1e-5, center: bool = True, scale: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = check_positive_number(epsilon, "epsilon")
        self.center = bool(center)
        self.scale = bool(scale)
        self.supports_masking = True

    def build(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(
                "InstanceNormalization needs inputs of shape (batch, *spatial, channels) with "
                f"at least one spatial axis. Received: input_shape={tuple(input_shape)}"
            )
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                "InstanceNormalization needs a known channel count. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        self.gamma = (
            self.add_weight(shape=(channels,), initializer="ones", name="gamma", autocast=False)
            if self.scale
            else None
        )
        self.beta = (
            self.add_weight(shape=(channels,), initializer="zeros", name="beta", autocast=False)
            if self.center
            else None
        )
        self.built = True

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        axes = tuple(range(1, len(inputs.shape) - 1))
        mean, variance = ops.moments(x, axes=axes, keepdims=True)
        y = (x - mean) * ops.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            y = y * ops.cast(self.gamma, "float32")
        if self.beta is not None:
            y = y + ops.cast(self.beta, "float32")
        return ops.cast(y, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"epsilon": self.epsilon, "center": self.center, "scale": self.scale})
        return config
