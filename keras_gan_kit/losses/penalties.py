"""Discriminator penalties that differentiate with respect to the inputs.

Each penalty takes the gradient of the discriminator's output with respect to
its input and penalises its norm. The discriminator's loss is then
differentiated again with respect to its weights ("double backprop"); the
input gradient comes from `keras_gan_kit.trainers.input_gradients`, which
supports this on TensorFlow, JAX and PyTorch.
"""

from __future__ import annotations

import math

import keras
from keras import ops

from keras_gan_kit import trainers
from keras_gan_kit.losses.registry import PENALTIES

__all__ = ["Penalty", "GradientPenalty", "R1Penalty", "R2Penalty"]


_Schedule = keras.optimizers.schedules.LearningRateSchedule


def _check_weight(weight, owner, arg):
    """A number >= 0 (as float) or a schedule (as is); raises ValueError otherwise."""
    if isinstance(weight, _Schedule):
        return weight
    if (
        not isinstance(weight, (int, float))
        or isinstance(weight, bool)
        or not math.isfinite(weight)
        or weight < 0
    ):
        raise ValueError(
            f"{owner}: `{arg}` must be a non-negative number or a "
            "keras.optimizers.schedules.LearningRateSchedule (e.g. "
            "keras_gan_kit.optimizers.CosineSchedule). "
            f"Received: {arg}={weight!r}"
        )
    return float(weight)


def _serialize(weight):
    """A float as is; a schedule as its Keras config."""
    if isinstance(weight, _Schedule):
        return keras.saving.serialize_keras_object(weight)
    return weight


