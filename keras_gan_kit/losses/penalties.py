"""Discriminator penalties that differentiate with respect to the inputs.

Each penalty takes the gradient of the discriminator's output with respect to
its input and penalises its norm. The discriminator's loss is then
differentiated again with respect to its weights ("double backprop"); the
input gradient comes from `keras_gan_kit.trainers.input_gradients`, which
supports this on TensorFlow, JAX and PyTorch.
"""

from __future__ import annotations

import keras
from keras import ops

from keras_gan_kit import trainers
from keras_gan_kit.losses.registry import PENALTIES

__all__ = ["Penalty", "GradientPenalty", "R1Penalty", "R2Penalty"]


def _squared_norm_per_sample(gradients):
    """`||g_i||^2` over all non-batch axes, as float32 `(batch,)`."""
    g = ops.cast(gradients, "float32")
    g = ops.reshape(g, (ops.shape(g)[0], -1))
    return ops.sum(ops.square(g), axis=1)


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class Penalty:
    """Base class of discriminator penalties.

    A penalty picks the points at which to evaluate the discriminator's input
    gradient (`penalty_points`) and turns that gradient into a scalar
    (`penalty_value`). `__call__` adds lazy regularization: with `interval=k`
    the penalty is computed only on every k-th discriminator step and
    multiplied by k, so its average strength is unchanged (Karras et al.
    2020, "lazy regularization").

    A subclass becomes resolvable by name (`losses.get_penalty("r1")`,
    `GAN.compile(penalties=["r1"])`, `keras-gan-kit train --penalty r1`) with
    the class keywords `register_as="r1"` and optionally `aliases=(...)`; its
    `default_name` (the log key) is then that name unless the class sets its
    own. Its constructor's first argument is its strength (`weight`, `gamma`):
    `--penalty NAME:STRENGTH:INTERVAL` calls `cls(STRENGTH, interval=INTERVAL)`.

    Args:
        weight: float. Multiplier of the penalty.
        interval: int. Apply the penalty every `interval` discriminator steps.
            Defaults to 1 (every step).
        name: str. Key under which the penalty is logged. Defaults to the
            subclass's short name (`"gp"`, `"r1"`, `"r2"`).
    """

    default_name = "penalty"

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

    def __init__(self, weight: float, interval: int = 1, name: str | None = None):
        if not isinstance(weight, (int, float)) or isinstance(weight, bool) or weight < 0:
            raise ValueError(
                f"{type(self).__name__}: the weight must be a non-negative number. "
                f"Received: weight={weight!r}"
            )
        if not isinstance(interval, int) or isinstance(interval, bool) or interval < 1:
            raise ValueError(
                f"{type(self).__name__}: `interval` must be an integer >= 1. "
                f"Received: interval={interval!r}"
            )
        self.weight = float(weight)
        self.interval = interval
        self.name = name or self.default_name

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
        """Returns the weighted penalty (a float32 scalar) at `points`.

        Args:
            discriminator_fn: Callable mapping inputs to logits.
            points: Tensor returned by `penalty_points`.
        """
        raise NotImplementedError

    def __call__(self, discriminator_fn, real, fake, seed_generator, step):
        """Computes the penalty term for one discriminator step.

        Args:
            discriminator_fn: Callable mapping a batch to logits.
            real: Tensor `(batch, ...)`. The real batch.
            fake: Tensor `(batch, ...)`. Generated samples.
            seed_generator: `keras.random.SeedGenerator`.
            step: int scalar tensor. Index of this discriminator step.

        Returns:
            `(term, applied)`: the float32 scalar to add to the discriminator
            loss (already scaled by `interval`; zero on skipped steps) and a
            float32 scalar, 1.0 on steps where the penalty was computed.
        """
        # Random draws stay outside the conditional (see KERAS3_NOTES.md).
        points = self.penalty_points(real, fake, seed_generator)
        if self.interval == 1:
            return self.penalty_value(discriminator_fn, points), ops.ones((), "float32")
        applied = ops.equal(ops.mod(step, self.interval), 0)
        term = ops.cond(
            applied,
            lambda: float(self.interval) * self.penalty_value(discriminator_fn, points),
            lambda: ops.zeros((), "float32"),
        )
        return term, ops.cast(applied, "float32")

    def get_config(self) -> dict:
        """Returns the penalty's constructor arguments."""
        return {"interval": self.interval, "name": self.name}

    @classmethod
    def from_config(cls, config: dict):
        """Creates a penalty from `get_config()`'s output."""
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
        weight: float. The penalty coefficient lambda. Defaults to 10.0.
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
        return self.weight * ops.mean(ops.square(norm - self.target))

    def get_config(self) -> dict:
        return {"weight": self.weight, "target": self.target, **super().get_config()}


class _ZeroCenteredPenalty(Penalty):
    """`gamma / 2 * E[||grad D(x)||^2]` at real (R1) or generated (R2) data."""

    on_real = True

    def __init__(self, gamma: float = 10.0, interval: int = 1, name: str | None = None):
        super().__init__(gamma, interval=interval, name=name)
        self.gamma = float(gamma)

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
        return 0.5 * self.gamma * ops.mean(_squared_norm_per_sample(grads))

    def get_config(self) -> dict:
        return {"gamma": self.gamma, **super().get_config()}


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class R1Penalty(_ZeroCenteredPenalty, register_as="r1"):
    """R1 regularization: `gamma / 2 * E_real[||grad D(x)||^2]`.

    The StyleGAN default (gamma depends on resolution and data set; StyleGAN2
    uses `interval=16` lazy regularization). Logged as `r1`. Not usable with
    the Wasserstein loss.

    Args:
        gamma: float. Regularization strength. Defaults to 10.0.
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
        gamma: float. Regularization strength. Defaults to 10.0.
        interval: int. Lazy regularization interval. Defaults to 1.
        name: str. Log key. Defaults to `"r2"`.

    References:
        Mescheder et al., ICML 2018; Huang et al., "The GAN is dead; long live
        the GAN! A Modern GAN Baseline", NeurIPS 2024.

    Example:

    ```python
    gan.compile(penalties=[R1Penalty(gamma=1.0), R2Penalty(gamma=1.0)])
    ```
    """

    on_real = False
