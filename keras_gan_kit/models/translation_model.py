"""`TranslationModel`: what `Pix2Pix` and `CycleGAN` share (internal base class)."""

from __future__ import annotations

import warnings

import keras
import numpy as np
from keras import ops

from keras_gan_kit import losses as losses_lib
from keras_gan_kit import trainers
from keras_gan_kit.models.common import loss_scaled, resolve_optimizer, uses_float16
from keras_gan_kit.optimizers import OptimizerGroup
from keras_gan_kit.trainers import Phase
from keras_gan_kit.utils.validation import check_positive_int

__all__ = ["TranslationModel"]


def check_image_array(images, arg, image_rank=3, in_tanh_range=True):
    """Checks a NumPy image array before training; returns it as float32.

    Integers are refused (they would be trained as if in [-1, 1]); values must
    be finite and, when `in_tanh_range`, within [-1, 1].
    """
    images = np.asarray(images)
    if images.ndim != image_rank + 1:
        raise ValueError(
            f"`{arg}` must be a batch of images of shape (n, height, width, channels). "
            f"Received: {arg}.shape={images.shape}"
        )
    if images.dtype.kind != "f":
        raise ValueError(
            f"`{arg}` holds {images.dtype} values. Scale images to [-1, 1] floats first, "
            "e.g. x.astype('float32') / 127.5 - 1.0 for uint8 images."
        )
    if len(images) == 0:
        raise ValueError(f"`{arg}` is empty. Received: {arg}.shape={images.shape}")
    if not np.all(np.isfinite(images)):
        raise ValueError(f"`{arg}` contains NaN or inf values.")
    low, high = float(images.min()), float(images.max())
    if in_tanh_range and (low < -1.0 - 1e-3 or high > 1.0 + 1e-3):
        raise ValueError(
            f"`{arg}` spans [{low:g}, {high:g}]; images must lie in [-1, 1] (the range "
            "of the tanh generators). Scale them first, e.g. x / 127.5 - 1.0 for 0-255 "
            "images or x * 2 - 1 for [0, 1] images."
        )
    return images.astype("float32", copy=False)


def reference_generator_scale(adversarial_loss) -> float:
    """Factor that turns the library's generator loss into the reference code's criterion.

    The Pix2Pix/CycleGAN reference code weighs its L1 terms (lambda = 100, 10)
    against `criterion(D(fake), real_label)`: BCE, which equals the library's
    non-saturating generator loss, or, for LSGAN, the plain MSE `(D - 1)^2`,
    which is twice `keras_gan_kit.losses.LeastSquaresLoss`' `0.5 * (D - 1)^2`. With
    this factor the paper's weights mean what they mean there.
    """
    return 2.0 if isinstance(adversarial_loss, losses_lib.LeastSquaresLoss) else 1.0


