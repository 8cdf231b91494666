"""`GeneratorEMA`: an exponential moving average of the generator's weights."""

from __future__ import annotations

import keras

from keras_gan_kit.utils.validation import check_positive_number

__all__ = ["GeneratorEMA"]


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class GeneratorEMA(keras.callbacks.Callback):
    """Keeps an EMA of the generator weights during `fit` (StyleGAN's `G_ema`).

    The average is updated inside the compiled training step (on every
    backend, under jit), not from Python after each batch: the callback only
    switches it on (`GAN.enable_ema`) before training starts. The EMA
    generator lives in the model (`gan.generator_ema`): it is saved in
    `.keras` files and checkpoints, restored by `BackupAndRestore`, and used by
    `gan.generate()`, `gan(latents)`, `ImageSampleSaver` and `FIDMonitor`
    while `gan.use_ema` is True (`use_for_sampling=False` switches that off).

    Args:
        half_life_images: float. Half-life of the average in training images:
            after this many images, a weight's old value counts half.
            Defaults to 10,000 (StyleGAN2-ADA's `ema_kimg=10`).
        use_for_sampling: bool. Sets `gan.use_ema`. Defaults to True.

    Example:

    ```python
    gan.fit(images, epochs=50, callbacks=[GeneratorEMA(half_life_images=10_000)])
    smooth = gan.generate(16)                  # from the EMA generator
    gan.use_ema = False; raw = gan.generate(16)
    ```
    """

    def __init__(self, half_life_images: float = 10_000, use_for_sampling: bool = True):
        super().__init__()
        self.half_life_images = check_positive_number(half_life_images, "half_life_images")
        self.use_for_sampling = bool(use_for_sampling)

    def set_model(self, model):
        # set_model runs before the training function is built and before any
        # callback's on_train_begin (BackupAndRestore restores there), so the
        # EMA variables exist when weights are restored and when the step traces.
        if not hasattr(model, "enable_ema"):
            raise ValueError(
                "GeneratorEMA works with keras_gan_kit models (GAN). Received a model "
                f"of type {type(model).__name__}."
            )
        super().set_model(model)
        model.enable_ema(self.half_life_images)
        model.use_ema = self.use_for_sampling

    def get_config(self):
        return {
            "half_life_images": self.half_life_images,
            "use_for_sampling": self.use_for_sampling,
        }
