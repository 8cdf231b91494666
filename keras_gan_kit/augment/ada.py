"""`ADA`: adaptive discriminator augmentation (Karras et al., 2020)."""

from __future__ import annotations

import math

import keras
from keras import ops

from keras_gan_kit.augment import transforms
from keras_gan_kit.augment.base import DiscriminatorAugmentation
from keras_gan_kit.utils.validation import (
    check_fraction,
    check_non_negative_number,
    check_positive_int,
    check_positive_number,
)

__all__ = ["ADA", "PIPELINES", "TRANSFORMS"]

_GEOMETRIC = ("xflip", "rotate90", "xint", "scale", "rotate", "aniso", "xfrac")
_COLOR = ("brightness", "contrast", "lumaflip", "hue", "saturation")
_CORRUPTION = ("noise", "cutout")
#: The transforms of the pipeline, in the order they are applied (each has a multiplier).
TRANSFORMS = _GEOMETRIC + _COLOR + _CORRUPTION

#: The pipelines of stylegan2-ada-pytorch's `augpipe_specs` this layer implements
#: (those with the image-space filter bank, `f`, are not).
PIPELINES = {
    "blit": ("xflip", "rotate90", "xint"),
    "geom": ("scale", "rotate", "aniso", "xfrac"),
    "color": _COLOR,
    "noise": ("noise",),
    "cutout": ("cutout",),
    "bg": _GEOMETRIC,
    "bgc": _GEOMETRIC + _COLOR,
    "bgcc": (*_GEOMETRIC, *_COLOR, "cutout"),
}


def _matrix(rows, batch):
    """A `(batch, n, m)` matrix from rows of scalars or `(batch,)` tensors."""
    ones = ops.ones((batch,), "float32")
    entries = [ops.cast(entry, "float32") * ones for row in rows for entry in row]
    return ops.reshape(ops.stack(entries, axis=-1), (batch, len(rows), len(rows[0])))


def _translate2d(tx, ty, batch):
    return _matrix([[1, 0, tx], [0, 1, ty], [0, 0, 1]], batch)


def _scale2d(sx, sy, batch):
    return _matrix([[sx, 0, 0], [0, sy, 0], [0, 0, 1]], batch)


def _rotate2d(theta, batch):
    c, s = ops.cos(theta), ops.sin(theta)
    return _matrix([[c, -s, 0], [s, c, 0], [0, 0, 1]], batch)


def _translate3d(tx, ty, tz, batch):
    return _matrix([[1, 0, 0, tx], [0, 1, 0, ty], [0, 0, 1, tz], [0, 0, 0, 1]], batch)


def _scale3d(sx, sy, sz, batch):
    return _matrix([[sx, 0, 0, 0], [0, sy, 0, 0], [0, 0, sz, 0], [0, 0, 0, 1]], batch)


