"""`ConditionalBatchNormalization`: batch norm with per-class scale and shift."""

from __future__ import annotations

import keras
from keras import ops

from keras_gan_kit.utils.validation import (
    check_fraction,
    check_positive_int,
    check_positive_number,
)

__all__ = ["ConditionalBatchNormalization"]


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class ConditionalBatchNormalization(keras.layers.Layer):
    """Class-conditional batch norm: `gamma[y] * BN(x) + beta[y]`.

    Called as `layer([x, labels])` with `x` channels-last and `labels` integer
    class ids of shape `(batch,)` (or `(batch, 1)`). `x` is batch-normalized
    without an affine transform of its own (over every axis but the last),
    then each sample is scaled and shifted by its class's rows of two
    `(num_classes, channels)` embeddings, `gamma` (initialized to 1) and
    `beta` (initialized to 0), as in SNGAN's and BigGAN's class-conditional
    generators.

    In training mode (`training=True` and the layer trainable) the batch
    mean and biased variance are used and the moving statistics updated,
    `moving = momentum * moving + (1 - momentum) * batch` (Keras'
    `BatchNormalization` convention: `momentum=0.9` is PyTorch's 0.1). In
    inference the moving statistics are used. Statistics are computed in
    float32 under mixed precision.

    Args:
        num_classes: int. Number of classes (rows of `gamma` and `beta`).
        momentum: float. Moving-average momentum, in [0, 1). Defaults to 0.9.
        epsilon: float. Added to the variance. Defaults to 1e-5.
        **kwargs: standard layer arguments (`name`, `dtype`).

    Example:

    ```python
    features = keras.Input((8, 8, 256))
    labels = keras.Input((), dtype="int32")
    y = ConditionalBatchNormalization(num_classes=10)([features, labels])
    ```

    References:
        de Vries et al., "Modulating early visual processing by language",
        NeurIPS 2017.
        Miyato & Koyama, "cGANs with Projection Discriminator", ICLR 2018.
        Brock et al., "Large Scale GAN Training for High Fidelity Natural
        Image Synthesis", ICLR 2019.
    """

    def __init__(self, num_classes: int, momentum: float = 0.9, epsilon: float = 1e-5, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = check_positive_int(num_classes, "num_classes")
        self.momentum = check_fraction(momentum, "momentum", high_open=True)
        self.epsilon = check_positive_number(epsilon, "epsilon")

    def _split(self, shapes):
        if (
            not isinstance(shapes, (list, tuple))
            or len(shapes) != 2
            or any(s is None or isinstance(s, int) for s in shapes)
        ):
            raise ValueError(
                f"ConditionalBatchNormalization is called on `[x, labels]`. Received: {shapes!r}"
            )
        return shapes[0], shapes[1]

    def build(self, input_shape):
        x_shape, _ = self._split(input_shape)
        channels = x_shape[-1]
        if channels is None or len(x_shape) < 2:
            raise ValueError(
                "ConditionalBatchNormalization needs `x` of shape (batch, ..., channels) with a "
                f"known channel count. Received: x shape={tuple(x_shape)}"
            )
        self.gamma = self.add_weight(
            shape=(self.num_classes, channels), initializer="ones", name="gamma", autocast=False
        )
        self.beta = self.add_weight(
            shape=(self.num_classes, channels), initializer="zeros", name="beta", autocast=False
        )
        self.moving_mean = self.add_weight(
            shape=(channels,),
            initializer="zeros",
            trainable=False,
            name="moving_mean",
            autocast=False,
        )
        self.moving_variance = self.add_weight(
            shape=(channels,),
            initializer="ones",
            trainable=False,
            name="moving_variance",
            autocast=False,
        )
        self.built = True

    def call(self, inputs, training=None):
        x, labels = self._split(inputs)
        rank = len(x.shape)
        x = ops.cast(x, "float32")
        if training and self.trainable:
            mean, variance = ops.moments(x, axes=tuple(range(rank - 1)))
            m = self.momentum
            moving_mean = ops.cast(self.moving_mean, "float32")
            moving_variance = ops.cast(self.moving_variance, "float32")
            self.moving_mean.assign(m * moving_mean + (1 - m) * ops.stop_gradient(mean))
            self.moving_variance.assign(m * moving_variance + (1 - m) * ops.stop_gradient(variance))
        else:
            mean = ops.cast(self.moving_mean, "float32")
            variance = ops.cast(self.moving_variance, "float32")
        y = (x - mean) * ops.rsqrt(variance + self.epsilon)
        labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
        broadcast = (-1,) + (1,) * (rank - 2) + (int(x.shape[-1]),)
        gamma = ops.reshape(ops.take(ops.cast(self.gamma, "float32"), labels, axis=0), broadcast)
        beta = ops.reshape(ops.take(ops.cast(self.beta, "float32"), labels, axis=0), broadcast)
        return ops.cast(gamma * y + beta, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        x_shape, _ = self._split(input_shape)
        return x_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {"num_classes": self.num_classes, "momentum": self.momentum, "epsilon": self.epsilon}
        )
        return config
