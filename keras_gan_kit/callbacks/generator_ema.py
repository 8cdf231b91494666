"""`GeneratorEMA`: an exponential moving average of the generator's weights."""

from __future__ import annotations

import keras

from keras_gan_kit.utils.validation import check_finite_number, check_positive_number

__all__ = ["GeneratorEMA"]

_Schedule = keras.optimizers.schedules.LearningRateSchedule


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

    Each step moves the average by `beta = 0.5 ** (batch_size / h)`, where the
    half-life `h` is computed from `n`, the training images seen before the
    step (counted in the model, `gan.ema_counter.images_seen`, and saved with
    it, so a resumed run continues exactly):

    - `h = half_life_images`, or `half_life_images(n)` when it is a schedule
      (R3GAN ramps the half-life from 0 to 5M images along a cosine over 20M
      images: `CosineSchedule(0, 5_000_000, 20_000_000)`);
    - with `rampup`, `h = min(h, rampup * n)`: StyleGAN2-ADA's `ema_rampup`
      (0.05 in its CIFAR-10 and auto configurations), which keeps the average
      from dragging along the random initial weights early in training.

    `h = 0` (the first step with a ramp) copies the generator.

    Args:
        half_life_images: float > 0, or a
            `keras.optimizers.schedules.LearningRateSchedule` of the images
            seen (e.g. `keras_gan_kit.optimizers.CosineSchedule`). Half-life
            of the average in training images: after this many images, a
            weight's old value counts half. Defaults to 10,000
            (StyleGAN2-ADA's `ema_kimg=10`).
        use_for_sampling: bool. Sets `gan.use_ema`. Defaults to True.
        rampup: float > 0 or None. Limit the half-life to `rampup` times the
            images seen so far. Defaults to None (no ramp-up; the half-life is
            `half_life_images` from the first step).

    Example:

    ```python
    gan.fit(images, epochs=50, callbacks=[GeneratorEMA(half_life_images=10_000)])
    smooth = gan.generate(16)                  # from the EMA generator
    gan.use_ema = False; raw = gan.generate(16)

    # StyleGAN2-ADA (cifar): 500k-image half-life, ramped up over the first images
    GeneratorEMA(half_life_images=500_000, rampup=0.05)
    # R3GAN (CIFAR-10): the half-life grows from 0 to 5M images over 20M images
    GeneratorEMA(half_life_images=kgk.optimizers.CosineSchedule(0, 5_000_000, 20_000_000))
    ```

    References:
        Karras et al., "Progressive Growing of GANs", ICLR 2018 (the
        generator EMA); Karras et al., "Training Generative Adversarial
        Networks with Limited Data", NeurIPS 2020 (`ema_kimg`, `ema_rampup`
        in stylegan2-ada-pytorch's training loop); Huang et al., "The GAN is
        dead; long live the GAN!", NeurIPS 2024 (the half-life schedule).
    """

    def __init__(
        self,
        half_life_images=10_000,
        use_for_sampling: bool = True,
        rampup: float | None = None,
    ):
        super().__init__()
        if isinstance(half_life_images, dict):  # a serialized schedule
            half_life_images = keras.saving.deserialize_keras_object(half_life_images)
        if not isinstance(half_life_images, _Schedule):
            half_life_images = check_finite_number(
                half_life_images, "half_life_images", minimum=0, strict=True
            )
        self.half_life_images = half_life_images
        self.use_for_sampling = bool(use_for_sampling)
        self.rampup = None if rampup is None else check_positive_number(rampup, "rampup")

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
        model.enable_ema(self.half_life_images, rampup=self.rampup)
        model.use_ema = self.use_for_sampling

    def get_config(self):
        half_life = self.half_life_images
        if isinstance(half_life, _Schedule):
            half_life = keras.saving.serialize_keras_object(half_life)
        return {
            "half_life_images": half_life,
            "use_for_sampling": self.use_for_sampling,
            "rampup": self.rampup,
        }
