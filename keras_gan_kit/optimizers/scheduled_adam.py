"""`ScheduledAdam`: Keras' Adam whose `beta_2` may follow a schedule."""

from __future__ import annotations

import keras
from keras import ops

from keras_gan_kit.utils.validation import check_fraction

__all__ = ["ScheduledAdam"]

_Schedule = keras.optimizers.schedules.LearningRateSchedule


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class ScheduledAdam(keras.optimizers.Adam):
    """`keras.optimizers.Adam` with a `beta_2` that may change during training.

    R3GAN raises Adam's `beta_2` from 0.9 to 0.99 along a cosine over
    training. Keras' `Adam` takes `beta_2` as a float (its docstring
    mentions callables, but its update reads the attribute as a number), so
    this subclass accepts any
    `keras.optimizers.schedules.LearningRateSchedule` for it (e.g.
    `keras_gan_kit.optimizers.CosineSchedule(0.9, 0.99, steps)`), evaluated,
    like a learning-rate schedule, on the optimizer's own update count
    (`iterations`) before each update, inside the compiled step on every
    backend. Everything else is Keras' Adam, whose update is unchanged: both
    the second-moment decay and the bias correction `1 - beta_2**t` use the
    current `beta_2`, which is what PyTorch's `Adam` does when the training
    loop rewrites `param_group["betas"]` every step, as R3GAN's does. The
    schedule is saved in the optimizer's config (`.keras` files); the update
    count with its state.

    With a float `beta_2` it behaves as `keras.optimizers.Adam` (on PyTorch
    it then uses Keras' per-variable update rather than the fused one).

    Args:
        learning_rate: float or `LearningRateSchedule`. Defaults to 0.001.
        beta_1: float. Decay of the first moment. Defaults to 0.9.
        beta_2: float in `[0, 1)` or `LearningRateSchedule` returning values
            in `[0, 1)`. Decay of the second moment. Defaults to 0.999.
        **kwargs: the other arguments of `keras.optimizers.Adam` (`epsilon`,
            `amsgrad`, `weight_decay`, `clipnorm`, `name`, ...).

    Example:

    ```python
    from keras_gan_kit.optimizers import CosineSchedule, ScheduledAdam

    steps = 20_000_000 // 512
    optimizer = ScheduledAdam(learning_rate=CosineSchedule(2e-4, 5e-5, steps), beta_1=0.0,
                              beta_2=CosineSchedule(0.9, 0.99, steps), epsilon=1e-8)
    ```

    References:
        Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015;
        Huang et al., "The GAN is dead; long live the GAN! A Modern GAN
        Baseline", NeurIPS 2024.
    """

    _beta_2_value = None  # beta_2 of the update in progress, evaluated once per update

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, **kwargs)

    @property
    def beta_2(self):
        """The current `beta_2`: the float, or the schedule at `iterations`."""
        if self._beta_2_value is not None:
            return self._beta_2_value
        if isinstance(self._beta_2, _Schedule):
            return ops.cast(self._beta_2(self.iterations), "float32")
        return self._beta_2

    @beta_2.setter
    def beta_2(self, value):
        if isinstance(value, dict):  # a serialized schedule
            value = keras.saving.deserialize_keras_object(value)
        if not isinstance(value, _Schedule):
            value = check_fraction(value, "beta_2", high_open=True)
        self._beta_2 = value

    @property
    def beta_2_schedule(self):
        """The `beta_2` as given: a float or a schedule."""
        return self._beta_2

    def apply(self, grads, trainable_variables=None):
        """Applies gradients with `beta_2` evaluated once for this update."""
        if not isinstance(self._beta_2, _Schedule):
            return super().apply(grads, trainable_variables)
        self._beta_2_value = None
        self._beta_2_value = self.beta_2
        try:
            return super().apply(grads, trainable_variables)
        finally:
            self._beta_2_value = None

    def get_config(self) -> dict:
        self._beta_2_value = 0.0  # Adam.get_config reads beta_2; don't evaluate the schedule
        try:
            config = super().get_config()
        finally:
            self._beta_2_value = None
        if isinstance(self._beta_2, _Schedule):
            config["beta_2"] = keras.saving.serialize_keras_object(self._beta_2)
        else:
            config["beta_2"] = self._beta_2
        return config
