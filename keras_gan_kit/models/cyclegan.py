"""`CycleGAN`: unpaired image-to-image translation (Zhu et al. 2017)."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_gan_kit import losses as losses_lib
from keras_gan_kit.datasets.unpaired_dataset import UnpairedDataset
from keras_gan_kit.layers.image_history_buffer import ImageHistoryBuffer
from keras_gan_kit.models.adversarial_model import AdversarialModel
from keras_gan_kit.models.common import check_network
from keras_gan_kit.models.translation import (
    check_jitter,
    probe_shape,
    reference_generator_scale,
    translate_images,
    warn_if_critic_loss,
)
from keras_gan_kit.trainers import Phase
from keras_gan_kit.utils.validation import (
    check_finite_number,
    check_image_array,
    check_non_negative_int,
)

__all__ = ["CycleGAN"]


def _l1(a, b):
    return ops.mean(ops.abs(a - b))


def _copy_augmentation(augmentation):
    """An independent copy of an augmentation layer: same settings, own state, next seed."""
    config = augmentation.get_config()
    if isinstance(config.get("seed"), int) and not isinstance(config["seed"], bool):
        config["seed"] += 1
    config["name"] = f"{augmentation.name}_b"
    return type(augmentation).from_config(config)


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class CycleGAN(AdversarialModel):
    """Unpaired translation between two image domains A and B, trained by `fit()`.

    Two generators (`generator_ab`: A -> B, `generator_ba`: B -> A) and two
    discriminators (`discriminator_a` tells real A images from translated
    ones, `discriminator_b` likewise for B). Each step has two phases, as in
    the reference implementation:

    1. **generators** (one optimizer for both): adversarial loss of each
       translation, plus cycle consistency
       `cycle_weight * (|G_ba(G_ab(a)) - a| + |G_ab(G_ba(b)) - b|)` and identity
       `cycle_weight * identity_weight * (|G_ab(b) - b| + |G_ba(a) - a|)`
       (mean absolute errors);
    2. **discriminators** (one optimizer for both): each discriminator on
       real images and on translated images drawn through an
       `ImageHistoryBuffer` of `history_size` past translations.

    The terms are weighted as in the reference code, so the paper's weights
    carry over: its LSGAN criterion is the plain MSE, so the generators'
    adversarial term is `(D(fake) - 1)^2` per discriminator (twice the
    library's `LeastSquaresLoss` generator loss) and each discriminator's loss
    `0.5 * ((D(real) - 1)^2 + D(fake)^2)` (the library's `LeastSquaresLoss`
    discriminator loss, which is the reference's halved objective).

    The translations of phase 1 are reused (detached) in phase 2, so each
    generator runs three times per step (translation, cycle, identity).
    Data yield `(image_a, image_b)` batches from two unaligned sets:
    `cyclegan.fit(images_a, images_b)` wraps two arrays of any lengths in a
    `keras_gan_kit.datasets.UnpairedDataset` (batch size 1 by default, as in
    the paper).

    Logged: `g_loss` (adversarial, both generators), `cycle` and `identity`
    (weighted), `d_loss` (both discriminators).

    Discriminator-input augmentation (`augmentation=`, e.g.
    `keras_gan_kit.augment.DiffAugment` or `ADA`) comes with one instance per
    discriminator: `augmentation` transforms what `discriminator_a` sees and
    `augmentation_b` (by default an independent copy of it: same settings,
    its own state and the next seed) what `discriminator_b` sees, in both
    phases. Each discriminator overfits at its own pace, so each `ADA` tunes
    its own `p` from its own discriminator's logits on real images; they are
    logged as `ada_p_a`, `ada_rt_a`, `ada_p_b` and `ada_rt_b`.

    `jitter=` (e.g. `keras_gan_kit.augment.RandomJitter()`) transforms the
    training images themselves, before anything sees them, independently in
    each domain: the paper's random jitter (resize to 286, random crop back
    to 256) and mirroring.

    Args:
        generator_ab: `keras.Model`. Maps A images to B images, in [-1, 1].
        generator_ba: `keras.Model`. Maps B images to A images.
        discriminator_a: `keras.Model`. A images -> logits (e.g. a PatchGAN).
        discriminator_b: `keras.Model`. B images -> logits.
        cycle_weight: float. The paper's lambda. Defaults to 10.
        identity_weight: float. Identity term weight relative to
            `cycle_weight` (the reference code's `lambda_identity`). Needs
            domains with the same number of channels; 0 disables it.
            Defaults to 0.5.
        history_size: int. Capacity of each image history buffer; 0 feeds the
            discriminators the current translations only. Defaults to 50.
        image_size: int or tuple `(height, width)`. Training image size, which
            the history buffers need. Defaults to None: taken from the
            generators' input shape; required for fully convolutional
            generators when `history_size > 0`.
        jitter: `keras_gan_kit.augment.RandomJitter` (or another layer that
            maps a batch of images to a batch of the same shape) or None.
            Applied in training to each domain's batch, independently. Never
            applied by `translate()`. Defaults to None (the images as given).
        augmentation_b: `keras.layers.Layer` or None. Differentiable
            augmentation of every image `discriminator_b` sees. Defaults to
            None: an independent copy of `augmentation` (none if
            `augmentation` is None).
        seed: int. Seed of the training noise. Defaults to None.
        **kwargs: `keras_gan_kit.models.AdversarialModel` arguments
            (`augmentation`: a differentiable augmentation of every image
            `discriminator_a` sees) and `keras.Model` ones (`name`, `dtype`).

    Example:

    ```python
    import keras_gan_kit as kgk

    photos, paintings = kgk.datasets.make_unpaired_demo(200, image_size=64)
    nets = kgk.networks
    model = kgk.models.CycleGAN(
        nets.ResNetGenerator(num_residual_blocks=6), nets.ResNetGenerator(num_residual_blocks=6),
        nets.PatchGANDiscriminator(normalization="instance"),
        nets.PatchGANDiscriminator(normalization="instance"),
        image_size=64,
    )
    model.compile()                       # least-squares loss, Adam(2e-4, 0.5)
    model.fit(photos, paintings, epochs=10)
    as_paintings = model.translate(photos[:4])               # A -> B
    as_photos = model.translate(paintings[:4], direction="ba")
    ```

    References:
        Zhu et al., "Unpaired Image-to-Image Translation using
        Cycle-Consistent Adversarial Networks", ICCV 2017.
    """

    network_names = ("generator_ab", "generator_ba", "discriminator_a", "discriminator_b")
    optimizer_arguments = {
        "generators": "generator_optimizer",
        "discriminators": "discriminator_optimizer",
    }
    generator_optimizer_name = "generators"

    def __init__(
        self,
        generator_ab,
        generator_ba,
        discriminator_a,
        discriminator_b,
        cycle_weight=10.0,
        identity_weight=0.5,
        history_size=50,
        image_size=None,
        jitter=None,
        augmentation_b=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        self.jitter = check_jitter(jitter)
        if augmentation_b is None and self.augmentation is not None:
            augmentation_b = _copy_augmentation(self.augmentation)
        if augmentation_b is not None and not isinstance(augmentation_b, keras.layers.Layer):
            raise ValueError(
                "`augmentation_b` must be a keras.layers.Layer (a differentiable augmentation "
                f"of discriminator_b's inputs) or None. Received: augmentation_b="
                f"{augmentation_b!r} of type {type(augmentation_b).__name__}"
            )
        if augmentation_b is not None and augmentation_b is self.augmentation:
            raise ValueError(
                "`augmentation_b` must be another instance than `augmentation`: each "
                "discriminator's augmentation keeps its own state (ADA's p). Received the "
                "same layer for both."
            )
        self.augmentation_b = augmentation_b
        for arg, network in (
            ("generator_ab", generator_ab),
            ("generator_ba", generator_ba),
            ("discriminator_a", discriminator_a),
            ("discriminator_b", discriminator_b),
        ):
            check_network(network, arg)
        self.cycle_weight = check_finite_number(cycle_weight, "cycle_weight", minimum=0)
        self.identity_weight = check_finite_number(identity_weight, "identity_weight", minimum=0)
        self.history_size = check_non_negative_int(history_size, "history_size")
        self.generator_ab = generator_ab
        self.generator_ba = generator_ba
        self.discriminator_a = discriminator_a
        self.discriminator_b = discriminator_b
        self.image_size = self._resolve_image_size(image_size)
        channels_a, channels_b = self._build_networks()
        self.channels_a, self.channels_b = channels_a, channels_b
        buffer_size = self.image_size or (1, 1)
        self.history_a = ImageHistoryBuffer(
            history_size if self.image_size else 0, (*buffer_size, channels_a), name="history_a"
        )
        self.history_b = ImageHistoryBuffer(
            history_size if self.image_size else 0, (*buffer_size, channels_b), name="history_b"
        )
        if self.image_size is not None:
            # Built (and their shapes checked) now, so that fit() finds every layer built.
            for augmentation, channels in (
                (self.augmentation, channels_a),
                (self.augmentation_b, channels_b),
            ):
                if augmentation is not None and not augmentation.built:
                    augmentation.build((None, *self.image_size, channels))
            if hasattr(self.jitter, "resize_size"):
                self.jitter.resize_size(self.image_size)  # a too small jitter_size fails here
        self.built = True

    def _resolve_image_size(self, image_size):
        if image_size is None:
            inputs = getattr(self.generator_ab, "inputs", None)
            shape = tuple(inputs[0].shape[1:3]) if inputs else (None, None)
            if None not in shape:
                return tuple(int(d) for d in shape)
            if self.history_size > 0:
                raise ValueError(
                    "The history buffers need the training image size, and the generators "
                    "are fully convolutional. Pass image_size=(height, width) (or an int), or "
                    "history_size=0. Received: image_size=None"
                )
            return None
        size = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
        if len(size) != 2 or not all(
            isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in size
        ):
            raise ValueError(
                "`image_size` must be a positive int or (height, width). Received: "
                f"image_size={image_size!r}"
            )
        return size

    def _build_networks(self):
        shape_a = probe_shape(self.generator_ab)
        if self.image_size is not None:
            shape_a = (1, *self.image_size, shape_a[-1])
        image_a = ops.zeros(shape_a)
        image_b = self.generator_ab(image_a, training=False)
        back = self.generator_ba(image_b, training=False)
        if tuple(back.shape) != shape_a or tuple(image_b.shape[:3]) != shape_a[:3]:
            raise ValueError(
                "generator_ab and generator_ba must map images to images of the same size and "
                f"invert each other's channels. Received: A {shape_a} -> B "
                f"{tuple(image_b.shape)} -> A {tuple(back.shape)}."
            )
        channels_a, channels_b = shape_a[-1], int(image_b.shape[-1])
        if self.identity_weight and channels_a != channels_b:
            raise ValueError(
                "The identity term feeds B images to generator_ab, so it needs domains with "
                f"the same channels. Received {channels_a} (A) and {channels_b} (B) channels "
                f"with identity_weight={self.identity_weight}; pass identity_weight=0."
            )
        for name, discriminator, image in (
            ("discriminator_a", self.discriminator_a, image_a),
            ("discriminator_b", self.discriminator_b, image_b),
        ):
            logits = discriminator(image, training=False)
            if isinstance(logits, (list, tuple)) or logits.shape[0] != 1:
                raise ValueError(
                    f"{name} must return one logit tensor with a batch axis. Received "
                    f"{type(logits).__name__} for a batch of 1."
                )
        return channels_a, channels_b

    def get_config(self):
        """Config: the four networks (serialized), the weights, sizes, augmentations, `seed`."""
        config = super().get_config()

        def serialize(layer):
            return None if layer is None else keras.saving.serialize_keras_object(layer)

        config.update(
            {
                "cycle_weight": self.cycle_weight,
                "identity_weight": self.identity_weight,
                "history_size": self.history_size,
                "image_size": self.image_size,
                "jitter": serialize(self.jitter),
                "augmentation_b": serialize(self.augmentation_b),
            }
        )
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Recreates the model, its networks and layers from `get_config()`'s output."""
        config = dict(config)
        for name in ("jitter", "augmentation_b"):
            if isinstance(config.get(name), dict):
                config[name] = keras.saving.deserialize_keras_object(
                    config[name], custom_objects=custom_objects
                )
        return super().from_config(config, custom_objects=custom_objects)

    def compile(
        self,
        generator_optimizer="auto",
        discriminator_optimizer="auto",
        loss="least_squares",
        **kwargs,
    ):
        """Configures training.

        Args:
            generator_optimizer: optimizer of both generators: instance, name,
                config or `"auto"` (`Adam(2e-4, beta_1=0.5)`). For the paper's
                linear decay use `keras_gan_kit.optimizers.LinearDecay` as its
                learning rate. Defaults to `"auto"`.
            discriminator_optimizer: optimizer of both discriminators; a
                separate instance. Defaults to `"auto"`.
            loss: adversarial loss. Defaults to `"least_squares"` (LSGAN, the
                paper's).
            **kwargs: the engine's arguments (see
                `keras_gan_kit.models.AdversarialModel.compile`):
                `generator_regularizers` (applied to both generators),
                `jit_compile` (default `"auto"`), `steps_per_execution`
                (default 1) and `run_eagerly`.
        """
        adversarial_loss = losses_lib.get(loss)
        warn_if_critic_loss(adversarial_loss)
        super().compile(
            optimizers={
                "generators": generator_optimizer,
                "discriminators": discriminator_optimizer,
            },
            loss=adversarial_loss,
            **kwargs,
        )

    def optimizer_variables(self):
        """Both generators' variables (one optimizer), both discriminators' (another)."""
        return {
            "generators": self.generator_ab.trainable_variables
            + self.generator_ba.trainable_variables,
            "discriminators": self.discriminator_a.trainable_variables
            + self.discriminator_b.trainable_variables,
        }

    def log_names(self):
        """`d_loss`, `g_loss`, `cycle` and `identity`."""
        return ["d_loss", "g_loss", "cycle", "identity"]

    def phases(self):
        """Both generators, then both discriminators on history-buffer translations."""
        variables = self.optimizer_variables()
        return [
            Phase(
                "generators",
                self._generators_loss,
                variables["generators"],
                self.optimizer["generators"],
                log_names=("g_loss", "cycle", "identity"),
            ),
            Phase(
                "discriminators",
                self._discriminators_loss,
                variables["discriminators"],
                self.optimizer["discriminators"],
                log_names=("d_loss",),
            ),
        ]

    def _augmentation_log_names(self):
        names = []
        for augmentation, suffix in ((self.augmentation, "_a"), (self.augmentation_b, "_b")):
            if augmentation is not None and hasattr(augmentation, "logs"):
                names += [name + suffix for name in getattr(augmentation, "log_names", ())]
        return tuple(names)

    def _augmentation_logs(self):
        logs = {}
        for augmentation, suffix in ((self.augmentation, "_a"), (self.augmentation_b, "_b")):
            if augmentation is not None and hasattr(augmentation, "logs"):
                logs.update({k + suffix: v for k, v in augmentation.logs().items()})
        return logs

    def _logits(self, discriminator, images):
        """Float32 logits of `images`, through the discriminator's own augmentation."""
        if discriminator is self.discriminator_a:
            images = self.augment(images)
        elif self.augmentation_b is not None:
            images = ops.cast(self.augmentation_b(images, training=True), "float32")
        return ops.cast(discriminator(images, training=True), "float32")

    def _translate(self, generator, images):
        return ops.cast(generator(images, training=True), "float32")

    def _adversarial(self, discriminator, fake, real):
        real_logits = (
            self._logits(discriminator, real)
            if self.adversarial_loss.needs_real_logits_for_generator
            else None
        )
        loss = self.adversarial_loss.generator_loss(self._logits(discriminator, fake), real_logits)
        return reference_generator_scale(self.adversarial_loss) * loss

    def _generators_loss(self, batch, context):
        real_a, real_b = batch
        fake_b = self._translate(self.generator_ab, real_a)
        fake_a = self._translate(self.generator_ba, real_b)
        adversarial = self._adversarial(self.discriminator_b, fake_b, real_b) + self._adversarial(
            self.discriminator_a, fake_a, real_a
        )
        cycle = self.cycle_weight * (
            _l1(self._translate(self.generator_ba, fake_b), real_a)
            + _l1(self._translate(self.generator_ab, fake_a), real_b)
        )
        total = adversarial + cycle
        identity = ops.zeros(())
        if self.identity_weight:
            identity = (
                self.cycle_weight
                * self.identity_weight
                * (
                    _l1(self._translate(self.generator_ab, real_b), real_b)
                    + _l1(self._translate(self.generator_ba, real_a), real_a)
                )
            )
            total = total + identity
        logs = {
            "g_loss": adversarial,
            "cycle": cycle,
            "identity": identity,
            "_fake_a": ops.stop_gradient(fake_a),
            "_fake_b": ops.stop_gradient(fake_b),
        }
        return total, logs

    def _discriminators_loss(self, batch, context):
        real_a, real_b = batch
        # The buffers hold plain state: updated here, outside any gradient path.
        pooled_a = self.history_a(context.carry["_fake_a"], seed=self.seed_generator)
        pooled_b = self.history_b(context.carry["_fake_b"], seed=self.seed_generator)
        real_logits_a = self._logits(self.discriminator_a, real_a)
        real_logits_b = self._logits(self.discriminator_b, real_b)
        # Each augmentation's controller (ADA's p) follows its own discriminator.
        self.observe_real_logits(real_logits_a)
        update_b = getattr(self.augmentation_b, "update_state", None)
        if update_b is not None:
            update_b(ops.stop_gradient(real_logits_b))
        loss_a = self.adversarial_loss.discriminator_loss(
            real_logits_a, self._logits(self.discriminator_a, pooled_a)
        )
        loss_b = self.adversarial_loss.discriminator_loss(
            real_logits_b, self._logits(self.discriminator_b, pooled_b)
        )
        loss = loss_a + loss_b
        return loss, {"d_loss": loss}

    def unpack_batch(self, data):
        """`(images_a, images_b)` as float32 from a batch of the two domains, jittered."""
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ValueError(
                "CycleGAN.fit() needs (image_a, image_b) batches: fit(images_a, images_b) or "
                "a dataset of tuples."
            )
        real_a, real_b = ops.cast(data[0], "float32"), ops.cast(data[1], "float32")
        if self.jitter is not None:  # training only; one draw per domain (independent)
            real_a = self.jitter(real_a, training=True)
            real_b = self.jitter(real_b, training=True)
        return real_a, real_b

    def generator_inputs(self, batch):
        """Both generators on their source domain's images, for generator regularizers."""
        real_a, real_b = batch
        return [
            (lambda x: self.generator_ab(x, training=True), real_a),
            (lambda x: self.generator_ba(x, training=True), real_b),
        ]

    def fit(self, x=None, y=None, **kwargs):
        """Trains on two unaligned image sets; see `keras.Model.fit`.

        Args:
            x: domain A images `(n_a, h, w, c_a)` in [-1, 1] (with `y`), or a
                dataset / `PyDataset` / generator yielding `(images_a,
                images_b)` batches.
            y: domain B images `(n_b, h, w, c_b)` in [-1, 1] when `x` is an
                array; `n_b` may differ from `n_a`. The two arrays are wrapped
                in `UnpairedDataset(x, y, batch_size, seed=seed)`: an epoch is
                `max(n_a, n_b)` images, each set reshuffled every epoch.
            **kwargs: forwarded to `keras.Model.fit`. `batch_size` defaults to
                1 (the paper's) for arrays.

        Returns:
            A `keras.callbacks.History`.
        """
        self._check_compiled()
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            if y is None:
                raise ValueError(
                    "CycleGAN.fit() needs images of both domains: fit(images_a, images_b). "
                    "Received: y=None"
                )
            x = check_image_array(x, "x")
            y = check_image_array(y, "y")
            for arg, images, channels in (("x", x, self.channels_a), ("y", y, self.channels_b)):
                expected = (*self.image_size, channels) if self.image_size else None
                if images.shape[-1] != channels or (
                    expected is not None and images.shape[1:] != expected
                ):
                    raise ValueError(
                        f"`{arg}` must hold images of shape (n, "
                        f"{', '.join(map(str, expected or ('h', 'w', channels)))}). Received: "
                        f"{arg}.shape={images.shape}"
                    )
            if "shuffle" in kwargs and not kwargs.pop("shuffle"):
                raise ValueError("CycleGAN.fit() always shuffles arrays. Received: shuffle=False")
            x = UnpairedDataset(
                x, y, batch_size=kwargs.pop("batch_size", None) or 1, seed=self.seed
            )
            y = None
        return super().fit(x, y, **kwargs)

    def call(self, inputs, training=False):
        """Translates A images to B (`generator_ab`)."""
        return self.generator_ab(inputs, training=training)

    def translate(self, images, direction: str = "ab", batch_size: int = 8, mode: str = "auto"):
        """Translates images of any size, in inference mode.

        See `keras_gan_kit.models.translate_images` for sizes and ranges:
        `uint8` in, `uint8` out; [-1, 1] floats in, [-1, 1] float32 out.

        Args:
            images: array `(n, h, w, c)` or `(h, w, c)`, or a list of images.
            direction: `"ab"` (A -> B, `generator_ab`) or `"ba"`. Defaults to `"ab"`.
            batch_size: int. Defaults to 8.
            mode: `"auto"`, `"pad"` or `"resize"`. Defaults to `"auto"`.

        Returns:
            The translated images, shaped as `images`.
        """
        if direction not in ("ab", "ba"):
            raise ValueError(f"`direction` must be 'ab' or 'ba'. Received: direction={direction!r}")
        generator = self.generator_ab if direction == "ab" else self.generator_ba
        return translate_images(generator, images, batch_size=batch_size, mode=mode)