class TranslationModel(keras.Model):
    """Shared engine of the image-to-image models (not public API).

    Subclasses name their networks in `network_names` (constructor
    arguments and attributes alike), and define `_phase_specs()` (the ordered
    list of `(name, loss_fn, optimizer_key)`), `_step(data)`, `_log_names()`
    and `_scalar_config()` (their other constructor arguments). This class
    compiles the optimizers into one `OptimizerGroup` (a
    `LossScaleOptimizer` per member under `mixed_float16`), runs the phases
    through the backend trainer, tracks the logs, writes the config and saves
    the seed state.
    """

    def _init_seed(self, seed):
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ValueError(f"`seed` must be an int or None. Received: seed={seed!r}")
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="training_seed")
        self.adversarial_loss = None
        self._trackers = {}
        self._phases = None
        self._compile_arguments = None

    def _compile_phases(
        self,
        optimizers: dict,
        variables: dict,
        loss,
        jit_compile,
        steps_per_execution,
        run_eagerly,
    ):
        check_positive_int(steps_per_execution, "steps_per_execution")
        if steps_per_execution > 1 and keras.backend.backend() == "torch":
            raise ValueError(
                "Keras runs one step per call on the PyTorch backend; "
                "`steps_per_execution` must be 1 there. Received: "
                f"steps_per_execution={steps_per_execution}"
            )
        adversarial_loss = losses_lib.get(loss)
        if adversarial_loss.is_critic_loss:
            warnings.warn(
                f"The {adversarial_loss.name!r} loss needs a Lipschitz critic (e.g. spectral "
                "normalization); image-to-image models have no gradient penalty option.",
                stacklevel=3,
            )
        resolved = {key: resolve_optimizer(value, arg) for key, (value, arg) in optimizers.items()}
        if len({id(o) for o in resolved.values()}) != len(resolved):
            raise ValueError(
                "Each group of networks needs its own optimizer instance (an optimizer "
                f"keeps per-variable state). Received the same instance for {list(optimizers)}."
            )
        self._compile_arguments = {
            **{
                arg: keras.saving.serialize_keras_object(resolved[key])
                for key, (_, arg) in optimizers.items()
            },
            "loss": keras.saving.serialize_keras_object(adversarial_loss),
            "jit_compile": jit_compile,
            "steps_per_execution": steps_per_execution,
        }
        if uses_float16(self, *self._networks()):
            resolved = {key: loss_scaled(o, key) for key, o in resolved.items()}
        group = OptimizerGroup(resolved)
        group.build_members(variables)
        super().compile(
            optimizer=group,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
            run_eagerly=run_eagerly,
            auto_scale_loss=False,
        )
        self.adversarial_loss = adversarial_loss
        self._trackers = {name: keras.metrics.Mean(name=name) for name in self._log_names()}
        self._phases = {
            name: Phase(name, loss_fn, variables[key], group[key])
            for name, loss_fn, key in self._phase_specs()
        }

    network_names = ()

    def _networks(self):
        return tuple(getattr(self, name) for name in self.network_names)

    def _scalar_config(self):
        raise NotImplementedError

    def _log_names(self):
        raise NotImplementedError

    def _phase_specs(self):
        raise NotImplementedError

    def _step(self, data):
        raise NotImplementedError

    def _run(self, name, *inputs):
        """Runs phase `name`; tracks its public logs and returns all of them."""
        logs = trainers.get_trainer().run_phase(self._phases[name], *inputs)
        for key, value in logs.items():
            if not key.startswith("_"):
                self._trackers[key].update_state(value)
        return logs

    def _logits(self, discriminator, inputs):
        return ops.cast(discriminator(inputs, training=True), "float32")

    @property
    def metrics(self):
        """The loss trackers, one per logged value."""
        return list(self._trackers.values())

    def _finish_step(self):
        self.optimizer.iterations.assign_add(1)
        return {name: tracker.result() for name, tracker in self._trackers.items()}

    def train_step(self, *args):
        """One update of every network; the signature follows the backend's contract."""
        return trainers.get_trainer().train_step(self, args, self._step)

    def _no_evaluation(self, *args, **kwargs):
        raise NotImplementedError(
            f"{type(self).__name__}.evaluate() and fit(validation_data=...) are not "
            "supported: adversarial losses do not measure quality. Use "
            "keras_gan_kit.metrics (L1/PSNR/SSIM on held-out pairs, FID) on translate()'s "
            "outputs."
        )

    test_step = _no_evaluation
    evaluate = _no_evaluation
    test_on_batch = _no_evaluation

    def _check_fit_arguments(self, kwargs):
        if self._phases is None or not getattr(self, "compiled", False):
            raise ValueError(
                f"{type(self).__name__}.fit() was called before compile(). Call "
                "model.compile() first."
            )
        if kwargs.get("validation_data") is not None or kwargs.get("validation_split"):
            raise ValueError(
                f"{type(self).__name__}.fit() does not support validation_data / "
                "validation_split; evaluate translations with keras_gan_kit.metrics."
            )

    def get_compile_config(self):
        """The arguments of the last `compile()` call, serialized."""
        return self._compile_arguments

    def compile_from_config(self, config):
        """Compiles the model from `get_compile_config()`'s output."""
        config = dict(config)
        for key, value in config.items():
            if isinstance(value, dict) and "class_name" in value:
                config[key] = keras.saving.deserialize_keras_object(value)
        self.compile(**config)

    def get_config(self):
        """Config: the networks (serialized), `seed` and the other arguments."""
        config = super().get_config()
        for name in self.network_names:
            config[name] = keras.saving.serialize_keras_object(getattr(self, name))
        config.update(self._scalar_config())
        config["seed"] = self.seed
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Recreates the model and its networks from `get_config()`'s output."""
        config = dict(config)
        for name in cls.network_names:
            config[name] = keras.saving.deserialize_keras_object(
                config[name], custom_objects=custom_objects
            )
        return cls(**config)

    def save_own_variables(self, store):
        """Saves the seed generator's state, so resumed runs draw the same noise."""
        store["0"] = ops.convert_to_numpy(self.seed_generator.state)

    def load_own_variables(self, store):
        """Restores the seed state saved by `save_own_variables`."""
        if "0" in store:
            self.seed_generator.state.assign(store["0"])


