"""Optimizers and schedules for multi-network models.

- `OptimizerGroup`: one optimizer per network behind the single
  `model.optimizer` Keras threads, saves and restores.
- `ScheduledAdam`: Keras' Adam whose `beta_2` may follow a schedule (R3GAN).
- `CosineSchedule`, `LinearSchedule`: ramps from one value to another, usable
  as a learning rate, as `ScheduledAdam`'s `beta_2`, as a penalty's gamma and
  as `GeneratorEMA`'s half-life.
- `LinearDecay`: constant, then linearly to zero (Pix2Pix, CycleGAN).
"""

from keras_gan_kit.optimizers.linear_decay import LinearDecay
from keras_gan_kit.optimizers.optimizer_group import OptimizerGroup
from keras_gan_kit.optimizers.scheduled_adam import ScheduledAdam
from keras_gan_kit.optimizers.schedules import CosineSchedule, LinearSchedule

__all__ = ["CosineSchedule", "LinearDecay", "LinearSchedule", "OptimizerGroup", "ScheduledAdam"]
