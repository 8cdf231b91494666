"""Cosine and linear ramps from one value to another, for any training hyperparameter.

R3GAN (Huang et al. 2024) anneals four hyperparameters with the same cosine
ramp over the first 20M training images: the learning rate (2e-4 -> 5e-5),
Adam's `beta_2` (0.9 -> 0.99), the R1/R2 weight gamma (0.05 -> 0.005) and the
generator EMA half-life (0 -> 5M images). `CosineSchedule` and
`LinearSchedule` express such a ramp once, as a
`keras.optimizers.schedules.LearningRateSchedule`, so the same object can be

- an optimizer's `learning_rate` (evaluated on that optimizer's update count);
- the `beta_2` of `keras_gan_kit.optimizers.ScheduledAdam` (same count);
- the `gamma`/`weight` of `R1Penalty`, `R2Penalty` and `GradientPenalty`
  (evaluated on the model's training step);
- the `half_life_images` of `keras_gan_kit.callbacks.GeneratorEMA` (evaluated
  on the number of training images seen).

Every schedule is written in `keras.ops`, so it runs inside the compiled
training step on TensorFlow, JAX and PyTorch, and is saved in `.keras` files
with the object that holds it.
"""

from __future__ import annotations

import math

import keras
from keras import ops

from keras_gan_kit.utils.validation import check_positive_number

__all__ = ["CosineSchedule", "LinearSchedule"]


def _check_finite_number(value, arg: str) -> float:
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not math.isfinite(float(value))
    ):
        raise ValueError(f"`{arg}` must be a finite number. Received: {arg}={value!r}")
    return float(value)


def _check_non_negative_number(value, arg: str) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value >= 0:
        raise ValueError(f"`{arg}` must be a number >= 0. Received: {arg}={value!r}")
    return float(value)


class _Ramp(keras.optimizers.schedules.LearningRateSchedule):
    """`initial_value` until `start_step`, a ramp over `steps`, then `final_value`."""

    def __init__(self, initial_value, final_value, steps, start_step=0, name=None):
        super().__init__()
        self.initial_value = _check_finite_number(initial_value, "initial_value")
        self.final_value = _check_finite_number(final_value, "final_value")
        self.steps = check_positive_number(steps, "steps")
        if not math.isfinite(self.steps):
            raise ValueError(f"`steps` must be a finite number. Received: steps={steps!r}")
        self.start_step = _check_non_negative_number(start_step, "start_step")
        self.name = name

    def _shape(self, progress):
        """Fraction of the way from `initial_value` to `final_value` at `progress` in [0, 1]."""
        raise NotImplementedError

    def __call__(self, step):
        step = ops.cast(step, "float32")
        progress = ops.clip((step - self.start_step) / self.steps, 0.0, 1.0)
        return self.initial_value + (self.final_value - self.initial_value) * self._shape(progress)

    def get_config(self) -> dict:
        return {
            "initial_value": self.initial_value,
            "final_value": self.final_value,
            "steps": self.steps,
            "start_step": self.start_step,
            "name": self.name,
        }

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.initial_value!r}, {self.final_value!r}, "
            f"steps={self.steps!r}, start_step={self.start_step!r})"
        )


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class CosineSchedule(_Ramp):
    """A half-cosine ramp from `initial_value` to `final_value` over `steps`.

    `value(t) = final + (initial - final) * (1 + cos(pi * p)) / 2` with
    `p = clip((t - start_step) / steps, 0, 1)`: `initial_value` up to
    `start_step`, `final_value` from `start_step + steps` on. The values may
    rise or fall (R3GAN raises `beta_2` and the EMA half-life, and lowers the
    learning rate and gamma with the same ramp). This is R3GAN's
    `cosine_decay_with_warmup` without warm-up; for a learning rate that falls
    it equals Keras' `CosineDecay(initial, steps, alpha=final / initial)`,
    which cannot rise or start from 0.

    The counter `t` is whatever the schedule is called with: an optimizer's
    update count for `learning_rate` and `ScheduledAdam(beta_2=...)`, the
    model's training step for a penalty's `gamma`, the number of training
    images seen for `GeneratorEMA(half_life_images=...)`. A ramp over `N`
    images at batch size `B` lasts `N / B` steps. It is computed in float32
    (exact for counters up to 2**24; beyond, rounding moves it by less than
    one part in 10**7).

    Args:
        initial_value: float. Value at `t <= start_step`.
        final_value: float. Value at `t >= start_step + steps`.
        steps: float. Length of the ramp, in units of the counter (> 0).
        start_step: float. Where the ramp starts; the value is held at
            `initial_value` before. Defaults to 0.
        name: str or None. Defaults to None.

    Example:

    ```python
    import keras_gan_kit as kgk
    from keras_gan_kit.optimizers import CosineSchedule, ScheduledAdam

    steps = 20_000_000 // 512  # R3GAN CIFAR-10: 20M images at batch size 512
    g_optimizer = ScheduledAdam(learning_rate=CosineSchedule(2e-4, 5e-5, steps),
                                beta_1=0.0, beta_2=CosineSchedule(0.9, 0.99, steps))
    gamma = CosineSchedule(0.05, 0.005, steps)  # evaluated on the training step
    penalties = [kgk.losses.R1Penalty(gamma), kgk.losses.R2Penalty(gamma)]
    # the EMA half-life is a schedule of the images seen, not of steps
    ema = kgk.callbacks.GeneratorEMA(CosineSchedule(0, 5_000_000, 20_000_000))
    ```

    References:
        Huang et al., "The GAN is dead; long live the GAN! A Modern GAN
        Baseline", NeurIPS 2024 (`training/training_loop.py` and `train.py`
        of brownvc/R3GAN); Loshchilov & Hutter, "SGDR: Stochastic Gradient
        Descent with Warm Restarts", ICLR 2017.
    """

    def __init__(self, initial_value, final_value, steps, start_step=0, name="cosine_schedule"):
        super().__init__(initial_value, final_value, steps, start_step=start_step, name=name)

    def _shape(self, progress):
        return 0.5 * (1.0 - ops.cos(math.pi * progress))


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class LinearSchedule(_Ramp):
    """A linear ramp from `initial_value` to `final_value` over `steps`.

    `value(t) = initial + (final - initial) * p` with
    `p = clip((t - start_step) / steps, 0, 1)`. With `final_value=0` and
    `start_step=constant_steps` it is the Pix2Pix/CycleGAN schedule
    (`LinearDecay`). As `CosineSchedule`, it evaluates on whatever counter it
    is given (see there).

    Args:
        initial_value: float. Value at `t <= start_step`.
        final_value: float. Value at `t >= start_step + steps`.
        steps: float. Length of the ramp, in units of the counter (> 0).
        start_step: float. Where the ramp starts. Defaults to 0.
        name: str or None. Defaults to None.

    Example:

    ```python
    # gamma from 1.0 down to 0.1 over the first 5,000 training steps
    penalty = kgk.losses.R1Penalty(gamma=kgk.optimizers.LinearSchedule(1.0, 0.1, 5_000))
    ```
    """

    def __init__(self, initial_value, final_value, steps, start_step=0, name="linear_schedule"):
        super().__init__(initial_value, final_value, steps, start_step=start_step, name=name)

    def _shape(self, progress):
        return progress
