"""Generator regularizers: loss terms on the generator alone, with their own interval."""

from __future__ import annotations

import math

import keras
from keras import ops

from keras_gan_kit import trainers
from keras_gan_kit.utils.validation import (
    check_fraction,
    check_non_negative_number,
    check_positive_int,
)

__all__ = ["GeneratorRegularizer", "PathLengthRegularizer"]


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class GeneratorRegularizer(keras.layers.Layer):
    """Base class of generator regularizers.

    A model family compiled with `generator_regularizers=[...]` (see
    `keras_gan_kit.models.AdversarialModel`) runs each regularizer as an
    update phase of its own after the adversarial phases, on the generator
    optimizer, every `interval` training steps. The phase minimises
    `interval * weight * regularization(...)`, so the average strength does
    not depend on the interval (StyleGAN2's lazy regularization; the paper
    also rescales Adam's learning rate and betas by
    `interval / (interval + 1)`, which you may do on the optimizer you pass).
    The weighted value (`weight * regularization`) is logged under `name`.

    A regularizer is a `keras.layers.Layer` so that its state (such as the
    path length regularizer's running mean) is tracked by the model: threaded
    through JAX's pure step and saved in `.keras` files.

    Subclasses implement `regularization(generator_fn, inputs, seed_generator)`.

    Args:
        weight: float. Multiplier of the regularization (>= 0).
        interval: int. Apply it every `interval` training steps (>= 1).
            Defaults to 1.
        name: str. Log key. Defaults to the subclass's `default_name`.
        **kwargs: `keras.layers.Layer` arguments.
    """

    default_name = "generator_regularizer"

    def __init__(self, weight: float, interval: int = 1, name: str | None = None, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(name=name or self.default_name, **kwargs)
        self.weight = check_non_negative_number(weight, "weight")
        self.interval = check_positive_int(interval, "interval")

    def regularization(self, generator_fn, inputs, seed_generator):
        """Returns the unweighted regularization, a float32 scalar.

        Args:
            generator_fn: Callable. Runs the generator in training mode on
                `inputs` (other inputs, such as labels, are bound).
            inputs: Tensor `(batch, ...)`. The generator input to
                differentiate with respect to (latents, or images).
            seed_generator: `keras.random.SeedGenerator` for any randomness.
        """
        raise NotImplementedError

    def get_config(self):
        """Returns the constructor arguments."""
        config = super().get_config()
        config.update({"weight": self.weight, "interval": self.interval})
        return config


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class PathLengthRegularizer(GeneratorRegularizer):
    """StyleGAN2's path length regularization, with respect to the generator input.

    For image-space noise `y ~ N(0, I) / sqrt(H * W)` the Jacobian-vector
    product `J^T y` of the generator at its input is pulled back with
    `keras_gan_kit.trainers.vjp` (differentiable, so the generator is trained
    through it), and the regularization is
    `mean((||J^T y|| - a)^2)`, where `a` is a running mean of the lengths
    (`a <- a + decay * (mean ||J^T y|| - a)`, updated before use, as in the
    reference code). It favours a generator whose output changes by a fixed
    amount per unit step in its input, in every direction.

    StyleGAN2 differentiates with respect to its intermediate latents `w`;
    networks without a mapping network (DCGAN, ...) have no `w`, so this
    regularizer uses the input latents `z` (for image-to-image generators,
    the input image). The reference also evaluates it on half the batch
    (`pl_batch_shrink=2`); here `batch_shrink` does the same.

    Logged as `pl` (weighted). The running mean is the variable `pl_mean`,
    saved with the model.

    Args:
        weight: float. StyleGAN2's `pl_weight`. Defaults to 2.0.
        interval: int. StyleGAN2's `G_reg_interval`. Defaults to 4.
        decay: float in (0, 1]. Rate of the running mean. Defaults to 0.01.
        batch_shrink: int. Evaluate on `batch // batch_shrink` samples (at
            least one). Defaults to 1 (the whole batch).
        name: str. Log key. Defaults to `"pl"`.
        **kwargs: `keras.layers.Layer` arguments.

    Example:

    ```python
    gan.compile(generator_regularizers=[kgk.losses.PathLengthRegularizer()])
    ```

    References:
        Karras et al., "Analyzing and Improving the Image Quality of
        StyleGAN", CVPR 2020, section 3.2.
    """

    default_name = "pl"

    def __init__(
        self,
        weight: float = 2.0,
        interval: int = 4,
        decay: float = 0.01,
        batch_shrink: int = 1,
        name: str | None = None,
        **kwargs,
    ):
        super().__init__(weight=weight, interval=interval, name=name, **kwargs)
        self.decay = check_fraction(decay, "decay", low_open=True)
        self.batch_shrink = check_positive_int(batch_shrink, "batch_shrink")
        self.pl_mean = self.add_weight(
            shape=(), initializer="zeros", trainable=False, name="pl_mean", dtype="float32"
        )
        self.built = True

    def regularization(self, generator_fn, inputs, seed_generator):
        """`mean((||J^T y|| - pl_mean)^2)`; updates `pl_mean` (see the class docstring)."""
        if self.batch_shrink > 1:
            batch = inputs.shape[0]  # static under JAX's jit, which needs static slices
            if batch is not None:
                size = max(int(batch) // self.batch_shrink, 1)
            else:
                size = ops.maximum(ops.shape(inputs)[0] // self.batch_shrink, 1)
            inputs = inputs[:size]
        outputs, pullback = trainers.vjp(generator_fn, inputs)
        shape = tuple(outputs.shape[1:])
        pixels = math.prod(shape[:-1]) if len(shape) >= 2 else 1
        noise = keras.random.normal(ops.shape(outputs), seed=seed_generator) / math.sqrt(pixels)
        grads = ops.cast(pullback(ops.cast(noise, outputs.dtype)), "float32")
        grads = ops.reshape(grads, (ops.shape(grads)[0], -1))
        lengths = ops.sqrt(ops.sum(ops.square(grads), axis=1))
        pl_mean = ops.stop_gradient(
            self.pl_mean + self.decay * (ops.mean(ops.stop_gradient(lengths)) - self.pl_mean)
        )
        self.pl_mean.assign(pl_mean)
        return ops.mean(ops.square(lengths - pl_mean))

    def get_config(self):
        """Returns the constructor arguments."""
        config = super().get_config()
        config.update({"decay": self.decay, "batch_shrink": self.batch_shrink})
        return config