def _squared_norm_per_sample(gradients):
    """`||g_i||^2` over all non-batch axes, as float32 `(batch,)`."""
    g = ops.cast(gradients, "float32")
    g = ops.reshape(g, (ops.shape(g)[0], -1))
    return ops.sum(ops.square(g), axis=1)


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class Penalty:
    """Base class of discriminator penalties.

    A penalty picks the points at which to evaluate the discriminator's input
    gradient (`penalty_points`) and turns that gradient into an unweighted
    scalar (`penalty_value`). `__call__` multiplies it by the weight at the
    current training step (`weight_at`: the number, or a schedule's value)
    and adds lazy regularization: with `interval=k` the penalty is computed
    only on every k-th discriminator step and multiplied by k, so its average
    strength is unchanged (Karras et al. 2020, "lazy regularization").

    A subclass becomes resolvable by name (`losses.get_penalty("r1")`,
    `GAN.compile(penalties=["r1"])`, `keras-gan-kit train --penalty r1`) with
    the class keywords `register_as="r1"` and optionally `aliases=(...)`; its
    `default_name` (the log key) is then that name unless the class sets its
    own. Its constructor's first argument is its strength (`weight`, `gamma`):
    `--penalty NAME:STRENGTH:INTERVAL` calls `cls(STRENGTH, interval=INTERVAL)`.

    Args:
        weight: float >= 0, or a `keras.optimizers.schedules.LearningRateSchedule`
            (e.g. `keras_gan_kit.optimizers.CosineSchedule`) evaluated on the
            model's training step (`PhaseContext.step`, the number of completed
            training steps; with `discriminator_steps=k` all k discriminator
            updates of a step share one value). Multiplier of the penalty.
        interval: int. Apply the penalty every `interval` discriminator steps.
            Defaults to 1 (every step).
        name: str. Key under which the penalty is logged. Defaults to the
            subclass's short name (`"gp"`, `"r1"`, `"r2"`).
    """

    default_name = "penalty"
    #: The constructor argument that sets `weight` (for error messages).
    weight_argument = "weight"

    def __init_subclass__(cls, register_as: str | None = None, aliases=(), **kwargs):
        super().__init_subclass__(**kwargs)
        if register_as is not None:
            PENALTIES.register(cls, register_as, aliases)
            if "default_name" not in cls.__dict__:
                cls.default_name = register_as
        elif aliases:
            raise ValueError(
                f"{cls.__name__}: `aliases` needs `register_as`, the penalty's main name. "
                f"Received: aliases={aliases!r}"
            )

    def __init__(self, weight, interval: int = 1, name: str | None = None):
        self.weight = _check_weight(weight, type(self).__name__, self.weight_argument)
        if not isinstance(interval, int) or isinstance(interval, bool) or interval < 1:
            raise ValueError(
                f"{type(self).__name__}: `interval` must be an integer >= 1. "
                f"Received: interval={interval!r}"
            )
        self.interval = interval
        self.name = name or self.default_name

    def weight_at(self, step):
        """The weight at a training step: the number, or the schedule's value.

        Args:
            step: int scalar tensor. The model's training step.

        Returns:
            A float32 scalar tensor.
        """
        if isinstance(self.weight, _Schedule):
            return ops.cast(self.weight(step), "float32")
        return ops.convert_to_tensor(self.weight, "float32")

    def check_loss(self, loss) -> None:
        """Raises `ValueError` if this penalty does not fit `loss`.

        Args:
            loss: `AdversarialLoss`. The loss the GAN is compiled with.
        """

    def penalty_points(self, real, fake, seed_generator):
        """Returns the inputs at which the discriminator gradient is taken.

        Args:
            real: Tensor `(batch, ...)`. The real batch.
            fake: Tensor `(batch, ...)`. Generated samples (no gradient to G).
            seed_generator: `keras.random.SeedGenerator` for any randomness.
        """
        raise NotImplementedError

    def penalty_value(self, discriminator_fn, points):
        """Returns the unweighted penalty (a float32 scalar) at `points`.

        `__call__` multiplies it by the weight (`weight_at(step)`).

        Args:
            discriminator_fn: Callable mapping inputs to logits.
            points: Tensor returned by `penalty_points`.
        """
        raise NotImplementedError

    def __call__(self, discriminator_fn, real, fake, seed_generator, step, training_step=None):
        """Computes the weighted penalty term for one discriminator step.

        Args:
            discriminator_fn: Callable mapping a batch to logits.
            real: Tensor `(batch, ...)`. The real batch.
            fake: Tensor `(batch, ...)`. Generated samples.
            seed_generator: `keras.random.SeedGenerator`.
            step: int scalar tensor. Index of this discriminator step (the
                counter of `interval`).
            training_step: int scalar tensor or None. The model's training
                step, at which a scheduled weight is evaluated. Defaults to
                `step`.

        Returns:
            `(term, applied)`: the float32 scalar to add to the discriminator
            loss (already scaled by `interval`; zero on skipped steps) and a
            float32 scalar, 1.0 on steps where the penalty was computed.
        """
        weight = self.weight_at(step if training_step is None else training_step)
        # Random draws stay outside the conditional (see KERAS3_NOTES.md).
        points = self.penalty_points(real, fake, seed_generator)
        if self.interval == 1:
            return weight * self.penalty_value(discriminator_fn, points), ops.ones((), "float32")
        applied = ops.equal(ops.mod(step, self.interval), 0)
        term = ops.cond(
            applied,
            lambda: float(self.interval) * weight * self.penalty_value(discriminator_fn, points),
            lambda: ops.zeros((), "float32"),
        )
        return term, ops.cast(applied, "float32")

    def get_config(self) -> dict:
        """Returns the penalty's constructor arguments."""
        return {"interval": self.interval, "name": self.name}

    @classmethod
    def from_config(cls, config: dict):
        """Creates a penalty from `get_config()`'s output (schedules deserialized)."""
        config = {
            key: keras.saving.deserialize_keras_object(value)
            if isinstance(value, dict) and "class_name" in value
            else value
            for key, value in config.items()
        }
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class GradientPenalty(Penalty, register_as="gp", aliases=("gradient_penalty",)):
    """WGAN-GP gradient penalty: `weight * E[(||grad D(x_hat)|| - 1)^2]`.

    `x_hat` is a random interpolation between a real and a generated sample,
    one uniform mixing coefficient per sample. Designed for the Wasserstein
    loss; also used with the other losses (Kurach et al. 2019). Logged as
    `gp`.

    Args:
        weight: float or `LearningRateSchedule`. The penalty coefficient
            lambda; a schedule is evaluated on the training step. Defaults to
            10.0.
        target: float. The target gradient norm. Defaults to 1.0.
        interval: int. Lazy regularization interval. Defaults to 1.
        name: str. Log key. Defaults to `"gp"`.

    References:
        Gulrajani et al., "Improved Training of Wasserstein GANs", NeurIPS 2017.

    Example:

    ```python
    gan.compile(loss="wasserstein", penalties=[GradientPenalty(weight=10.0)],
                discriminator_steps=5)
    ```
    """

    def __init__(
        self,
        weight: float = 10.0,
        target: float = 1.0,
        interval: int = 1,
        name: str | None = None,
    ):
        super().__init__(weight, interval=interval, name=name)
        self.target = float(target)

    def penalty_points(self, real, fake, seed_generator):
        real = ops.convert_to_tensor(real)
        batch = ops.shape(real)[0]
        alpha_shape = (batch,) + (1,) * (len(real.shape) - 1)
        alpha = keras.random.uniform(alpha_shape, seed=seed_generator, dtype=real.dtype)
        return alpha * real + (1.0 - alpha) * ops.cast(fake, real.dtype)

    def penalty_value(self, discriminator_fn, points):
        _, grads = trainers.input_gradients(discriminator_fn, points)
        norm = ops.sqrt(_squared_norm_per_sample(grads) + 1e-12)
        return ops.mean(ops.square(norm - self.target))

    def get_config(self) -> dict:
        return {"weight": _serialize(self.weight), "target": self.target, **super().get_config()}


