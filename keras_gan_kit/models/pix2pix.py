"""`Pix2Pix`: paired image-to-image translation (Isola et al. 2017)."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_gan_kit import losses as losses_lib
from keras_gan_kit.models.adversarial_model import AdversarialModel
from keras_gan_kit.models.common import check_network
from keras_gan_kit.models.translation import (
    check_jitter,
    fixed_input_size,
    probe_shape,
    reference_generator_scale,
    translate_images,
    warn_if_critic_loss,
)
from keras_gan_kit.trainers import Phase
from keras_gan_kit.utils.validation import check_finite_number, check_image_array

__all__ = ["Pix2Pix"]


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class Pix2Pix(AdversarialModel):
    """Paired image-to-image translation with a conditional GAN, trained by `fit()`.

    The generator maps an input image to an output image; the discriminator
    sees `[input_image, image]` pairs (a conditional PatchGAN such as
    `keras_gan_kit.networks.PatchGANDiscriminator(condition_channels=...)`)
    and returns a logit map. The generator minimises the adversarial loss
    plus `l1_weight` times the mean absolute error to the target image.
    Data yield `(input_image, target_image)` pairs, in [-1, 1]:
    `pix2pix.fit(inputs, targets)`, or a dataset of such tuples.

    Each step computes the generated batch once: the generator phase updates
    the generator through the current discriminator, then the discriminator
    phase updates the discriminator on real pairs and on that (detached)
    batch. This is the simultaneous update of the TensorFlow Pix2Pix
    tutorial, and saves the second generator pass a D-then-G order would
    need. The generator's dropout is its noise source (the paper has no
    latent), so translations vary slightly in training mode only.

    Logged: `g_loss` (adversarial part), `l1` (unweighted mean absolute
    error) and `d_loss`. The adversarial term is the reference code's
    criterion, so `l1_weight=100` means what it means in the paper: the
    non-saturating loss as is (BCE), a least-squares loss as the plain MSE
    `(D(fake) - 1)^2` (twice `keras_gan_kit.losses.LeastSquaresLoss`).

    Args:
        generator: `keras.Model`. Maps `(batch, h, w, c_in)` images in [-1, 1]
            to `(batch, h, w, c_out)` images in [-1, 1] (e.g.
            `keras_gan_kit.networks.UNetGenerator`).
        discriminator: `keras.Model`. Takes `[input_image, image]` and returns
            logits `(batch, ...)`. A discriminator with one input (the output
            image only) is accepted too: the unconditional variant of the
            paper's ablation.
        l1_weight: float. Weight of the L1 term (the paper's lambda).
            Defaults to 100.
        jitter: `keras_gan_kit.augment.RandomJitter` (or another layer that
            maps `[input_images, target_images]` to transformed images of the
            same shapes) or None. Applied to every training batch, with one
            transform per pair (the same crop and mirror for the input and its
            target): the paper's random jitter (resize to 286, random crop back
            to 256) and mirroring. Never applied by `translate()`. Defaults to
            None (the training pairs as given).
        seed: int. Seed of the training noise. Defaults to None.
        **kwargs: `keras_gan_kit.models.AdversarialModel` arguments
            (`augmentation`: a differentiable augmentation applied to the
            discriminator's `[input_image, image]` pairs, one transform per
            pair; an `augment.ADA` gets the real patch logits and adapts its
            `p`) and `keras.Model` ones (`name`, `dtype`).

    Example:

    ```python
    import keras_gan_kit as kgk

    inputs, targets = kgk.datasets.make_paired_demo(400, image_size=64)
    model = kgk.models.Pix2Pix(
        kgk.networks.UNetGenerator(64, input_channels=3, output_channels=3),
        kgk.networks.PatchGANDiscriminator(input_channels=3, condition_channels=3),
        jitter=kgk.augment.RandomJitter(),   # 64 -> 72 -> random 64 crop, mirror
    )
    model.compile()
    model.fit(inputs, targets, batch_size=8, epochs=20)
    outputs = model.translate(inputs[:4])
    ```

    References:
        Isola et al., "Image-to-Image Translation with Conditional Adversarial
        Networks", CVPR 2017.
    """

    network_names = ("generator", "discriminator")

    def __init__(self, generator, discriminator, l1_weight=100.0, jitter=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        check_network(generator, "generator")
        check_network(discriminator, "discriminator")
        self.l1_weight = check_finite_number(l1_weight, "l1_weight", minimum=0)
        self.jitter = check_jitter(jitter)
        fixed = fixed_input_size(generator)
        if fixed is not None and hasattr(self.jitter, "resize_size"):
            self.jitter.resize_size(fixed)  # a jitter_size below the image size fails here
        self.generator = generator
        self.discriminator = discriminator
        d_inputs = getattr(discriminator, "inputs", None)
        if d_inputs and len(d_inputs) not in (1, 2):
            raise ValueError(
                "The discriminator must take [input_image, image] (or one image). Received "
                f"a discriminator with {len(d_inputs)} inputs."
            )
        self._conditional_discriminator = not d_inputs or len(d_inputs) == 2
        self._build_networks()
        self.built = True

    def _build_networks(self):
        shape = probe_shape(self.generator)
        source = ops.zeros(shape)
        output = self.generator(source, training=False)
        if len(output.shape) != 4 or tuple(output.shape[1:3]) != shape[1:3]:
            raise ValueError(
                "The generator must return images of its input's height and width. Received "
                f"output shape {tuple(output.shape)} for input shape {shape}."
            )
        self.input_channels = shape[-1]
        self.output_channels = int(output.shape[-1])
        logits = self._discriminate(source, output, training=False)
        if len(logits.shape) < 1 or logits.shape[0] != 1:
            raise ValueError(
                "The discriminator must return logits with a batch axis. Received logits of "
                f"shape {tuple(logits.shape)} for a batch of 1."
            )

    def _discriminate(self, source, image, training=True):
        """Float32 logits of `[source, image]` (or `image`), augmented together in training."""
        if self._conditional_discriminator:
            image, source = self.augment(image, source, training=training)
            logits = self.discriminator([source, image], training=training)
        else:
            logits = self.discriminator(self.augment(image, training=training), training=training)
        return ops.cast(logits, "float32")

    def get_config(self):
        """Config: both networks (serialized), `l1_weight`, `jitter` and `seed`."""
        config = super().get_config()
        config["l1_weight"] = self.l1_weight
        config["jitter"] = (
            None if self.jitter is None else keras.saving.serialize_keras_object(self.jitter)
        )
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Recreates the model, its networks and its `jitter` from `get_config()`'s output."""
        config = dict(config)
        if isinstance(config.get("jitter"), dict):
            config["jitter"] = keras.saving.deserialize_keras_object(
                config["jitter"], custom_objects=custom_objects
            )
        return super().from_config(config, custom_objects=custom_objects)

    def compile(
        self,
        generator_optimizer="auto",
        discriminator_optimizer="auto",
        loss="non_saturating",
        **kwargs,
    ):
        """Configures training.

        Args:
            generator_optimizer: optimizer, name, config or `"auto"`
                (`Adam(2e-4, beta_1=0.5)`, the paper's). Defaults to `"auto"`.
            discriminator_optimizer: as `generator_optimizer`; a separate
                instance. Defaults to `"auto"`.
            loss: adversarial loss name or `keras_gan_kit.losses.AdversarialLoss`.
                Defaults to `"non_saturating"` (the paper's).
            **kwargs: the engine's arguments (see
                `keras_gan_kit.models.AdversarialModel.compile`):
                `generator_regularizers`, `jit_compile` (default `"auto"`),
                `steps_per_execution` (default 1) and `run_eagerly`.
        """
        adversarial_loss = losses_lib.get(loss)
        warn_if_critic_loss(adversarial_loss)
        super().compile(
            optimizers={
                "generator": generator_optimizer,
                "discriminator": discriminator_optimizer,
            },
            loss=adversarial_loss,
            **kwargs,
        )

    def optimizer_variables(self):
        """The generator's and the discriminator's trainable variables, by optimizer."""
        return {
            "generator": self.generator.trainable_variables,
            "discriminator": self.discriminator.trainable_variables,
        }

    def log_names(self):
        """`d_loss`, `g_loss` and `l1`."""
        return ["d_loss", "g_loss", "l1"]

    def phases(self):
        """The generator phase, then the discriminator phase on its detached translation."""
        return [
            Phase(
                "generator",
                self._generator_loss,
                self.generator.trainable_variables,
                self.optimizer["generator"],
                log_names=("g_loss", "l1"),
            ),
            Phase(
                "discriminator",
                self._discriminator_loss,
                self.discriminator.trainable_variables,
                self.optimizer["discriminator"],
                log_names=("d_loss",),
            ),
        ]

    def _generator_loss(self, batch, context):
        source, target = batch
        fake = ops.cast(self.generator(source, training=True), "float32")
        real_logits = (
            self._discriminate(source, target)
            if self.adversarial_loss.needs_real_logits_for_generator
            else None
        )
        adversarial = reference_generator_scale(
            self.adversarial_loss
        ) * self.adversarial_loss.generator_loss(self._discriminate(source, fake), real_logits)
        l1 = ops.mean(ops.abs(target - fake))
        logs = {"g_loss": adversarial, "l1": l1, "_fake": ops.stop_gradient(fake)}
        return adversarial + self.l1_weight * l1, logs

    def _discriminator_loss(self, batch, context):
        source, target = batch
        fake = context.carry["_fake"]
        real_logits = self._discriminate(source, target)
        self.observe_real_logits(real_logits)  # e.g. ADA's overfitting heuristic (patch logits)
        loss = self.adversarial_loss.discriminator_loss(
            real_logits, self._discriminate(source, fake)
        )
        return loss, {"d_loss": loss}

    def unpack_batch(self, data):
        """`(input_images, target_images)` as float32 from a batch of pairs, jittered."""
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ValueError(
                "Pix2Pix.fit() needs (input_image, target_image) pairs: fit(inputs, targets) "
                "or a dataset of tuples."
            )
        source, target = ops.cast(data[0], "float32"), ops.cast(data[1], "float32")
        if self.jitter is not None:  # training only: unpack_batch serves the train step
            source, target = self.jitter([source, target], training=True)
        return source, target

    def generator_inputs(self, batch):
        """The generator and the input images, for generator regularizers."""
        return [(lambda x: self.generator(x, training=True), batch[0])]

    def fit(self, x=None, y=None, **kwargs):
        """Trains on `(input_image, target_image)` pairs; see `keras.Model.fit`.

        Args:
            x: input images `(n, h, w, c_in)` in [-1, 1], or a dataset /
                `PyDataset` / generator yielding `(input_images, target_images)`.
            y: target images `(n, h, w, c_out)` in [-1, 1] when `x` is an array.
            **kwargs: forwarded to `keras.Model.fit`.

        Returns:
            A `keras.callbacks.History`.
        """
        self._check_compiled()
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            if y is None:
                raise ValueError(
                    "Pix2Pix.fit() needs target images: fit(inputs, targets). Received: y=None"
                )
            x = check_image_array(x, "x")
            y = check_image_array(y, "y")
            if len(x) != len(y):
                raise ValueError(
                    "`x` and `y` must hold one target per input image. Received "
                    f"{len(x)} inputs and {len(y)} targets."
                )
            if x.shape[1:3] != y.shape[1:3]:
                raise ValueError(
                    "Input and target images must have the same height and width. Received: "
                    f"x.shape={x.shape}, y.shape={y.shape}"
                )
            if x.shape[-1] != self.input_channels or y.shape[-1] != self.output_channels:
                raise ValueError(
                    f"The generator maps {self.input_channels}-channel inputs to "
                    f"{self.output_channels}-channel outputs. Received: x.shape={x.shape}, "
                    f"y.shape={y.shape}"
                )
        return super().fit(x, y, **kwargs)

    def call(self, inputs, training=False):
        """Runs the generator."""
        return self.generator(inputs, training=training)

    def translate(self, images, batch_size: int = 8, mode: str = "auto"):
        """Translates images of any size with the generator, in inference mode.

        See `keras_gan_kit.models.translate_images` for sizes and ranges:
        `uint8` in, `uint8` out; [-1, 1] floats in, [-1, 1] float32 out.

        Args:
            images: array `(n, h, w, c)` or `(h, w, c)`, or a list of images.
            batch_size: int. Defaults to 8.
            mode: `"auto"`, `"pad"` or `"resize"`. Defaults to `"auto"`.

        Returns:
            The translated images, shaped as `images`.
        """
        return translate_images(self.generator, images, batch_size=batch_size, mode=mode)
