"""`GAN`: an unconditional GAN that trains with `keras.Model.fit`."""

from __future__ import annotations

import collections.abc
import itertools
import types
import warnings

import keras
import numpy as np
from keras import ops

from keras_gan_kit import losses as losses_lib
from keras_gan_kit import trainers
from keras_gan_kit.models.adversarial_model import AdversarialModel
from keras_gan_kit.models.common import ends_in_tanh
from keras_gan_kit.trainers import Phase
from keras_gan_kit.utils.validation import (
    check_finite_number,
    check_labels,
    check_positive_int,
    check_positive_number,
)

__all__ = ["GAN"]


def _shape_tuple(shape):
    return tuple(None if d is None else int(d) for d in shape)


def _as_tuples(batches, sample_shape=None):
    """Yields each batch as a tuple (Keras' generator adapter needs tuples).

    With `sample_shape`, a batch whose samples have another shape raises a
    `ValueError` naming it (else TensorFlow fails deep inside a layer).
    """
    for index, batch in enumerate(batches):
        batch = tuple(batch) if isinstance(batch, (tuple, list)) else (batch,)
        shape = tuple(getattr(batch[0], "shape", ()))[1:] if batch else ()
        if sample_shape is not None and shape != tuple(sample_shape):
            raise ValueError(
                f"GAN.fit(): batch {index + 1} of the generator holds samples of shape "
                f"{shape}; every batch must hold samples of shape {tuple(sample_shape)} "
                "(the first batch's)."
            )
        yield batch


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class _ImageCounter(keras.layers.Layer):
    """Counts the training images the EMA generator has seen (`images_seen`, int32).

    A layer, so that the count is saved in `.keras` files and restored by
    `BackupAndRestore` with the model's weights, and threaded through the JAX
    step as non-trainable state.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.images_seen = self.add_weight(
            shape=(), dtype="int32", initializer="zeros", trainable=False, name="images_seen"
        )
        self.built = True

    def load_own_variables(self, store):
        if not len(store.keys()):  # a file saved before the EMA counted images
            warnings.warn(
                "The loaded file has no EMA image count; counting from 0. A half-life "
                "ramp (rampup, or a schedule) restarts.",
                stacklevel=2,
            )
            return
        super().load_own_variables(store)


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class GAN(AdversarialModel):
    """A generative adversarial network that trains with `fit()`.

    Wraps a generator (latent -> sample) and a discriminator (sample -> logit
    or logit map) and overrides `train_step` with the adversarial update: one
    or more discriminator phases, then a generator phase. The algorithm is
    written once in `keras.ops`; the backend-specific part (how gradients are
    taken and applied) lives in `keras_gan_kit.trainers`, so the same model
    trains on TensorFlow, JAX and PyTorch, jit-compiled on TensorFlow (XLA on
    GPU) and JAX. Samples may have any shape: images, or plain vectors.

    Each discriminator step draws fresh latents and reuses the current real
    batch (as in the keras.io WGAN-GP example); `discriminator_steps=5` thus
    makes five critic updates per real batch.

    Logged values (progress bar, `History`, callbacks): `d_loss` (the
    adversarial discriminator loss, without penalties), `g_loss`, and one key
    per penalty (`gp`, `r1`, `r2`: the weighted penalty, averaged over the
    steps on which it was applied).

    Args:
        generator: `keras.Model` or `keras.layers.Layer`. Maps latents of shape
            `(batch, *latent_shape)` to samples.
        discriminator: `keras.Model` or `keras.layers.Layer`. Maps samples to
            logits `(batch, ...)` (one logit, or a PatchGAN map). Its logits are
            cast to float32 before any loss.
        latent_dim: int or tuple of int. Latent shape without the batch axis.
            Defaults to the generator's input shape when the generator is a
            built functional/sequential model; required otherwise.
        seed: int. Seed of the latent noise drawn during training and by
            `generate()`. Defaults to None (random).
        ema_half_life_images: float, schedule or None. Keep an exponential
            moving average of the generator's weights with this half-life, in
            training images (see `enable_ema`; usually set through the
            `keras_gan_kit.callbacks.GeneratorEMA` callback). Defaults to None.
        use_ema: bool. Whether `generate()` and `gan(latents)` use the EMA
            generator when there is one. Defaults to True.
        num_classes: int or None. Makes the GAN class-conditional: the
            generator then takes `[latents, labels]` and the discriminator
            `[samples, labels]` (integer labels, the plain Keras convention),
            `fit` takes `(samples, labels)` and `generate` takes `labels`.
            Generated samples in training get the real batch's labels.
            Defaults to None (unconditional).
        ema_rampup: float or None. StyleGAN's EMA ramp-up: the half-life is
            limited to `ema_rampup` times the images seen so far (see
            `enable_ema`). Needs `ema_half_life_images`. Defaults to None.
        **kwargs: forwarded to `keras.Model` (`name`, `dtype`).

    Example:

    ```python
    import keras
    import keras_gan_kit as kgk

    generator = keras.Sequential([keras.Input((16,)), keras.layers.Dense(64, activation="relu"),
                                  keras.layers.Dense(2)])
    discriminator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(64, activation="relu"),
                                      keras.layers.Dense(1)])
    gan = kgk.GAN(generator, discriminator, seed=0)
    gan.compile(loss="hinge")
    gan.fit(points, batch_size=128, epochs=10)   # points: float32 array (n, 2)
    samples = gan.generate(1000)
    ```
    """

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim=None,
        seed=None,
        ema_half_life_images=None,
        use_ema=True,
        num_classes=None,
        ema_rampup=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        for arg, network in (
            ("generator", generator),
            ("discriminator", discriminator),
        ):
            if not isinstance(network, keras.layers.Layer):
                raise ValueError(
                    f"GAN expects `{arg}` to be a keras.Model or keras.layers.Layer. "
                    f"Received: {arg}={network!r} of type {type(network).__name__}"
                )
        if num_classes is not None:
            check_positive_int(num_classes, "num_classes")
            if num_classes < 2:
                raise ValueError(
                    "A class-conditional GAN needs `num_classes` >= 2. Received: "
                    f"num_classes={num_classes}"
                )
        self.num_classes = num_classes
        self._check_input_count(generator, "generator", "[latents, labels]")
        self._check_input_count(discriminator, "discriminator", "[samples, labels]")
        d_inputs = getattr(discriminator, "inputs", None)
        # A conditional discriminator takes [samples, labels]; an ACGAN-style one
        # may take samples only and classify them instead (checked below).
        self._discriminator_takes_labels = self.conditional and (not d_inputs or len(d_inputs) == 2)
        self._discriminator_classifies = False
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.latent_shape = self._resolve_latent_shape(generator, latent_dim)
        self.sampling_seed_generator = keras.random.SeedGenerator(
            None if seed is None else seed + 1, name="sampling_seed"
        )
        self.sample_shape = self._build_networks()
        self.penalties = []
        self.discriminator_steps = 1
        self.auxiliary_classifier_weight = 0.0
        self.generator_ema = None
        self.ema_half_life_images = None
        self.ema_rampup = None
        self.ema_counter = None
        self.use_ema = bool(use_ema)
        if ema_half_life_images is not None:
            self.enable_ema(ema_half_life_images, rampup=ema_rampup)
        elif ema_rampup is not None:
            raise ValueError(
                "`ema_rampup` needs `ema_half_life_images`. Received: ema_rampup="
                f"{ema_rampup!r}, ema_half_life_images=None"
            )
        self.built = True

    network_names = ("generator", "discriminator")

    # ------------------------------------------------------------------ #
    # Construction
    # ------------------------------------------------------------------ #
    @property
    def conditional(self) -> bool:
        """Whether the GAN is class-conditional (`num_classes` was given)."""
        return self.num_classes is not None

    def _check_input_count(self, network, arg, conditional_form):
        inputs = getattr(network, "inputs", None)
        if not inputs:
            return
        expected = 2 if self.conditional else 1
        if self.conditional and arg == "discriminator" and len(inputs) == 1:
            return  # an auxiliary-classifier (ACGAN) discriminator; checked when built
        if len(inputs) != expected:
            if self.conditional:
                raise ValueError(
                    f"A class-conditional GAN (num_classes={self.num_classes}) needs a "
                    f"{arg} taking {conditional_form} (integer labels). Received a {arg} "
                    f"with {len(inputs)} input(s)."
                )
            hint = (
                " Pass num_classes=... for class-conditional networks." if len(inputs) == 2 else ""
            )
            raise ValueError(
                f"GAN expects a {arg} with a single input. Received a {arg} with "
                f"{len(inputs)} inputs.{hint}"
            )

    def _g(self, latents, labels=None, training=False):
        """Runs the generator, with labels when the GAN is conditional."""
        if self.conditional:
            return self.generator([latents, labels], training=training)
        return self.generator(latents, training=training)

    def _d(self, samples, labels=None, training=True):
        """Runs the discriminator (on augmented samples in training), with labels if conditional."""
        samples = self.augment(samples, training=training)
        if self._discriminator_takes_labels:
            return self.discriminator([samples, labels], training=training)
        return self.discriminator(samples, training=training)

    def _split_outputs(self, outputs):
        """`(logits, class_logits or None)` from the discriminator's outputs."""
        if isinstance(outputs, (list, tuple)):
            return outputs[0], outputs[1]
        return outputs, None

    @staticmethod
    def _resolve_latent_shape(generator, latent_dim):
        if latent_dim is not None:
            shape = (latent_dim,) if isinstance(latent_dim, int) else tuple(latent_dim)
            if not shape or not all(
                isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in shape
            ):
                raise ValueError(
                    "`latent_dim` must be a positive int or a tuple of positive ints. "
                    f"Received: latent_dim={latent_dim!r}"
                )
            inputs = getattr(generator, "inputs", None)
            if inputs:
                expected = _shape_tuple(inputs[0].shape[1:])
                if len(expected) != len(shape) or any(
                    e is not None and e != s for e, s in zip(expected, shape)
                ):
                    raise ValueError(
                        f"`latent_dim` does not match the generator's input shape "
                        f"{expected}. Received: latent_dim={latent_dim!r}"
                    )
            return shape
        inputs = getattr(generator, "inputs", None)
        if not inputs:
            raise ValueError(
                "Cannot infer the latent shape: the generator has no symbolic input "
                "(it is a subclassed model or an unbuilt layer). Pass it explicitly, "
                "e.g. GAN(generator, discriminator, latent_dim=128). Received: "
                "latent_dim=None"
            )
        shape = _shape_tuple(inputs[0].shape[1:])
        if not shape or any(d is None for d in shape):
            raise ValueError(
                f"The generator's input shape {shape} is not fully defined; pass "
                "`latent_dim` explicitly."
            )
        return shape

    def _build_networks(self):
        """Builds both networks and checks that they fit together."""
        latents = ops.zeros((2,) + self.latent_shape)
        labels = ops.zeros((2,), "int32") if self.conditional else None
        samples = self._g(latents, labels)
        sample_shape = _shape_tuple(samples.shape[1:])
        d_inputs = getattr(self.discriminator, "inputs", None)
        if d_inputs:
            expected = _shape_tuple(d_inputs[0].shape[1:])
            if len(expected) != len(sample_shape) or any(
                e is not None and e != s for e, s in zip(expected, sample_shape)
            ):
                raise ValueError(
                    "The generator's output shape does not match the discriminator's "
                    f"input shape. Received: generator output shape {sample_shape}, "
                    f"discriminator input shape {expected}."
                )
        logits = self._check_discriminator_outputs(self._d(samples, labels, training=False))
        if len(logits.shape) < 1 or logits.shape[0] != 2:
            raise ValueError(
                "The discriminator must return logits with a batch axis, shape "
                f"(batch, ...). Received logits of shape {tuple(logits.shape)} for a "
                "batch of 2 samples."
            )
        return sample_shape

    def _check_discriminator_outputs(self, outputs):
        """Checks one or two (ACGAN) discriminator outputs; returns the logits."""
        if isinstance(outputs, dict):
            raise ValueError(
                "The discriminator must return logits, or [logits, class_logits] for an "
                f"auxiliary classifier. Received a dict with keys {sorted(outputs)}."
            )
        if isinstance(outputs, (list, tuple)):
            if len(outputs) != 2 or not self.conditional:
                raise ValueError(
                    "The discriminator returned "
                    f"{len(outputs)} outputs. It must return one logit tensor, or, in a "
                    "class-conditional GAN (num_classes=...), [logits, class_logits] "
                    "(an auxiliary classifier, ACGAN)."
                )
            class_logits = outputs[1]
            if tuple(class_logits.shape) != (2, self.num_classes):
                raise ValueError(
                    "The discriminator's second output must be class logits of shape "
                    f"(batch, num_classes={self.num_classes}). Received shape "
                    f"{tuple(class_logits.shape)} for a batch of 2 samples."
                )
            self._discriminator_classifies = True
            return outputs[0]
        if self.conditional and not self._discriminator_takes_labels:
            raise ValueError(
                "A class-conditional GAN's discriminator must take [samples, labels] or "
                "return [logits, class_logits] (auxiliary classifier, ACGAN); this one "
                "takes samples only and returns one output, so the generator would get no "
                "signal about the labels."
            )
        return outputs

    # ------------------------------------------------------------------ #
    # Compile
    # ------------------------------------------------------------------ #
    def compile(
        self,
        generator_optimizer="auto",
        discriminator_optimizer="auto",
        loss="non_saturating",
        penalties=(),
        discriminator_steps: int = 1,
        auxiliary_classifier_weight="auto",
        **kwargs,
    ):
        """Configures the adversarial training.

        Args:
            generator_optimizer: `keras.optimizers.Optimizer`, str, dict or
                `"auto"`. Updates the generator. `"auto"` is
                `Adam(2e-4, beta_1=0.5)` (DCGAN). Defaults to `"auto"`.
            discriminator_optimizer: as `generator_optimizer`, for the
                discriminator. Must be a different instance. Defaults to `"auto"`.
            loss: str, dict or `keras_gan_kit.losses.AdversarialLoss`. The
                adversarial loss; see `keras_gan_kit.losses.get`. Defaults to
                `"non_saturating"`.
            penalties: sequence of `keras_gan_kit.losses.Penalty` (or names
                `"gp"`, `"r1"`, `"r2"`). Added to the discriminator loss.
                Defaults to none.
            discriminator_steps: int. Discriminator updates per generator update.
                Defaults to 1.
            auxiliary_classifier_weight: float or `"auto"`. Weight of the
                auxiliary-classifier (ACGAN, Odena et al. 2017) terms, for a
                class-conditional GAN whose discriminator returns
                `[logits, class_logits]`: the discriminator also minimises the
                cross-entropy of the labels on real and on generated samples,
                the generator that on its generated samples. Logged as `d_ac`
                and `g_ac` (weighted). `"auto"` is 1.0 for such a discriminator
                and 0 (no terms) otherwise. Defaults to `"auto"`.
            **kwargs: the engine's arguments (see
                `keras_gan_kit.models.AdversarialModel.compile`):
                `generator_regularizers` (e.g.
                `[keras_gan_kit.losses.PathLengthRegularizer()]`), `jit_compile`
                (`"auto"`: XLA on JAX; on TensorFlow, XLA on GPU only; eager on
                PyTorch), `steps_per_execution` (default 1) and `run_eagerly`.

        Under the `"mixed_float16"` dtype policy each optimizer is wrapped in
        its own `keras.optimizers.LossScaleOptimizer`, so an overflow in one
        network's gradients skips that network's step only.
        """
        check_positive_int(discriminator_steps, "discriminator_steps")
        adversarial_loss = losses_lib.get(loss)
        if isinstance(penalties, (str, losses_lib.Penalty)):
            penalties = [penalties]
        penalties = [losses_lib.get_penalty(p) for p in penalties]
        names = [p.name for p in penalties]
        if len(set(names)) != len(names) or {"d_loss", "g_loss"} & set(names):
            raise ValueError(
                "Each penalty needs a distinct log name other than 'd_loss' and "
                f"'g_loss'. Received penalties with names {names}."
            )
        for penalty in penalties:
            penalty.check_loss(adversarial_loss)
        if adversarial_loss.is_critic_loss and not penalties:
            warnings.warn(
                f"The {adversarial_loss.name!r} loss needs a Lipschitz critic: add "
                "penalties=[GradientPenalty()] or use spectral normalization in the "
                "discriminator, or training will diverge.",
                stacklevel=2,
            )
        ac_weight = self._resolve_auxiliary_weight(auxiliary_classifier_weight)
        # Set before the engine compiles: phases() and log_names() read them.
        previous = (self.penalties, self.discriminator_steps, self.auxiliary_classifier_weight)
        self.penalties = penalties
        self.discriminator_steps = discriminator_steps
        self.auxiliary_classifier_weight = ac_weight
        try:
            super().compile(
                optimizers={
                    "discriminator": discriminator_optimizer,
                    "generator": generator_optimizer,
                },
                loss=adversarial_loss,
                config={
                    "penalties": penalties,
                    "discriminator_steps": discriminator_steps,
                    "auxiliary_classifier_weight": auxiliary_classifier_weight,
                },
                **kwargs,
            )
        except Exception:
            self.penalties, self.discriminator_steps, self.auxiliary_classifier_weight = previous
            raise

    def optimizer_variables(self):
        """The discriminator's and the generator's trainable variables, by optimizer."""
        return {
            "discriminator": self.discriminator.trainable_variables,
            "generator": self.generator.trainable_variables,
        }

    def phases(self):
        """`discriminator_steps` discriminator phases, then one generator phase."""
        ac = ("d_ac",) if self.auxiliary_classifier_weight else ()
        return [
            Phase(
                "discriminator",
                self._discriminator_loss,
                self.discriminator.trainable_variables,
                self.optimizer["discriminator"],
                repeat=self.discriminator_steps,
                log_names=("d_loss", *(p.name for p in self.penalties), *ac),
            ),
            Phase(
                "generator",
                self._generator_loss,
                self.generator.trainable_variables,
                self.optimizer["generator"],
                log_names=("g_loss", "g_ac") if ac else ("g_loss",),
            ),
        ]

    def log_names(self):
        """`d_loss`, `g_loss`, one key per penalty, then `d_ac`/`g_ac` for an ACGAN."""
        ac = ["d_ac", "g_ac"] if self.auxiliary_classifier_weight else []
        return ["d_loss", "g_loss", *(p.name for p in self.penalties), *ac]

    def _resolve_auxiliary_weight(self, weight):
        if isinstance(weight, str) and weight == "auto":
            return 1.0 if self._discriminator_classifies else 0.0
        if (
            isinstance(weight, bool)
            or not isinstance(weight, (int, float))
            or not np.isfinite(weight)
            or weight < 0
        ):
            raise ValueError(
                "`auxiliary_classifier_weight` must be 'auto' or a number >= 0. Received: "
                f"auxiliary_classifier_weight={weight!r}"
            )
        if weight > 0 and not self._discriminator_classifies:
            raise ValueError(
                "`auxiliary_classifier_weight` needs a class-conditional GAN whose "
                "discriminator returns [logits, class_logits] (e.g. DCGANDiscriminator("
                "num_classes=k, conditioning='auxiliary')). Received: "
                f"auxiliary_classifier_weight={weight!r} for a discriminator with one output."
            )
        return float(weight)

    @property
    def generator_optimizer(self):
        """The generator's optimizer (a `LossScaleOptimizer` under float16)."""
        return self.optimizer["generator"] if self.optimizer is not None else None

    @property
    def discriminator_optimizer(self):
        """The discriminator's optimizer (a `LossScaleOptimizer` under float16)."""
        return self.optimizer["discriminator"] if self.optimizer is not None else None

    # ------------------------------------------------------------------ #
    # Generator EMA
    # ------------------------------------------------------------------ #
    def enable_ema(self, half_life_images, rampup=None) -> None:
        """Keeps an exponential moving average (EMA) of the generator weights.

        After every training step each EMA weight moves toward the generator's:
        `ema = w + beta * (ema - w)` with `beta = 0.5 ** (batch_size / h)`, so
        the weight of a step's contribution halves every `h` training images,
        whatever the batch size (StyleGAN2-ADA's `ema_kimg`, which is 10 for
        most of its configurations, i.e. `half_life_images=10_000`).
        Non-trainable generator state (BatchNorm statistics) is copied. The EMA
        generator is a clone of the generator (`gan.generator_ema`), saved with
        the model, and used by `generate()` and `gan(latents)` while `use_ema`
        is True.

        The half-life `h` of a step is computed from `n`, the training images
        seen before it (`gan.ema_counter.images_seen`, saved with the model so
        that a resumed run continues exactly):
        `h = half_life_images`, or `half_life_images(n)` for a schedule
        (R3GAN ramps it from 0 to 5M images along a cosine over 20M images:
        `CosineSchedule(0, 5e6, 2e7)`); then, with `rampup`,
        `h = min(h, rampup * n)` (StyleGAN2-ADA's `ema_rampup`, 0.05 in its
        CIFAR-10 and auto configurations). `h = 0` copies the generator.

        Calling it again changes the half-life and ramp-up and keeps the
        current average and image count.

        Args:
            half_life_images: float > 0, or a
                `keras.optimizers.schedules.LearningRateSchedule` (e.g.
                `keras_gan_kit.optimizers.CosineSchedule`) of the images seen.
                Half-life in training images.
            rampup: float > 0 or None. Limit the half-life to `rampup` times the
                images seen. Defaults to None (no ramp-up).
        """
        if not isinstance(half_life_images, keras.optimizers.schedules.LearningRateSchedule):
            half_life_images = check_finite_number(
                half_life_images, "half_life_images", minimum=0, strict=True
            )
        if rampup is not None:
            rampup = check_positive_number(rampup, "rampup")
        same_half_life = half_life_images is self.ema_half_life_images or (
            half_life_images == self.ema_half_life_images
        )
        if not same_half_life or rampup != self.ema_rampup:
            self.train_function = None  # a traced step would keep the old settings
        self.ema_half_life_images = half_life_images
        self.ema_rampup = rampup
        if self.ema_counter is None:
            with trainers.model_scope(self):  # under the model's tf.distribute strategy
                self.ema_counter = _ImageCounter(name="ema_counter")
        if self.generator_ema is not None:
            return
        with trainers.model_scope(self):  # under the model's tf.distribute strategy
            ema = keras.models.clone_model(self.generator)
            ema.build((None,) + self.latent_shape)
            ema.set_weights(self.generator.get_weights())
        ema.trainable = False
        self.generator_ema = ema
        # A step traced before the EMA existed would not update it.
        self.train_function = None

    def _update_ema(self, batch_size):
        seen = self.ema_counter.images_seen
        images = ops.cast(seen, "float32")
        half_life = self.ema_half_life_images
        if isinstance(half_life, keras.optimizers.schedules.LearningRateSchedule):
            half_life = ops.cast(half_life(images), "float32")
        if self.ema_rampup is not None:
            half_life = ops.minimum(half_life, self.ema_rampup * images)
        batch = ops.cast(batch_size, "float32")
        beta = ops.power(0.5, batch / ops.maximum(half_life, 1e-8))
        seen.assign(seen + ops.cast(batch_size, "int32"))
        for average, weight in zip(self.generator_ema.weights, self.generator.weights):
            value = ops.stop_gradient(ops.cast(weight, average.dtype))
            if weight.trainable:
                average.assign(value + (average - value) * ops.cast(beta, average.dtype))
            else:
                average.assign(value)

    @property
    def inference_generator(self):
        """The generator used by `generate()`: the EMA one when enabled and `use_ema`."""
        if self.use_ema and self.generator_ema is not None:
            return self.generator_ema
        return self.generator

    # ------------------------------------------------------------------ #
    # Training step
    # ------------------------------------------------------------------ #
    def _outputs(self, samples, labels=None):
        """Float32 `(logits, class_logits or None)` of the discriminator in training mode."""
        logits, class_logits = self._split_outputs(self._d(samples, labels, training=True))
        if class_logits is not None:
            class_logits = ops.cast(class_logits, "float32")
        return ops.cast(logits, "float32"), class_logits

    def _classification_loss(self, class_logits, labels):
        """Weighted mean cross-entropy of `labels` under `class_logits` (ACGAN)."""
        cross_entropy = keras.losses.sparse_categorical_crossentropy(
            labels, class_logits, from_logits=True
        )
        return self.auxiliary_classifier_weight * ops.mean(cross_entropy)

    def draw_latents(self, batch_size):
        """Draws training latents from the model's seed generator.

        Args:
            batch_size: int or scalar tensor. Number of latent vectors.

        Returns:
            Tensor `(batch_size, *latent_shape)` of standard normal noise.
        """
        # Under data parallelism (TensorFlow strategies, torch.distributed) each replica
        # takes its rows of one draw for the global batch: distinct latents per replica,
        # and the same latents as one device with the global batch.
        with self.seed_generator.shared():
            return trainers.replica_batch(
                lambda n: keras.random.normal((n,) + self.latent_shape, seed=self.seed_generator),
                batch_size,
            )

    def _discriminator_loss(self, batch, context):
        real, labels = batch
        step = context.index
        # Generated samples get the real batch's labels (the data's class mix).
        latents = self.draw_latents(ops.shape(real)[0])
        with trainers.no_gradient():  # no autograd graph for a pass that is cut anyway
            fake = ops.stop_gradient(self._g(latents, labels, training=True))
        real_logits, real_classes = self._outputs(real, labels)
        self.observe_real_logits(real_logits)  # e.g. ADA's overfitting heuristic
        fake_logits, fake_classes = self._outputs(fake, labels)
        loss = self.adversarial_loss.discriminator_loss(real_logits, fake_logits)
        logs = {"d_loss": loss}
        total = loss
        if self.auxiliary_classifier_weight:
            # Odena et al. 2017: D classifies real and generated samples.
            term = self._classification_loss(real_classes, labels) + self._classification_loss(
                fake_classes, labels
            )
            total = total + term
            logs["d_ac"] = term

        def discriminator_fn(samples):
            return self._split_outputs(self._d(samples, labels, training=True))[0]

        for penalty in self.penalties:
            term, applied = penalty(
                discriminator_fn, real, fake, self.seed_generator, step, training_step=context.step
            )
            total = total + term
            logs[penalty.name] = term / float(penalty.interval)
            logs["_applied_" + penalty.name] = applied
        return total, logs

    def _generator_loss(self, batch, context):
        real, labels = batch
        latents = self.draw_latents(ops.shape(real)[0])
        fake_logits, fake_classes = self._outputs(self._g(latents, labels, training=True), labels)
        real_logits = (
            self._outputs(real, labels)[0]
            if self.adversarial_loss.needs_real_logits_for_generator
            else None
        )
        loss = self.adversarial_loss.generator_loss(fake_logits, real_logits)
        logs = {"g_loss": loss}
        if not self.auxiliary_classifier_weight:
            return loss, logs
        logs["g_ac"] = self._classification_loss(fake_classes, labels)
        return loss + logs["g_ac"], logs

    def generator_inputs(self, batch):
        """Fresh latents and the generator (with the batch's labels) for generator regularizers."""
        real, labels = batch
        latents = self.draw_latents(ops.shape(real)[0])
        return [(lambda z: self._g(z, labels, training=True), latents)]

    def finish_step(self, batch):
        """Moves the EMA generator, if any, toward the generator."""
        if self.generator_ema is not None:
            # The global batch: the half-life counts images over all replicas.
            self._update_ema(ops.shape(batch[0])[0] * trainers.num_replicas())

    def unpack_batch(self, data):
        """Extracts and checks the real samples (and labels) of a training batch."""
        labels = None
        if isinstance(data, (tuple, list)):
            if not data:
                raise ValueError("GAN.fit() received an empty batch structure.")
            if self.conditional and len(data) > 1:
                labels = self._batch_labels(data[1])
            data = data[0]
        if self.conditional and labels is None:
            raise ValueError(
                f"This GAN is class-conditional (num_classes={self.num_classes}): fit() "
                "needs (samples, labels) batches, e.g. gan.fit(images, labels). Received "
                "batches without labels."
            )
        if isinstance(data, dict):
            raise ValueError(
                "GAN.fit() expects batches of samples (or tuples whose first element "
                f"is the samples). Received a dict with keys {sorted(data)}."
            )
        self._check_spec(_shape_tuple(data.shape), keras.backend.standardize_dtype(data.dtype))
        return ops.cast(data, "float32"), labels

    def batch_problems(self, data):
        """Checks one raw batch in the step: finite samples; labels whole, in range, one-hot.

        Returns an int32 code (0: fine; see
        `AdversarialModel.batch_problems`): 1 for NaN/inf samples, then, for
        a class-conditional GAN, 4 for fractional or non-finite labels, 3 for
        negative ones, 2 for labels >= `num_classes`, 5 for label rows that
        are not one-hot.
        """
        samples = data[0] if isinstance(data, (tuple, list)) and data else data
        ok = ops.convert_to_tensor(True)
        if keras.backend.is_float_dtype(keras.backend.standardize_dtype(samples.dtype)):
            ok = ops.all(ops.isfinite(samples))
        checks = [(ok, 1)]
        if self.conditional and isinstance(data, (tuple, list)) and len(data) > 1:
            labels = data[1]
            is_float = keras.backend.is_float_dtype(keras.backend.standardize_dtype(labels.dtype))
            values = ops.cast(labels, "float32")
            if len(labels.shape) == 2 and labels.shape[-1] == self.num_classes:
                binary = ops.logical_or(ops.equal(values, 0.0), ops.equal(values, 1.0))
                one_hot = ops.logical_and(
                    ops.all(binary), ops.all(ops.equal(ops.sum(values, axis=-1), 1.0))
                )
                checks.append((one_hot, 5))
            else:
                values = ops.reshape(values, (-1,))
                if is_float:
                    whole = ops.all(
                        ops.logical_and(ops.isfinite(values), ops.equal(values, ops.floor(values)))
                    )
                    checks.append((whole, 4))
                checks.append((ops.all(ops.greater_equal(values, 0.0)), 3))
                checks.append((ops.all(ops.less(values, float(self.num_classes))), 2))
        code = ops.convert_to_tensor(0, "int32")
        for passed, value in reversed(checks):  # the first failing check wins
            code = ops.where(passed, code, value)
        return ops.cast(code, "int32")

    def _batch_labels(self, labels):
        """Integer labels `(batch,)` from integer or one-hot labels."""
        rank = len(labels.shape)
        if rank == 2 and labels.shape[-1] == self.num_classes:
            return ops.cast(ops.argmax(labels, axis=-1), "int32")
        if rank == 2 and labels.shape[-1] == 1:
            labels = ops.reshape(labels, (-1,))
        elif rank != 1:
            raise ValueError(
                "Labels must be integers of shape (batch,) or one-hot of shape "
                f"(batch, {self.num_classes}). Received labels of shape {tuple(labels.shape)}."
            )
        return ops.cast(labels, "int32")

    # ------------------------------------------------------------------ #
    # fit / generation
    # ------------------------------------------------------------------ #
    def fit(self, x=None, y=None, **kwargs):
        """Trains the GAN; see `keras.Model.fit`.

        `x` may be a NumPy array of samples, a `tf.data.Dataset`, a
        `keras.utils.PyDataset`, a Python generator or (on PyTorch) a
        `torch.utils.data.DataLoader`, yielding sample batches or tuples whose
        first element is the samples and, for a class-conditional GAN, whose
        second element is the labels (integers, or one-hot); an unconditional
        GAN ignores labels in tuples. NumPy arrays and datasets with a static
        element spec are checked before training; other sources are checked on
        their first batch, before any update.

        Args:
            x: training samples, as above.
            y: labels for NumPy `x` of a class-conditional GAN (integers in
                `[0, num_classes)` or one-hot); must be None for an
                unconditional GAN.
            **kwargs: forwarded to `keras.Model.fit` (`epochs`, `batch_size`,
                `callbacks`, `steps_per_epoch`, `initial_epoch`, ...).

        Returns:
            A `keras.callbacks.History`.
        """
        self._check_compiled()
        if y is not None and not self.conditional:
            raise ValueError(
                "GAN.fit() takes samples only; an unconditional GAN has no targets. "
                f"Received: y of type {type(y).__name__}. For class-conditional "
                "training build the GAN with num_classes=... and conditional networks."
            )
        if self.conditional and isinstance(x, np.ndarray):
            if y is None:
                raise ValueError(
                    f"This GAN is class-conditional (num_classes={self.num_classes}): "
                    "fit() needs labels. Received: y=None. Call gan.fit(images, labels)."
                )
            rows = np.asarray(y)
            if (
                rows.ndim == 2
                and rows.shape[1] == self.num_classes
                and not (np.isin(rows, (0, 1)).all() and (rows.sum(axis=1) == 1).all())
            ):
                raise ValueError(
                    f"`y` holds rows of {self.num_classes} values that are not one-hot (soft "
                    "labels or scores would be silently arg-maxed). Pass integer class ids or "
                    "one-hot rows."
                )
            y = self.check_labels(y, num_samples=len(x), arg="y")
        if kwargs.get("validation_data") is not None or kwargs.get("validation_split"):
            raise ValueError(
                "GAN.fit() does not support validation_data / validation_split: a "
                "GAN has no validation loss. Track FID with keras_gan_kit.callbacks.FIDMonitor."
            )
        x = self._check_training_data(x)
        try:
            return super().fit(x, y, **kwargs)
        except Exception as e:
            # TensorFlow re-raises an error of a Python generator as InvalidArgumentError;
            # give back the generator check's own ValueError.
            lines = [line for line in str(e).splitlines() if line.startswith("ValueError: GAN.")]
            if isinstance(e, ValueError) or not lines:
                raise
            raise ValueError(lines[0][len("ValueError: ") :]) from e

    def check_labels(self, labels, num_samples=None, arg="labels") -> np.ndarray:
        """Validates class labels and returns them as `int32` `(n,)`.

        Args:
            labels: array-like of integers in `[0, num_classes)`, shape `(n,)`
                or `(n, 1)`, or one-hot `(n, num_classes)`.
            num_samples: int or None. Expected `n`.
            arg: str. Argument name used in error messages.

        Returns:
            `int32` array `(n,)`.
        """
        if not self.conditional:
            raise ValueError(
                f"This GAN is unconditional; it takes no labels. Received: {arg}. Build it "
                "with num_classes=... and conditional networks for class-conditional use."
            )
        return check_labels(labels, self.num_classes, num_samples=num_samples, arg=arg)

    def _check_training_data(self, x):
        """Checks what can be checked cheaply before training; returns `x`.

        Python generators are peeked at (their first batch is checked and put
        back) and wrapped so that bare arrays are yielded as 1-tuples, the
        form Keras' generator adapter expects.
        """
        first = None
        if isinstance(x, np.ndarray):
            first = x
        elif isinstance(x, types.GeneratorType) or (
            isinstance(x, collections.abc.Iterator)
            and not type(x).__module__.startswith(("tensorflow", "torch"))
        ):
            try:
                head = next(x)
            except StopIteration:
                raise ValueError("GAN.fit() received an empty generator.") from None
            x = _as_tuples(itertools.chain([head], x), self.sample_shape)
            if self.conditional:
                if not (isinstance(head, (tuple, list)) and len(head) > 1):
                    raise ValueError(
                        f"This GAN is class-conditional (num_classes={self.num_classes}): the "
                        "generator must yield (samples, labels) tuples."
                    )
                self.check_labels(head[1], num_samples=len(head[0]), arg="labels")
            first = head[0] if isinstance(head, (tuple, list)) and head else head
            first = np.asarray(first) if not isinstance(first, np.ndarray) else first
        elif isinstance(x, keras.utils.PyDataset):
            try:
                first = x[0]
            except Exception:  # noqa: BLE001 - peeking is best effort
                first = None
            if isinstance(first, (tuple, list)) and first:
                first = first[0]
        elif type(x).__module__.startswith("tensorflow") and hasattr(x, "element_spec"):
            spec = x.element_spec
            if isinstance(spec, (tuple, list)):
                spec = spec[0]
            if hasattr(spec, "shape") and hasattr(spec, "dtype"):
                self._check_spec(_shape_tuple(spec.shape), str(spec.dtype.name))
            return x
        if not isinstance(first, np.ndarray):
            return x
        self._check_spec(_shape_tuple(first.shape), first.dtype.name)
        if first.size == 0:
            raise ValueError("GAN.fit() received an empty array of samples.")
        if not np.all(np.isfinite(first)):
            bad = int(np.size(first) - np.count_nonzero(np.isfinite(first)))
            raise ValueError(
                f"GAN.fit() received samples with {bad} non-finite values (NaN or "
                "inf). Clean or impute the data first."
            )
        low, high = float(np.min(first)), float(np.max(first))
        if low < -1.0 - 1e-3 or high > 1.0 + 1e-3:
            message = f"The training samples span [{low:g}, {high:g}], outside [-1, 1]"
            if ends_in_tanh(self.generator):
                raise ValueError(
                    message + ", but the generator ends in tanh and can only output "
                    "[-1, 1]. Scale the data first, e.g. x / 127.5 - 1.0 for 0-255 "
                    "images or x * 2 - 1 for [0, 1] images."
                )
            if first.ndim >= 3:  # images; vectors (tabular, toy data) have no usual range
                warnings.warn(
                    message + ". Make sure the generator can produce that range.",
                    stacklevel=3,
                )
        elif low >= 0.0 and high <= 1.0 and first.ndim >= 3 and ends_in_tanh(self.generator):
            warnings.warn(
                f"The training images span [{low:g}, {high:g}], inside [0, 1], but the "
                "generator ends in tanh and outputs [-1, 1]: generated images will not match "
                "the data's range. Scale the data with x * 2 - 1.",
                stacklevel=3,
            )
        return x

    def _check_spec(self, shape, dtype):
        sample = shape[1:]
        if len(sample) != len(self.sample_shape) or any(
            d is not None and d != e for d, e in zip(sample, self.sample_shape)
        ):
            raise ValueError(
                "The training data's sample shape does not match the discriminator's "
                f"input. Received data of shape {shape}, expected "
                f"(n, {', '.join(str(d) for d in self.sample_shape)})."
            )
        if not keras.backend.is_float_dtype(keras.backend.standardize_dtype(dtype)):
            raise ValueError(
                f"GAN.fit() received {dtype} samples. Integer images (e.g. uint8 in "
                "[0, 255]) must be scaled to the generator's output range first, "
                "e.g. x.astype('float32') / 127.5 - 1.0 for a tanh generator."
            )

    def call(self, inputs, training=False):
        """Runs the generator (`inference_generator`).

        `gan(latents)` returns samples; a class-conditional GAN takes
        `gan([latents, labels])`.
        """
        return self.inference_generator(inputs, training=training)

    def sample_latents(self, num_samples: int, seed: int | None = None) -> np.ndarray:
        """Draws standard normal latents as a NumPy array.

        Args:
            num_samples: int. Number of latent vectors.
            seed: int. Draw from this seed instead of the model's sampling seed
                generator (which advances on every call). Defaults to None.

        Returns:
            float32 array `(num_samples, *latent_shape)`.
        """
        check_positive_int(num_samples, "num_samples")
        latents = keras.random.normal(
            (num_samples,) + self.latent_shape,
            seed=self.sampling_seed_generator if seed is None else seed,
        )
        return ops.convert_to_numpy(latents).astype("float32")

    def generate(self, num_samples=None, latents=None, labels=None, batch_size=None) -> np.ndarray:
        """Generates samples as a NumPy array, in inference mode.

        Uses the EMA generator when one is enabled and `use_ema` is True.

        Args:
            num_samples: int. Number of samples, from fresh latents. Give
                exactly one of `num_samples` and `latents`.
            latents: array `(n, *latent_shape)`. Latents to decode.
            labels: int or array `(n,)` of class ids (or one-hot). Required
                for a class-conditional GAN, refused by an unconditional one.
                An int asks for that class for every sample.
            batch_size: int. Generator batch size. Defaults to 256.

        Returns:
            float32 array `(n, *sample_shape)` in the generator's output range
            (also under mixed precision).
        """
        if (num_samples is None) == (latents is None):
            raise ValueError(
                "GAN.generate() needs exactly one of `num_samples` and `latents`. "
                f"Received: num_samples={num_samples!r}, latents="
                f"{'None' if latents is None else 'array'}"
            )
        if latents is None:
            latents = self.sample_latents(num_samples)
        latents = np.asarray(ops.convert_to_numpy(latents), dtype="float32")
        if latents.ndim < 1 or tuple(latents.shape[1:]) != self.latent_shape:
            raise ValueError(
                f"`latents` must have shape (n, {', '.join(map(str, self.latent_shape))})."
                f" Received: latents.shape={latents.shape}"
            )
        batch_size = 256 if batch_size is None else check_positive_int(batch_size, "batch_size")
        if self.conditional:
            if labels is None:
                raise ValueError(
                    f"This GAN is class-conditional (num_classes={self.num_classes}): "
                    "generate() needs `labels` (an int or one class id per sample). "
                    "Received: labels=None"
                )
            if np.ndim(labels) == 0:
                labels = np.full(len(latents), labels)
            labels = self.check_labels(labels, num_samples=len(latents))
        elif labels is not None:
            self.check_labels(labels)  # raises: an unconditional GAN takes no labels
        generator = self.inference_generator

        def run(i):
            z = latents[i : i + batch_size]
            inputs = [z, labels[i : i + batch_size]] if self.conditional else z
            return ops.convert_to_numpy(generator(inputs, training=False)).astype("float32")

        outputs = [run(i) for i in range(0, len(latents), batch_size)]
        return (
            np.concatenate(outputs, axis=0)
            if outputs
            else np.zeros((0,) + self.sample_shape, "float32")
        )

    # ------------------------------------------------------------------ #
    # Serialization
    # ------------------------------------------------------------------ #
    def get_config(self):
        """Config: both networks (serialized), `latent_dim`, `seed`, EMA and class settings."""
        config = super().get_config()
        config.update(
            {
                "latent_dim": self.latent_dim,
                "ema_half_life_images": (
                    keras.saving.serialize_keras_object(self.ema_half_life_images)
                    if isinstance(
                        self.ema_half_life_images, keras.optimizers.schedules.LearningRateSchedule
                    )
                    else self.ema_half_life_images
                ),
                "use_ema": self.use_ema,
                "num_classes": self.num_classes,
                "ema_rampup": self.ema_rampup,
            }
        )
        return config

    def _saved_seed_generators(self):
        return [self.seed_generator, self.sampling_seed_generator]

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Recreates the GAN and its networks from `get_config()`'s output."""
        config = dict(config)
        if isinstance(config.get("latent_dim"), list):
            config["latent_dim"] = tuple(config["latent_dim"])
        if isinstance(config.get("ema_half_life_images"), dict):  # a schedule
            config["ema_half_life_images"] = keras.saving.deserialize_keras_object(
                config["ema_half_life_images"], custom_objects=custom_objects
            )
        return super().from_config(config, custom_objects=custom_objects)
