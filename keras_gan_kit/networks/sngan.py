"""`SNGANGenerator` and `SNGANDiscriminator`: the SNGAN/BigGAN ResNet backbone."""

from __future__ import annotations

import keras

from keras_gan_kit.layers.sngan_blocks import (
    GlobalSumPooling2D,
    SNGANDiscriminatorBlock,
    SNGANGeneratorBlock,
    glorot_uniform,
)
from keras_gan_kit.layers.spectral_normalization import SpectralNormalization
from keras_gan_kit.networks.network import Network
from keras_gan_kit.utils.validation import check_image_size, check_int, check_positive_int

__all__ = ["SNGANDiscriminator", "SNGANGenerator"]


def _widths(value, count, arg, what):
    if isinstance(value, (list, tuple)):
        values = list(value)
        if len(values) != count:
            raise ValueError(
                f"`{arg}` must be an int or a list of {count} ints ({what}). Received: "
                f"{arg}={value!r}"
            )
    else:
        values = [value] * count
    for v in values:
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise ValueError(
                f"`{arg}` must be a positive int or a list of positive ints. Received: "
                f"{arg}={value!r}"
            )
    return values


def _config_value(value):
    return list(value) if isinstance(value, (list, tuple)) else value


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class SNGANGenerator(Network):
    """The SNGAN/BigGAN ResNet generator: linear to 4x4, residual up-blocks, BN-ReLU-conv-tanh.

    A dense layer maps the latent to a 4x4 map of `widths[0]` channels; one
    `SNGANGeneratorBlock` per doubling of resolution (BN, ReLU, nearest 2x
    upsampling, 3x3 conv, BN, ReLU, 3x3 conv, with a 1x1 upsampling
    shortcut) brings it to `image_size`; then BN, ReLU, a 3x3 conv to
    `channels` and `tanh` (float32). For 32x32 with the defaults this is
    SNGAN's CIFAR-10 generator (`ResNetGenerator32` in Mimicry: z 128,
    4x4x256, three up-blocks of 256).

    `widths` is an int (every resolution) or a list of one width per
    resolution from 4x4 up (`log2(image_size) - 1` entries): `widths[0]`
    for the 4x4 map and `widths[i]` for the output of the block that makes
    resolution `4 * 2^i`. Mimicry's 64x64 generator is
    `widths=[1024, 512, 256, 128, 64]`.

    Args:
        image_size: int. Output height and width: a power of two >= 8.
            Defaults to 32.
        channels: int. Output channels. Defaults to 3.
        latent_dim: int. Size of the latent vector. Defaults to 128.
        widths: int or list. Channels per resolution (see above). Defaults
            to 256.
        num_classes: int or None. Class-conditional variant: the model takes
            `[latents, labels]` (integer labels) and every block's batch
            norm is a `ConditionalBatchNormalization` (per-class scale and
            shift, as in SNGAN's projection-cGAN generator and BigGAN); the
            final batch norm stays unconditional, as in Mimicry. Defaults to
            None.
        spectral_norm: bool. Spectral normalization on every convolution and
            the input dense layer (BigGAN's generator). Defaults to False
            (SNGAN).
        **kwargs: `Network` arguments (`name`, `dtype`, `trainable`).

    Example:

    ```python
    generator = SNGANGenerator(image_size=32, channels=3)   # SNGAN's CIFAR-10 generator
    images = generator(keras.random.normal((16, 128)))      # (16, 32, 32, 3) in [-1, 1]
    ```

    References:
        Miyato et al., "Spectral Normalization for Generative Adversarial
        Networks", ICLR 2018.
        Miyato & Koyama, "cGANs with Projection Discriminator", ICLR 2018.
        Lee & Town, "Mimicry: Towards the Reproducibility of GAN Research",
        CVPR Workshops 2020.
    """

    def __init__(
        self,
        image_size: int = 32,
        channels: int = 3,
        latent_dim: int = 128,
        widths: int | list = 256,
        num_classes: int | None = None,
        spectral_norm: bool = False,
        **kwargs,
    ):
        steps = check_image_size(image_size)
        check_positive_int(channels, "channels")
        check_positive_int(latent_dim, "latent_dim")
        block_widths = _widths(widths, steps + 1, "widths", "one per resolution from 4x4 up")
        if num_classes is not None:
            check_positive_int(num_classes, "num_classes")
        kwargs.setdefault("name", "sngan_generator")
        dtype = kwargs.get("dtype")

        def maybe_sn(layer, name):
            return SpectralNormalization(layer, dtype=dtype, name=name) if spectral_norm else layer

        latents = keras.Input((latent_dim,), name="latent")
        inputs = latents
        labels = None
        if num_classes is not None:
            labels = keras.Input((), dtype="int32", name="label")
            inputs = [latents, labels]
        x = maybe_sn(
            keras.layers.Dense(
                16 * block_widths[0],
                kernel_initializer=glorot_uniform(),
                dtype=dtype,
                name="project",
            ),
            "project_sn",
        )(latents)
        x = keras.layers.Reshape((4, 4, block_widths[0]), dtype=dtype, name="reshape")(x)
        for i in range(1, steps + 1):
            block = SNGANGeneratorBlock(
                block_widths[i],
                num_classes=num_classes,
                spectral_norm=spectral_norm,
                dtype=dtype,
                name=f"up_{i}",
            )
            x = block(x) if labels is None else block([x, labels])
        x = keras.layers.BatchNormalization(
            momentum=0.9, epsilon=1e-5, dtype=dtype, name="output_norm"
        )(x)
        x = keras.layers.ReLU(dtype=dtype, name="output_relu")(x)
        x = maybe_sn(
            keras.layers.Conv2D(
                channels,
                3,
                padding="same",
                kernel_initializer=glorot_uniform(),
                dtype=dtype,
                name="to_image",
            ),
            "to_image_sn",
        )(x)
        images = keras.layers.Activation("tanh", dtype="float32", name="tanh")(x)
        super().__init__(inputs=inputs, outputs=images, **kwargs)
        self.image_size = image_size
        self.channels = channels
        self.latent_dim = latent_dim
        self.widths = _config_value(widths)
        self.num_classes = num_classes
        self.spectral_norm = spectral_norm

    def get_config(self):
        return {
            **super().get_config(),
            "image_size": self.image_size,
            "channels": self.channels,
            "latent_dim": self.latent_dim,
            "widths": self.widths,
            "num_classes": self.num_classes,
            "spectral_norm": self.spectral_norm,
        }


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class SNGANDiscriminator(Network):
    """The SNGAN/BigGAN ResNet discriminator: SN residual down-blocks, ReLU, sum pooling, SN linear.

    An optimized first `SNGANDiscriminatorBlock` (conv, ReLU, conv, average
    pooling; pooled 1x1 shortcut), then `num_blocks - 1` more blocks (ReLU,
    conv, ReLU, conv, average pooling for the first `num_downsamples - 1` of
    them), a ReLU, global sum pooling and a spectrally normalized dense
    layer to one float32 logit, shape `(batch, 1)`. Every convolution and
    the dense layer are spectrally normalized. With the defaults at 32x32
    this is SNGAN's CIFAR-10 discriminator (Mimicry's
    `ResNetDiscriminator32`: 128 channels; 32 -> 16 -> 8, then two blocks
    at 8x8).

    With `num_classes`, the projection discriminator of Miyato & Koyama: the
    model takes `[images, labels]` and adds `<e(label), h>` to the logit, `h`
    the pooled features and `e` a spectrally normalized class embedding
    (Mimicry's `SNEmbedding`: a bias-free dense layer on the one-hot label).

    Args:
        image_size: int. Input height and width: a power of two >= 8.
            Defaults to 32.
        channels: int. Input channels. Defaults to 3.
        widths: int or list. Output channels of each block (a list of
            `num_blocks` ints, first block first). Defaults to 128.
        num_blocks: int or None. Number of residual blocks; None means
            `num_downsamples + 2` (4 at 32x32). Defaults to None.
        num_downsamples: int or None. How many of the blocks (the first
            ones) halve the resolution, >= 1 (the optimized block always
            does) and at most `log2(image_size) - 1`; None means down to 8x8,
            `max(1, log2(image_size) - 3)` (2 at 32x32). Defaults to None.
        num_classes: int or None. Projection conditioning (see above).
            Defaults to None.
        spectral_norm: bool. Spectral normalization (turn off only for
            ablations). Defaults to True.
        **kwargs: `Network` arguments (`name`, `dtype`, `trainable`).

    Example:

    ```python
    discriminator = SNGANDiscriminator(image_size=32, channels=3)   # SNGAN's CIFAR-10 D
    logits = discriminator(images)                                  # (batch, 1), float32
    ```

    References:
        Miyato et al., "Spectral Normalization for Generative Adversarial
        Networks", ICLR 2018.
        Miyato & Koyama, "cGANs with Projection Discriminator", ICLR 2018.
        Lee & Town, "Mimicry: Towards the Reproducibility of GAN Research",
        CVPR Workshops 2020.
    """

    def __init__(
        self,
        image_size: int = 32,
        channels: int = 3,
        widths: int | list = 128,
        num_blocks: int | None = None,
        num_downsamples: int | None = None,
        num_classes: int | None = None,
        spectral_norm: bool = True,
        **kwargs,
    ):
        steps = check_image_size(image_size)  # log2(image_size) - 2
        check_positive_int(channels, "channels")
        downsamples = max(1, steps - 1) if num_downsamples is None else num_downsamples
        check_int(downsamples, "num_downsamples", minimum=1)
        if downsamples > steps + 1:
            raise ValueError(
                f"`num_downsamples` can halve a {image_size}x{image_size} image at most "
                f"{steps + 1} times (down to 2x2). Received: num_downsamples={num_downsamples}"
            )
        blocks = downsamples + 2 if num_blocks is None else num_blocks
        check_int(blocks, "num_blocks", minimum=downsamples)
        block_widths = _widths(widths, blocks, "widths", "one per block")
        if num_classes is not None:
            check_positive_int(num_classes, "num_classes")
        kwargs.setdefault("name", "sngan_discriminator")
        dtype = kwargs.get("dtype")

        def maybe_sn(layer, name):
            return (
                SpectralNormalization(layer, dtype=layer.dtype_policy, name=name)
                if (spectral_norm)
                else layer
            )

        images = keras.Input((image_size, image_size, channels), name="image")
        x = images
        for i in range(blocks):
            x = SNGANDiscriminatorBlock(
                block_widths[i],
                downsample=i < downsamples,
                optimized=i == 0,
                spectral_norm=spectral_norm,
                dtype=dtype,
                name=f"down_{i + 1}" if i < downsamples else f"block_{i + 1}",
            )(x)
        x = keras.layers.ReLU(dtype=dtype, name="relu")(x)
        h = GlobalSumPooling2D(dtype="float32", name="sum_pool")(x)
        logits = maybe_sn(
            keras.layers.Dense(
                1, kernel_initializer=glorot_uniform(), dtype="float32", name="logit"
            ),
            "logit_sn",
        )(h)
        inputs = images
        if num_classes is not None:
            labels = keras.Input((), dtype="int32", name="label")
            one_hot = keras.layers.CategoryEncoding(
                num_classes, output_mode="one_hot", dtype="float32", name="one_hot"
            )(labels)
            embedded = maybe_sn(
                keras.layers.Dense(
                    block_widths[-1],
                    use_bias=False,
                    kernel_initializer=glorot_uniform(),
                    dtype="float32",
                    name="label_embedding",
                ),
                "label_embedding_sn",
            )(one_hot)
            projection = keras.layers.Dot(axes=1, dtype="float32", name="projection")([embedded, h])
            logits = keras.layers.Add(dtype="float32", name="logit_plus_projection")(
                [logits, projection]
            )
            inputs = [images, labels]
        super().__init__(inputs=inputs, outputs=logits, **kwargs)
        self.image_size = image_size
        self.channels = channels
        self.widths = _config_value(widths)
        self.num_blocks = num_blocks
        self.num_downsamples = num_downsamples
        self.num_classes = num_classes
        self.spectral_norm = spectral_norm

    def get_config(self):
        return {
            **super().get_config(),
            "image_size": self.image_size,
            "channels": self.channels,
            "widths": self.widths,
            "num_blocks": self.num_blocks,
            "num_downsamples": self.num_downsamples,
            "num_classes": self.num_classes,
            "spectral_norm": self.spectral_norm,
        }