class _ZeroCenteredPenalty(Penalty):
    """`gamma / 2 * E[||grad D(x)||^2]` at real (R1) or generated (R2) data."""

    on_real = True
    weight_argument = "gamma"

    def __init__(self, gamma=10.0, interval: int = 1, name: str | None = None):
        super().__init__(gamma, interval=interval, name=name)

    @property
    def gamma(self):
        """The regularization strength: a float or a schedule (the same as `weight`)."""
        return self.weight

    def check_loss(self, loss) -> None:
        if getattr(loss, "is_critic_loss", False):
            raise ValueError(
                f"{type(self).__name__} does not fit the loss {loss.name!r}: a "
                "zero-centred penalty at data points does not bound an unbounded "
                "Wasserstein critic. Received: penalties=[" + repr(self) + f"], "
                f"loss={loss.name!r}. Use GradientPenalty with the Wasserstein "
                "loss, or a non-saturating/hinge loss with this penalty."
            )

    def penalty_points(self, real, fake, seed_generator):
        return real if self.on_real else fake

    def penalty_value(self, discriminator_fn, points):
        _, grads = trainers.input_gradients(discriminator_fn, points)
        return 0.5 * ops.mean(_squared_norm_per_sample(grads))

    def get_config(self) -> dict:
        return {"gamma": _serialize(self.weight), **super().get_config()}


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class R1Penalty(_ZeroCenteredPenalty, register_as="r1"):
    """R1 regularization: `gamma / 2 * E_real[||grad D(x)||^2]`.

    The StyleGAN default (gamma depends on resolution and data set; StyleGAN2
    uses `interval=16` lazy regularization). Logged as `r1`. Not usable with
    the Wasserstein loss.

    Args:
        gamma: float or `LearningRateSchedule`. Regularization strength; a
            schedule (R3GAN anneals gamma along a cosine) is evaluated on the
            model's training step. Defaults to 10.0.
        interval: int. Lazy regularization interval. Defaults to 1.
        name: str. Log key. Defaults to `"r1"`.

    References:
        Mescheder et al., "Which Training Methods for GANs do actually
        Converge?", ICML 2018.

    Example:

    ```python
    gan.compile(loss="non_saturating", penalties=[R1Penalty(gamma=1.0, interval=16)])
    ```
    """

    on_real = True


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class R2Penalty(_ZeroCenteredPenalty, register_as="r2"):
    """R2 regularization: `gamma / 2 * E_fake[||grad D(x)||^2]`.

    The same penalty as R1 evaluated on generated samples (used together with
    R1 in R3GAN). Logged as `r2`. Not usable with the Wasserstein loss.

    Args:
        gamma: float or `LearningRateSchedule`. Regularization strength; a
            schedule (R3GAN anneals gamma along a cosine) is evaluated on the
            model's training step. Defaults to 10.0.
        interval: int. Lazy regularization interval. Defaults to 1.
        name: str. Log key. Defaults to `"r2"`.

    References:
        Mescheder et al., ICML 2018; Huang et al., "The GAN is dead; long live
        the GAN! A Modern GAN Baseline", NeurIPS 2024.

    Example:

    ```python
    gan.compile(penalties=[R1Penalty(gamma=1.0), R2Penalty(gamma=1.0)])
    # R3GAN (CIFAR-10): RpGAN + R1 + R2, gamma 0.05 -> 0.005 over 20M images at batch 512
    gamma = kgk.optimizers.CosineSchedule(0.05, 0.005, steps=20_000_000 // 512)
    gan.compile(loss="rpgan", penalties=[R1Penalty(gamma), R2Penalty(gamma)])
    ```
    """

    on_real = False