def _size_multiple(generator) -> int:
    """Height/width multiple a fully convolutional generator needs (2^downsamplings)."""
    downsamples = getattr(generator, "num_downsamples", None)
    return 2 ** int(downsamples) if downsamples else 1


def _fixed_size(generator):
    """`(height, width)` a generator's input is built for, or None if any size goes."""
    inputs = getattr(generator, "inputs", None)
    if not inputs or len(inputs[0].shape) != 4:
        return None
    height, width = inputs[0].shape[1:3]
    return None if height is None or width is None else (int(height), int(width))


def _resize(image, size):
    """Bicubic resize of one float image `(h, w, c)` to `size = (h2, w2)`."""
    from PIL import Image

    if image.shape[:2] == tuple(size):
        return image
    channels = [
        np.asarray(
            Image.fromarray(np.ascontiguousarray(image[:, :, c])).resize(
                (size[1], size[0]), Image.Resampling.BICUBIC
            )
        )
        for c in range(image.shape[2])
    ]
    return np.clip(np.stack(channels, axis=-1), -1.0, 1.0).astype("float32")


def translate_images(generator, images, batch_size=8, mode="auto"):
    """Runs an image-to-image generator on images of any size, keeping their range.

    Args:
        generator: the generator (`keras.Model`), mapping [-1, 1] images to [-1, 1].
        images: array `(n, h, w, c)` or `(h, w, c)`, or a list of such images of
            different sizes. `uint8` images (0-255) are scaled to [-1, 1] and the
            results returned as `uint8`; float images must lie in [-1, 1] and the
            results are float32 in [-1, 1].
        batch_size: int. Images per generator call (for same-size batches).
        mode: `"auto"`, `"pad"` or `"resize"`. `"pad"` reflect-pads each image to
            the generator's size multiple (2^downsamplings) and crops the output
            back: no resampling, for fully convolutional generators. `"resize"`
            resizes to the generator's input size and back (bicubic). `"auto"`
            resizes when the generator was built for one input size, pads
            otherwise.

    Returns:
        The translations, with the structure, shapes and dtype of `images`.
    """
    check_positive_int(batch_size, "batch_size")
    if mode not in ("auto", "pad", "resize"):
        raise ValueError(f"`mode` must be 'auto', 'pad' or 'resize'. Received: mode={mode!r}")
    fixed = _fixed_size(generator)
    if mode == "auto":
        mode = "resize" if fixed is not None else "pad"
    if mode == "resize" and fixed is None:
        raise ValueError(
            "mode='resize' needs a generator built for one input size; this one is fully "
            "convolutional. Use mode='pad'."
        )
    if isinstance(images, (list, tuple)):
        return [translate_images(generator, image, batch_size, mode) for image in images]
    images = np.asarray(images)
    single = images.ndim == 3
    if single:
        images = images[None]
    if images.ndim != 4:
        raise ValueError(
            "`images` must have shape (n, height, width, channels) or (height, width, "
            f"channels). Received: images.shape={images.shape}"
        )
    as_uint8 = images.dtype == np.uint8
    if as_uint8:
        images = images.astype("float32") / 127.5 - 1.0
    else:
        images = check_image_array(images, "images")
    height, width = images.shape[1:3]
    if mode == "resize":
        batch = np.stack([_resize(image, fixed) for image in images])
    else:
        multiple = _size_multiple(generator)
        pad_h, pad_w = -height % multiple, -width % multiple
        batch = images
        if pad_h or pad_w:
            pad = ((0, 0), (pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2))
            batch = np.pad(images, pad + ((0, 0),), mode="symmetric")
    outputs = np.concatenate(
        [
            ops.convert_to_numpy(generator(batch[i : i + batch_size], training=False)).astype(
                "float32"
            )
            for i in range(0, len(batch), batch_size)
        ]
    )
    if mode == "resize":
        outputs = np.stack([_resize(image, (height, width)) for image in outputs])
    else:
        top, left = (outputs.shape[1] - height) // 2, (outputs.shape[2] - width) // 2
        outputs = outputs[:, top : top + height, left : left + width]
    if as_uint8:
        outputs = np.round((np.clip(outputs, -1.0, 1.0) + 1.0) * 127.5).astype("uint8")
    return outputs[0] if single else outputs