def _rotate3d(v, theta, batch):
    """Rotation by `theta` about the unit axis `v` (Rodrigues), homogeneous 4x4."""
    vx, vy, vz = v
    s, c = ops.sin(theta), ops.cos(theta)
    cc = 1.0 - c
    return _matrix(
        [
            [vx * vx * cc + c, vx * vy * cc - vz * s, vx * vz * cc + vy * s, 0],
            [vy * vx * cc + vz * s, vy * vy * cc + c, vy * vz * cc - vx * s, 0],
            [vz * vx * cc - vy * s, vz * vy * cc + vx * s, vz * vz * cc + c, 0],
            [0, 0, 0, 1],
        ],
        batch,
    )


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class ADA(DiscriminatorAugmentation):
    """Adaptive discriminator augmentation: StyleGAN2-ADA's pipeline with a tuned strength p.

    Karras et al. apply a long pipeline of transforms to every image the
    discriminator sees, each with probability `p` (times its multiplier), and
    tune `p` during training so that the discriminator does not overfit:
    every `interval` discriminator batches the overfitting heuristic
    `r_t = E[sign(D(real))]` over those batches is compared with `target`,
    and `p += sign(r_t - target) * images / (kimg * 1000)`, where `images`
    is the number of real images in them (so `p` can rise from 0 to 1 in
    `kimg` thousand images), clipped to `[0, 1]`. Augmentations applied with
    `p < ~0.8` do not leak into the generated images.

    The pipeline, in the reference's order (each multiplier scales the
    probability; a `(batch,)` draw per image and per transform):

    - geometric, composed into one affine map and executed by
      `transforms.affine_transform` (bilinear, mirrored borders): `xflip`
      (x-flip with probability 1/2), `rotate90` (multiples of 90 degrees),
      `xint` (integer translation, uniform in `+-xint_max` of the size),
      `scale` (isotropic, lognormal `2^N(0, scale_std)`), `rotate` (uniform
      in `+-rotate_max` half-turns, once before and once after the
      anisotropic scaling, each with `1 - sqrt(1 - p)` so that one of them
      happens with `p`), `aniso` (`2^N(0, aniso_std)` on x and its inverse
      on y), `xfrac` (fractional translation, `N(0, xfrac_std)` of the size);
    - color, composed into one 4x4 matrix (`transforms.color_transform`):
      `brightness` (`+N(0, brightness_std)`), `contrast`
      (`*2^N(0, contrast_std)`), `lumaflip` (Householder flip of the luma
      axis), `hue` (rotation about the luma axis, `+-hue_max` half-turns),
      `saturation` (`2^N(0, saturation_std)` off the luma axis); hue and
      saturation need RGB and are skipped on one-channel images;
    - corruptions: `noise` (additive Gaussian noise of standard deviation
      `|N(0, noise_std)|`) and `cutout` (a zeroed square of `cutout_size`
      of the image side, centred uniformly).

    Where this differs from stylegan2-ada-pytorch's `training/augment.py`:
    geometric transforms sample the image at its own resolution with plain
    bilinear interpolation and reflect as often as needed (the reference
    pads, upsamples 2x with a sym6 wavelet filter, uses `grid_sample` and
    downsamples, against aliasing); the image-space filter bank (`imgfilter`,
    pipelines with an `f`) is not implemented; `p` is updated after every
    `interval` discriminator batches (the reference updates on every
    `ada_interval`-th step, starting with the first). Images of any channel
    count get the geometric transforms; color transforms need 1 channel or
    a multiple of 3 (each RGB triple gets the same map).

    Three ways to set `p`:

    - adaptive (`target=0.6`, the default): starts at `p` and follows the
      rule above; needs a model family that reports the discriminator's
      real logits (`AdversarialModel.observe_real_logits`; `GAN` does);
    - fixed: `target=None`; `p` stays where it is set;
    - scheduled: `target=None, p_schedule=schedule`, where `schedule` is a
      `keras.optimizers.schedules.LearningRateSchedule` called with the
      number of real images seen (`images_seen`); `p = clip(schedule(n), 0, 1)`.

    State (non-trainable variables, threaded through JAX's compiled step,
    saved in `.keras` files and restored exactly): `p`, the sign sum and
    count since the last adjustment, the batches and images since the last
    adjustment, `images_seen` (all real images observed) and `rt`, the last
    `r_t`. The engine logs `ada_p` and `ada_rt` after every step (the
    current values, not epoch means). With `discriminator_steps > 1` a real
    batch is observed once per discriminator step.

    Args:
        p: float in [0, 1]. Initial augmentation strength. Defaults to 0.
        target: float in [0, 1] or None. Target of `r_t` (adaptive `p`); None
            keeps `p` fixed or scheduled. Defaults to 0.6.
        interval: int. Discriminator batches between adjustments of `p` (the
            reference's `ada_interval`). Defaults to 4.
        kimg: float. Thousands of images in which `p` can move by 1 (the
            reference's `ada_kimg`). Defaults to 500.
        p_schedule: `keras.optimizers.schedules.LearningRateSchedule` or
            None. `p` as a function of the real images seen; needs
            `target=None`. Defaults to None.
        pipeline: str. Which transforms are on (multiplier 1), as the
            reference's `--augpipe`: `"blit"`, `"geom"`, `"color"`,
            `"noise"`, `"cutout"`, `"bg"`, `"bgc"` (the paper's default) or
            `"bgcc"` (`"bgc"` and cutout). Defaults to `"bgc"`.
        xflip: float >= 0 or None. Probability multiplier of x-flips. Each
            multiplier defaults to None: 1 if the pipeline has the transform,
            0 otherwise.
        rotate90: float >= 0 or None. Multiplier of 90-degree rotations.
        xint: float >= 0 or None. Multiplier of integer translations.
        scale: float >= 0 or None. Multiplier of isotropic scalings.
        rotate: float >= 0 or None. Multiplier of arbitrary rotations.
        aniso: float >= 0 or None. Multiplier of anisotropic scalings.
        xfrac: float >= 0 or None. Multiplier of fractional translations.
        brightness: float >= 0 or None. Multiplier of brightness offsets.
        contrast: float >= 0 or None. Multiplier of contrast scalings.
        lumaflip: float >= 0 or None. Multiplier of luma flips.
        hue: float >= 0 or None. Multiplier of hue rotations.
        saturation: float >= 0 or None. Multiplier of saturation scalings.
        noise: float >= 0 or None. Multiplier of additive noise.
        cutout: float >= 0 or None. Multiplier of cutouts.
        xint_max: float. Largest integer translation, fraction of the size.
            Defaults to 0.125.
        scale_std: float. Std of the log2 isotropic scale. Defaults to 0.2.
        rotate_max: float. Largest rotation in half-turns. Defaults to 1.
        aniso_std: float. Std of the log2 anisotropic scale. Defaults to 0.2.
        xfrac_std: float. Std of the fractional translation, fraction of the
            size. Defaults to 0.125.
        brightness_std: float. Std of the brightness offset. Defaults to 0.2.
        contrast_std: float. Std of the log2 contrast. Defaults to 0.5.
        hue_max: float. Largest hue rotation in half-turns. Defaults to 1.
        saturation_std: float. Std of the log2 saturation. Defaults to 1.
        noise_std: float. Scale of the noise's standard deviation. Defaults
            to 0.1.
        cutout_size: float in [0, 1]. Side of the cutout square, fraction of
            the image side. Defaults to 0.5.
        seed: int or None. Seed of the random parameters. Defaults to None.
        data_format: str or None. `"channels_last"` or `"channels_first"`.
            Defaults to `keras.config.image_data_format()`.
        **kwargs: `keras.layers.Layer` arguments (`name`, `dtype`).

    Example:

    ```python
    import keras_gan_kit as kgk

    ada = kgk.augment.ADA(target=0.6, kimg=100)   # adaptive p, from 0
    gan = kgk.GAN(generator, discriminator, augmentation=ada)
    gan.compile(loss="non_saturating", penalties=["r1"])
    history = gan.fit(images, batch_size=32, epochs=100)
    history.history["ada_p"]                      # p after each epoch
    ```

    References:
        Karras, Aittala, Hellsten, Laine, Lehtinen and Aila, "Training
        Generative Adversarial Networks with Limited Data", NeurIPS 2020.
        Reference code: https://github.com/NVlabs/stylegan2-ada-pytorch
        (`training/augment.py`, `training/training_loop.py`).
    """

    log_names = ("ada_p", "ada_rt")

    def __init__(
        self,
        p: float = 0.0,
        target: float | None = 0.6,
        interval: int = 4,
        kimg: float = 500.0,
        p_schedule=None,
        pipeline: str = "bgc",
        xflip=None,
        rotate90=None,
        xint=None,
        scale=None,
        rotate=None,
        aniso=None,
        xfrac=None,
        brightness=None,
        contrast=None,
        lumaflip=None,
        hue=None,
        saturation=None,
        noise=None,
        cutout=None,
        xint_max: float = 0.125,
        scale_std: float = 0.2,
        rotate_max: float = 1.0,
        aniso_std: float = 0.2,
        xfrac_std: float = 0.125,
        brightness_std: float = 0.2,
        contrast_std: float = 0.5,
        hue_max: float = 1.0,
        saturation_std: float = 1.0,
        noise_std: float = 0.1,
        cutout_size: float = 0.5,
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs,
    ):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.initial_p = check_fraction(p, "p")
        self.target = None if target is None else check_fraction(target, "target")
        self.interval = check_positive_int(interval, "interval")
        self.kimg = check_positive_number(kimg, "kimg")
        if p_schedule is not None:
            if isinstance(p_schedule, dict):
                p_schedule = keras.saving.deserialize_keras_object(p_schedule)
            if not isinstance(p_schedule, keras.optimizers.schedules.LearningRateSchedule):
                raise ValueError(
                    "`p_schedule` must be a keras.optimizers.schedules.LearningRateSchedule "
                    "(called with the number of real images seen) or None. Received: "
                    f"p_schedule={p_schedule!r}"
                )
            if target is not None:
                raise ValueError(
                    "A scheduled p needs `target=None` (the adaptive rule would fight the "
                    f"schedule). Received: target={target!r} with a p_schedule"
                )
        self.p_schedule = p_schedule
        if pipeline not in PIPELINES:
            raise ValueError(
                f"`pipeline` must be one of {sorted(PIPELINES)}. Received: pipeline={pipeline!r}"
            )
        self.pipeline = pipeline
        given = {
            "xflip": xflip, "rotate90": rotate90, "xint": xint, "scale": scale,
            "rotate": rotate, "aniso": aniso, "xfrac": xfrac, "brightness": brightness,
            "contrast": contrast, "lumaflip": lumaflip, "hue": hue, "saturation": saturation,
            "noise": noise, "cutout": cutout,
        }  # fmt: skip
        for name in TRANSFORMS:
            value = given[name]
            if value is None:
                value = 1.0 if name in PIPELINES[pipeline] else 0.0
            setattr(self, name, check_non_negative_number(value, name))
        self.xint_max = check_non_negative_number(xint_max, "xint_max")
        self.scale_std = check_non_negative_number(scale_std, "scale_std")
        self.rotate_max = check_non_negative_number(rotate_max, "rotate_max")
        self.aniso_std = check_non_negative_number(aniso_std, "aniso_std")
        self.xfrac_std = check_non_negative_number(xfrac_std, "xfrac_std")
        self.brightness_std = check_non_negative_number(brightness_std, "brightness_std")
        self.contrast_std = check_non_negative_number(contrast_std, "contrast_std")
        self.hue_max = check_non_negative_number(hue_max, "hue_max")
        self.saturation_std = check_non_negative_number(saturation_std, "saturation_std")
        self.noise_std = check_non_negative_number(noise_std, "noise_std")
        self.cutout_size = check_fraction(cutout_size, "cutout_size")

        def state(name, dtype="float32", value=0.0):
            return self.add_weight(
                shape=(),
                initializer=keras.initializers.Constant(value),
                trainable=False,
                dtype=dtype,
                name=name,
            )

        self.p = state("p", value=self.initial_p)
        self.sign_sum = state("sign_sum")
        self.sign_count = state("sign_count")
        self.pending_batches = state("pending_batches", "int32")
        self.pending_images = state("pending_images")
        self.images_seen = state("images_seen", "int32")
        self.rt = state("rt")

    # ------------------------------------------------------------------ #
    # The controller
    # ------------------------------------------------------------------ #
    @property
    def adaptive(self) -> bool:
        """Whether `p` follows the overfitting heuristic (`target` is set)."""
        return self.target is not None

    def update_state(self, real_logits):
        """Accumulates `sign(D(real))` and adjusts `p` every `interval` batches.

        Called by the engine (`AdversarialModel.observe_real_logits`) in the
        discriminator phase, inside the compiled step; written in
        `keras.ops` without branches.

        Args:
            real_logits: Tensor `(batch, ...)`. The discriminator's logits on
                a real batch (a logit map counts each of its logits).
        """
        logits = ops.stop_gradient(ops.cast(ops.convert_to_tensor(real_logits), "float32"))
        batch = ops.shape(logits)[0]
        per_sample = math.prod(int(d) for d in logits.shape[1:])
        sign_sum = self.sign_sum + ops.sum(ops.sign(logits))
        sign_count = self.sign_count + ops.cast(batch, "float32") * float(per_sample)
        pending_batches = self.pending_batches + 1
        pending_images = self.pending_images + ops.cast(batch, "float32")
        images_seen = self.images_seen + ops.cast(batch, self.images_seen.dtype)
        due = pending_batches >= self.interval
        rt = sign_sum / ops.maximum(sign_count, 1.0)
        p = ops.convert_to_tensor(self.p)
        if self.adaptive:
            adjust = ops.sign(rt - self.target) * pending_images / (self.kimg * 1000.0)
            p = ops.where(due, ops.clip(p + adjust, 0.0, 1.0), p)
        elif self.p_schedule is not None:
            p = ops.clip(ops.cast(self.p_schedule(images_seen), "float32"), 0.0, 1.0)
        zero = ops.zeros((), "float32")
        self.rt.assign(ops.where(due, rt, ops.convert_to_tensor(self.rt)))
        self.p.assign(p)
        self.sign_sum.assign(ops.where(due, zero, sign_sum))
        self.sign_count.assign(ops.where(due, zero, sign_count))
        self.pending_batches.assign(
            ops.where(due, ops.zeros_like(pending_batches), pending_batches)
        )
        self.pending_images.assign(ops.where(due, zero, pending_images))
        self.images_seen.assign(images_seen)

    def logs(self):
        """`{"ada_p": p, "ada_rt": last r_t}`, logged by the engine after every step."""
        return {"ada_p": ops.convert_to_tensor(self.p), "ada_rt": ops.convert_to_tensor(self.rt)}

    # ------------------------------------------------------------------ #
    # The pipeline
    # ------------------------------------------------------------------ #
    def check_image_shape(self, shape):
        """Color transforms need 1 channel or a multiple of 3."""
        channels = shape[-1]
        if any(getattr(self, name) > 0 for name in _COLOR) and channels != 1 and channels % 3:
            raise ValueError(
                "ADA's color transforms need images with 1 channel or a multiple of 3 "
                f"channels. Received: images with {channels} channels. Set brightness=0, "
                "contrast=0, lumaflip=0, hue=0, saturation=0 (or pipeline='bg')."
            )

    def _uniform(self, shape):
        return keras.random.uniform(shape, seed=self.seed_generator)

    def _normal(self, shape):
        return keras.random.normal(shape, seed=self.seed_generator)

    def _gate(self, shape, probability, value, identity):
        """`value` where a uniform draw is below `probability`, `identity` elsewhere."""
        return ops.where(self._uniform(shape) < probability, value, identity)

    def augment_images(self, images):
        """Applies the pipeline with the current `p` to channels-last float32 images."""
        batch = ops.shape(images)[0]
        height, width, channels = (int(d) for d in images.shape[1:])
        p = ops.cast(self.p, "float32")
        zeros, ones = ops.zeros((batch,)), ops.ones((batch,))

        # Geometric: G maps output pixels to input pixels (the reference's G_inv).
        if any(getattr(self, name) > 0 for name in _GEOMETRIC):
            g = _scale2d(1.0, 1.0, batch)
            if self.xflip > 0:
                i = ops.floor(self._uniform((batch,)) * 2.0)
                i = self._gate((batch,), self.xflip * p, i, zeros)
                g = ops.matmul(g, _scale2d(1.0 - 2.0 * i, 1.0, batch))
            if self.rotate90 > 0:
                i = ops.floor(self._uniform((batch,)) * 4.0)
                i = self._gate((batch,), self.rotate90 * p, i, zeros)
                g = ops.matmul(g, _rotate2d(math.pi / 2.0 * i, batch))
            if self.xint > 0:
                t = (self._uniform((batch, 2)) * 2.0 - 1.0) * self.xint_max
                t = self._gate((batch, 1), self.xint * p, t, ops.zeros_like(t))
                g = ops.matmul(
                    g,
                    _translate2d(-ops.round(t[:, 0] * width), -ops.round(t[:, 1] * height), batch),
                )
            if self.scale > 0:
                s = ops.power(2.0, self._normal((batch,)) * self.scale_std)
                s = self._gate((batch,), self.scale * p, s, ones)
                g = ops.matmul(g, _scale2d(1.0 / s, 1.0 / s, batch))
            p_rot = 1.0 - ops.sqrt(ops.clip(1.0 - self.rotate * p, 0.0, 1.0))
            if self.rotate > 0:
                theta = (self._uniform((batch,)) * 2.0 - 1.0) * math.pi * self.rotate_max
                theta = self._gate((batch,), p_rot, theta, zeros)
                g = ops.matmul(g, _rotate2d(theta, batch))  # before anisotropic scaling
            if self.aniso > 0:
                s = ops.power(2.0, self._normal((batch,)) * self.aniso_std)
                s = self._gate((batch,), self.aniso * p, s, ones)
                g = ops.matmul(g, _scale2d(1.0 / s, s, batch))
            if self.rotate > 0:
                theta = (self._uniform((batch,)) * 2.0 - 1.0) * math.pi * self.rotate_max
                theta = self._gate((batch,), p_rot, theta, zeros)
                g = ops.matmul(g, _rotate2d(theta, batch))  # after anisotropic scaling
            if self.xfrac > 0:
                t = self._normal((batch, 2)) * self.xfrac_std
                t = self._gate((batch, 1), self.xfrac * p, t, ops.zeros_like(t))
                g = ops.matmul(g, _translate2d(-t[:, 0] * width, -t[:, 1] * height, batch))
            images = transforms.affine_transform(images, g)

        # Color: C maps input colors to output colors.
        rgb = channels > 1
        if any(getattr(self, name) > 0 for name in _COLOR):
            c = _scale3d(1.0, 1.0, 1.0, batch)
            v = (1.0 / math.sqrt(3.0),) * 3  # the luma axis
            vv = ops.convert_to_tensor(
                [[1 / 3, 1 / 3, 1 / 3, 0.0]] * 3 + [[0.0, 0.0, 0.0, 0.0]], "float32"
            )
            eye = ops.eye(4, dtype="float32")
            if self.brightness > 0:
                b = self._normal((batch,)) * self.brightness_std
                b = self._gate((batch,), self.brightness * p, b, zeros)
                c = ops.matmul(_translate3d(b, b, b, batch), c)
            if self.contrast > 0:
                s = ops.power(2.0, self._normal((batch,)) * self.contrast_std)
                s = self._gate((batch,), self.contrast * p, s, ones)
                c = ops.matmul(_scale3d(s, s, s, batch), c)
            if self.lumaflip > 0:
                i = ops.floor(self._uniform((batch,)) * 2.0)
                i = self._gate((batch,), self.lumaflip * p, i, zeros)
                c = ops.matmul(eye[None] - 2.0 * vv[None] * i[:, None, None], c)
            if self.hue > 0 and rgb:
                theta = (self._uniform((batch,)) * 2.0 - 1.0) * math.pi * self.hue_max
                theta = self._gate((batch,), self.hue * p, theta, zeros)
                c = ops.matmul(_rotate3d(v, theta, batch), c)
            if self.saturation > 0 and rgb:
                s = ops.power(2.0, self._normal((batch,)) * self.saturation_std)
                s = self._gate((batch,), self.saturation * p, s, ones)
                c = ops.matmul(vv[None] + (eye - vv)[None] * s[:, None, None], c)
            images = transforms.color_transform(images, c)

        if self.noise > 0:
            sigma = ops.abs(self._normal((batch,))) * self.noise_std
            sigma = self._gate((batch,), self.noise * p, sigma, zeros)
            noise = self._normal(ops.shape(images))
            images = images + noise * ops.reshape(sigma, (-1, 1, 1, 1))
        if self.cutout > 0:
            size = self._gate((batch,), self.cutout * p, self.cutout_size * ones, zeros)
            centers = self._uniform((batch, 2)) * ops.convert_to_tensor(
                [float(height), float(width)], "float32"
            )
            sizes = ops.stack([size * height, size * width], axis=1)
            images = transforms.cutout(images, centers, sizes)
        return images

    def get_config(self):
        """Returns the constructor arguments (multipliers resolved from the pipeline)."""
        config = super().get_config()
        config.update(
            {
                "p": self.initial_p,
                "target": self.target,
                "interval": self.interval,
                "kimg": self.kimg,
                "p_schedule": None
                if self.p_schedule is None
                else keras.saving.serialize_keras_object(self.p_schedule),
                "pipeline": self.pipeline,
                **{name: getattr(self, name) for name in TRANSFORMS},
                "xint_max": self.xint_max,
                "scale_std": self.scale_std,
                "rotate_max": self.rotate_max,
                "aniso_std": self.aniso_std,
                "xfrac_std": self.xfrac_std,
                "brightness_std": self.brightness_std,
                "contrast_std": self.contrast_std,
                "hue_max": self.hue_max,
                "saturation_std": self.saturation_std,
                "noise_std": self.noise_std,
                "cutout_size": self.cutout_size,
            }
        )
        return config
