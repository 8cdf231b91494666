"""Differentiable augmentation of discriminator inputs: DiffAugment and ADA.

Pass a layer from here as a model family's `augmentation=` argument
(`keras_gan_kit.GAN(..., augmentation=DiffAugment())`): the engine applies it,
in training, to every sample a discriminator sees, real and generated, in
every phase and inside penalties, so the generator is trained through it.

- `DiffAugment` (Zhao et al., 2020): color, translation and cutout on every
  discriminator input, selected by a policy string.
- `ADA` (Karras et al., 2020): StyleGAN2-ADA's geometric and color pipeline,
  each transform applied with probability `p`, and `p` tuned during training
  from the discriminator's outputs on real images (or fixed, or scheduled).
- `DiscriminatorAugmentation`: their base class, for writing your own.
- `transforms`: the differentiable image transforms they are made of, with
  explicit per-sample parameters.

Also here, for the training data rather than the discriminator's inputs:
`RandomJitter`, the image-to-image papers' random jitter and mirroring (the
`jitter=` argument of `Pix2Pix` and `CycleGAN`).
"""

from keras_gan_kit.augment import transforms
from keras_gan_kit.augment.ada import ADA, PIPELINES, TRANSFORMS
from keras_gan_kit.augment.base import DiscriminatorAugmentation
from keras_gan_kit.augment.diffaugment import DiffAugment
from keras_gan_kit.augment.jitter import RandomJitter, default_jitter_size

__all__ = [
    "ADA",
    "PIPELINES",
    "TRANSFORMS",
    "DiffAugment",
    "DiscriminatorAugmentation",
    "RandomJitter",
    "default_jitter_size",
    "transforms",
]
