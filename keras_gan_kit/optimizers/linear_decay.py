"""`LinearDecay`: constant, then linearly to zero (Pix2Pix / CycleGAN schedule)."""

from __future__ import annotations

import keras
from keras import ops

from keras_gan_kit.utils.validation import (
    check_non_negative_int,
    check_positive_int,
    check_positive_number,
)

__all__ = ["LinearDecay"]


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Learning rate held for `constant_steps`, then decayed linearly to zero.

    The schedule of Pix2Pix and CycleGAN (`--n_epochs 100 --n_epochs_decay 100`
    in the reference code: 100 epochs at 2e-4, then 100 epochs down to 0).
    Steps are the optimizer's update count; with one update per batch,
    `constant_steps = epochs * steps_per_epoch`. Being a schedule, it runs
    inside the compiled step on every backend and is saved with the optimizer.

    Args:
        initial_learning_rate: float. Learning rate of the constant part.
        constant_steps: int. Updates at the initial rate (>= 0).
        decay_steps: int. Updates over which the rate falls linearly to 0 (> 0).
        name: str. Defaults to `"linear_decay"`.

    Example:

    ```python
    steps_per_epoch = len(images_a)     # batch size 1, as in the paper
    schedule = LinearDecay(2e-4, 100 * steps_per_epoch, 100 * steps_per_epoch)
    model.compile(generator_optimizer=keras.optimizers.Adam(schedule, beta_1=0.5),
                  discriminator_optimizer=keras.optimizers.Adam(schedule, beta_1=0.5))
    ```
    """

    def __init__(self, initial_learning_rate, constant_steps, decay_steps, name="linear_decay"):
        super().__init__()
        check_positive_number(initial_learning_rate, "initial_learning_rate")
        check_non_negative_int(constant_steps, "constant_steps")
        check_positive_int(decay_steps, "decay_steps")
        self.initial_learning_rate = float(initial_learning_rate)
        self.constant_steps = constant_steps
        self.decay_steps = decay_steps
        self.name = name

    def __call__(self, step):
        step = ops.cast(step, "float32")
        progress = ops.clip((step - self.constant_steps) / self.decay_steps, 0.0, 1.0)
        return self.initial_learning_rate * (1.0 - progress)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "constant_steps": self.constant_steps,
            "decay_steps": self.decay_steps,
            "name": self.name,
        }
