"""`DiffAugment`: differentiable color, translation and cutout (Zhao et al., 2020)."""

from __future__ import annotations

import keras
from keras import ops

from keras_gan_kit.augment import transforms
from keras_gan_kit.augment.base import DiscriminatorAugmentation
from keras_gan_kit.utils.validation import check_fraction

__all__ = ["DiffAugment"]

_POLICIES = ("color", "translation", "cutout")


def _parse_policy(policy):
    if not isinstance(policy, str):
        raise ValueError(
            "`policy` must be a comma-separated string of 'color', 'translation' and "
            f"'cutout' (or ''). Received: policy={policy!r}"
        )
    names = [name.strip() for name in policy.split(",") if name.strip()]
    unknown = [name for name in names if name not in _POLICIES]
    if unknown:
        raise ValueError(
            f"Unknown DiffAugment transform(s) {unknown}: `policy` takes a comma-separated "
            f"subset of {list(_POLICIES)}. Received: policy={policy!r}"
        )
    return tuple(names)


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class DiffAugment(DiscriminatorAugmentation):
    """DiffAugment: the same random, differentiable transforms for real and fake samples.

    Zhao et al. apply cheap differentiable transforms to every image the
    discriminator sees, real and generated, in the discriminator's and the
    generator's updates, so the discriminator cannot memorise the few real
    images and the generator still gets gradients through the transform.
    With 10-20 % of a dataset this keeps a GAN training where it would
    otherwise collapse. The transforms, one random draw per image, in the
    order the policy names them:

    - `"color"`: brightness `x + (u - 0.5)`, then saturation (deviation
      from the per-pixel channel mean scaled by `2u`), then contrast
      (deviation from the image mean scaled by `u + 0.5`), each `u ~ U[0, 1)`;
    - `"translation"`: a shift by an integer number of pixels in
      `[-r, r]` on each axis, `r = round(translation_ratio * size)`, with
      zero padding;
    - `"cutout"`: one zeroed square of `round(cutout_ratio * size)` pixels
      per side, centred uniformly on the image (clipped at the border).

    The values follow the reference implementation (`DiffAugment_pytorch.py`
    and `DiffAugment_tf.py` of mit-han-lab/data-efficient-gans) for images
    in `[-1, 1]`: same distributions, same order, same border handling. The
    transforms are `keras_gan_kit.augment.transforms` functions (gathers
    and affine maps) and run inside the compiled step on every backend; the
    parameters come from the layer's `SeedGenerator`.

    Use it through a model's `augmentation=` argument: the engine applies
    it to every discriminator input in training, so a family needs no
    change. `training=False` (inference) returns the images unchanged, and
    so does an empty policy.

    Args:
        policy: str. Comma-separated transforms, a subset of
            `"color,translation,cutout"` (the paper's choice for few images);
            `""` is the identity. Defaults to `"color,translation,cutout"`.
        translation_ratio: float in [0, 1]. Largest shift as a fraction of
            the image size. Defaults to 0.125 (1/8, as the reference).
        cutout_ratio: float in [0, 1]. Side of the cutout square as a
            fraction of the image size. Defaults to 0.5.
        seed: int or None. Seed of the random parameters. Defaults to None.
        data_format: str or None. `"channels_last"` or `"channels_first"`.
            Defaults to `keras.config.image_data_format()`.
        **kwargs: `keras.layers.Layer` arguments (`name`, `dtype`).

    Example:

    ```python
    import keras_gan_kit as kgk

    gan = kgk.GAN(generator, discriminator,
                  augmentation=kgk.augment.DiffAugment("color,translation,cutout"))
    gan.compile(loss="non_saturating")
    gan.fit(images, batch_size=32, epochs=100)
    ```

    References:
        Zhao, Liu, Lin, Zhu and Han, "Differentiable Augmentation for
        Data-Efficient GAN Training", NeurIPS 2020. Reference code:
        https://github.com/mit-han-lab/data-efficient-gans
    """

    def __init__(
        self,
        policy: str = "color,translation,cutout",
        translation_ratio: float = 0.125,
        cutout_ratio: float = 0.5,
        seed: int | None = None,
        data_format: str | None = None,
        **kwargs,
    ):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self._transform_names = _parse_policy(policy)
        self.policy = policy
        self.translation_ratio = check_fraction(translation_ratio, "translation_ratio")
        self.cutout_ratio = check_fraction(cutout_ratio, "cutout_ratio")

    def _uniform(self, batch):
        return keras.random.uniform((batch,), seed=self.seed_generator)

    def augment_images(self, images):
        """Applies the policy's transforms to channels-last float32 images."""
        batch = ops.shape(images)[0]
        height, width = int(images.shape[1]), int(images.shape[2])
        for name in self._transform_names:
            if name == "color":
                images = transforms.adjust_brightness(images, self._uniform(batch) - 0.5)
                images = transforms.adjust_saturation(images, self._uniform(batch) * 2.0)
                images = transforms.adjust_contrast(images, self._uniform(batch) + 0.5)
            elif name == "translation":
                limits = [int(size * self.translation_ratio + 0.5) for size in (height, width)]
                shifts = [
                    keras.random.randint(
                        (batch, 1), -limit, limit + 1, dtype="int32", seed=self.seed_generator
                    )
                    for limit in limits
                ]
                images = transforms.translate(images, ops.concatenate(shifts, axis=1))
            else:  # cutout
                sizes = [int(size * self.cutout_ratio + 0.5) for size in (height, width)]
                # Reference: offset ~ U{0, ..., size - (cut % 2)}, the square spans
                # [offset - cut // 2, offset - cut // 2 + cut) before clipping.
                centers = [
                    ops.cast(
                        keras.random.randint(
                            (batch, 1),
                            0,
                            size + 1 - cut % 2,
                            dtype="int32",
                            seed=self.seed_generator,
                        ),
                        "float32",
                    )
                    - cut // 2
                    + cut / 2.0
                    for size, cut in zip((height, width), sizes)
                ]
                cut_sizes = ops.ones((batch, 2), "float32") * ops.convert_to_tensor(
                    [float(s) for s in sizes], "float32"
                )
                images = transforms.cutout(images, ops.concatenate(centers, axis=1), cut_sizes)
        return images

    def get_config(self):
        """Returns the constructor arguments."""
        config = super().get_config()
        config.update(
            {
                "policy": self.policy,
                "translation_ratio": self.translation_ratio,
                "cutout_ratio": self.cutout_ratio,
            }
        )
        return config
