"""`R3GANGenerator` and `R3GANDiscriminator`: the modern ConvNet of R3GAN (Huang et al. 2024)."""

from __future__ import annotations

import math

import keras

from keras_gan_kit.layers.fir_resampling import FIRDownSampling2D, FIRUpSampling2D, check_taps
from keras_gan_kit.layers.grouped_conv2d import check_implementation
from keras_gan_kit.layers.r3gan_blocks import ModulatedConstant, R3GANResidualBlock
from keras_gan_kit.networks.network import Network
from keras_gan_kit.utils.validation import check_image_size, check_positive_int

__all__ = ["R3GANDiscriminator", "R3GANGenerator"]


def _per_stage(value, stages, arg, minimum=1):
    """`value` (an int or one int per stage) as a list of `stages` ints >= `minimum`."""
    if isinstance(value, (list, tuple)):
        values = list(value)
        if len(values) != stages:
            raise ValueError(
                f"`{arg}` must be an int or a list of one int per stage ({stages} stages, from "
                f"4x4 up to the image size). Received: {arg}={value!r}"
            )
    else:
        values = [value] * stages
    for v in values:
        if not isinstance(v, int) or isinstance(v, bool) or v < minimum:
            raise ValueError(
                f"`{arg}` must be an int >= {minimum} or a list of such ints. Received: "
                f"{arg}={value!r}"
            )
    return values


def _config_value(value):
    return list(value) if isinstance(value, (list, tuple)) else value


def _check_cardinality(widths, cardinalities, expansion):
    for i, (w, c) in enumerate(zip(widths, cardinalities)):
        if (expansion * w) % c:
            raise ValueError(
                f"Each stage's hidden width `expansion * width` must be a multiple of its "
                f"cardinality. Received: cardinality={c} for width={w} and expansion="
                f"{expansion} at the {4 * 2**i}x{4 * 2**i} stage"
            )


def _fan_in_normal(fan_in, gain=1.0):
    """R3GAN's `MSRInitializer`: N(0, (gain / sqrt(fan_in))^2)."""
    return keras.initializers.RandomNormal(stddev=gain / math.sqrt(fan_in))


def _linear_conv(filters, dtype, name):
    """A bias-free 1x1 convolution with R3GAN's gain-1 He initialization."""
    return keras.layers.Conv2D(
        filters,
        1,
        use_bias=False,
        kernel_initializer=keras.initializers.VarianceScaling(
            1.0, mode="fan_in", distribution="untruncated_normal"
        ),
        dtype=dtype,
        name=name,
    )


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class R3GANGenerator(Network):
    """R3GAN's generator: a modulated 4x4 constant, fix-up ResNeXt stages, FIR upsampling.

    The latent (concatenated with a learned label embedding when
    conditional) scales the channels of a learned 4x4 constant
    (`ModulatedConstant`); each stage then runs `blocks_per_stage`
    `R3GANResidualBlock`s; between stages a transition layer changes the
    width with a bias-free 1x1 convolution (when the width changes) and
    doubles the resolution with `FIRUpSampling2D` (bilinear `[1, 2, 1]`
    filter); a bias-free 1x1 convolution maps the last stage to `channels`.
    There is no normalization layer and, as in the reference code, no
    output nonlinearity (`output_activation="linear"`): pass
    `output_activation="tanh"` to bound the images to [-1, 1]. The output is
    float32 under any dtype policy. Every residual branch is fix-up
    initialized with `L` = the total number of residual blocks.

    Stage `i` (0-based) works at resolution `4 * 2^i`; `widths`,
    `blocks_per_stage` and `cardinality` are an int (the same for every
    stage) or a list of one value per stage, **from the 4x4 stage up** in
    both networks, so the same arguments build a matching generator and
    discriminator (R3GAN's reference code lists the discriminator's stages
    in reverse). A network for `image_size = 2^n` has `n - 1` stages.

    Args:
        image_size: int. Output height and width: a power of two >= 8.
            Defaults to 32.
        channels: int. Output channels (1 for grayscale, 3 for RGB).
            Defaults to 3.
        latent_dim: int. Size of the latent vector. Defaults to 64.
        widths: int or list. Channels per stage. Defaults to 256.
        blocks_per_stage: int or list. Residual blocks per stage (0
            allowed). Defaults to 2.
        cardinality: int or list. Groups of each block's middle convolution
            per stage; `expansion * width` must be a multiple of it.
            Defaults to 32.
        expansion: int. Width factor inside the residual branches.
            Defaults to 2.
        kernel_size: int. Kernel size of the grouped convolutions (odd).
            Defaults to 3.
        resampling_taps: list of numbers. Low-pass taps of the upsampling
            filter (see `keras_gan_kit.layers.lowpass_filter`). Defaults to
            `(1, 2, 1)`.
        num_classes: int or None. Class-conditional variant: the model takes
            `[latents, labels]` (integer labels), and a learned
            `embedding_dim`-sized label embedding is concatenated to the
            latent (R3GAN's `EmbeddingLayer`, a bias-free linear map of the
            one-hot label, drawn from N(0, 1 / num_classes)). Defaults to
            None (unconditional).
        embedding_dim: int or None. Size of the label embedding; None means
            `latent_dim` (R3GAN's setting). Ignored without `num_classes`.
            Defaults to None.
        output_activation: str. Activation of the output (`"linear"` as in
            R3GAN, or `"tanh"`). Defaults to `"linear"`.
        grouped_conv: str. Implementation of the grouped convolutions,
            `"auto"`, `"native"` or `"split"` (see
            `keras_gan_kit.layers.GroupedConv2D`; `"auto"` splits them on a
            TensorFlow or JAX CPU, where that is 10x faster). Defaults to
            `"auto"`.
        **kwargs: `Network` arguments (`name`, `dtype`, `trainable`).

    Example:

    ```python
    # R3GAN's CIFAR-10 generator (20.8M parameters, as the reference code)
    generator = R3GANGenerator(image_size=32, channels=3, latent_dim=64, widths=768,
                               blocks_per_stage=2, cardinality=96, expansion=2)
    images = generator(keras.random.normal((16, 64)))   # (16, 32, 32, 3), float32
    ```

    References:
        Huang et al., "The GAN is dead; long live the GAN! A Modern GAN
        Baseline", NeurIPS 2024; code: github.com/brownvc/R3GAN.
    """

    def __init__(
        self,
        image_size: int = 32,
        channels: int = 3,
        latent_dim: int = 64,
        widths: int | list = 256,
        blocks_per_stage: int | list = 2,
        cardinality: int | list = 32,
        expansion: int = 2,
        kernel_size: int = 3,
        resampling_taps=(1, 2, 1),
        num_classes: int | None = None,
        embedding_dim: int | None = None,
        output_activation: str = "linear",
        grouped_conv: str = "auto",
        **kwargs,
    ):
        stages = check_image_size(image_size) + 1
        check_positive_int(channels, "channels")
        check_positive_int(latent_dim, "latent_dim")
        stage_widths = _per_stage(widths, stages, "widths")
        stage_blocks = _per_stage(blocks_per_stage, stages, "blocks_per_stage", minimum=0)
        stage_cardinality = _per_stage(cardinality, stages, "cardinality")
        check_positive_int(expansion, "expansion")
        _check_cardinality(stage_widths, stage_cardinality, expansion)
        taps = check_taps(resampling_taps, "resampling_taps")
        check_implementation(grouped_conv, "grouped_conv")
        if num_classes is not None:
            check_positive_int(num_classes, "num_classes")
        if embedding_dim is not None:
            check_positive_int(embedding_dim, "embedding_dim")
        if output_activation not in ("linear", "tanh"):
            raise ValueError(
                "Unknown output_activation. Received: output_activation="
                f"{output_activation!r}. Expected one of ['linear', 'tanh']."
            )
        kwargs.setdefault("name", "r3gan_generator")
        dtype = kwargs.get("dtype")
        total_blocks = sum(stage_blocks)

        latents = keras.Input((latent_dim,), name="latent")
        inputs, x = latents, latents
        if num_classes is not None:
            labels = keras.Input((), dtype="int32", name="label")
            embedded = keras.layers.Embedding(
                num_classes,
                embedding_dim or latent_dim,
                embeddings_initializer=_fan_in_normal(num_classes),
                dtype=dtype,
                name="label_embedding",
            )(labels)
            x = keras.layers.Concatenate(dtype=dtype, name="latent_and_label")([latents, embedded])
            inputs = [latents, labels]
        x = ModulatedConstant(stage_widths[0], dtype=dtype, name="basis")(x)
        for i in range(stages):
            if i > 0:
                if stage_widths[i] != stage_widths[i - 1]:
                    x = _linear_conv(stage_widths[i], dtype, f"stage_{i}_transition")(x)
                x = FIRUpSampling2D(taps, dtype=dtype, name=f"stage_{i}_upsample")(x)
            for j in range(stage_blocks[i]):
                x = R3GANResidualBlock(
                    cardinality=stage_cardinality[i],
                    expansion=expansion,
                    kernel_size=kernel_size,
                    num_blocks=total_blocks,
                    grouped_conv=grouped_conv,
                    dtype=dtype,
                    name=f"stage_{i}_block_{j}",
                )(x)
        x = _linear_conv(channels, dtype, "to_image")(x)
        images = keras.layers.Activation(output_activation, dtype="float32", name="output")(x)
        super().__init__(inputs=inputs, outputs=images, **kwargs)
        self.image_size = image_size
        self.channels = channels
        self.latent_dim = latent_dim
        self.widths = _config_value(widths)
        self.blocks_per_stage = _config_value(blocks_per_stage)
        self.cardinality = _config_value(cardinality)
        self.expansion = expansion
        self.kernel_size = kernel_size
        self.resampling_taps = taps
        self.num_classes = num_classes
        self.embedding_dim = embedding_dim
        self.output_activation = output_activation
        self.grouped_conv = grouped_conv

    def get_config(self):
        return {
            **super().get_config(),
            "image_size": self.image_size,
            "channels": self.channels,
            "latent_dim": self.latent_dim,
            "widths": self.widths,
            "blocks_per_stage": self.blocks_per_stage,
            "cardinality": self.cardinality,
            "expansion": self.expansion,
            "kernel_size": self.kernel_size,
            "resampling_taps": self.resampling_taps,
            "num_classes": self.num_classes,
            "embedding_dim": self.embedding_dim,
            "output_activation": self.output_activation,
            "grouped_conv": self.grouped_conv,
        }


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class R3GANDiscriminator(Network):
    """R3GAN's discriminator: fix-up ResNeXt stages, FIR downsampling, a depthwise 4x4 head.

    A bias-free 1x1 convolution lifts the image to the full-resolution
    stage's width; each stage runs `blocks_per_stage` `R3GANResidualBlock`s
    and, down to 4x4, a transition layer halves the resolution with
    `FIRDownSampling2D` and changes the width with a bias-free 1x1
    convolution (when the width changes). At 4x4 a depthwise 4x4
    convolution (no padding, no bias) and a bias-free linear layer give one
    float32 logit per image, shape `(batch, 1)` (no sigmoid: the losses
    take logits). No normalization layer, fix-up initialization with `L` =
    the total number of residual blocks.

    Stage `i` (0-based) works at resolution `4 * 2^i`; `widths`,
    `blocks_per_stage` and `cardinality` are an int (the same for every
    stage) or a list of one value per stage, **from the 4x4 stage up** in
    both networks, so the same arguments build a matching generator and
    discriminator (R3GAN's reference code lists the discriminator's stages
    in reverse). A network for `image_size = 2^n` has `n - 1` stages.

    Class conditioning is a projection, as in R3GAN: the linear layer
    outputs an `embedding_dim` vector `h` and the logit is `<h, e(label)>`
    with `e` a learned embedding drawn from `N(0, 1 / (embedding_dim *
    num_classes))` (R3GAN's `EmbeddingLayer` with gain
    `1 / sqrt(embedding_dim)`); there is no unconditional term.

    Args:
        image_size: int. Input height and width: a power of two >= 8.
            Defaults to 32.
        channels: int. Input channels. Defaults to 3.
        widths: int or list. Channels per stage (from 4x4 up). Defaults
            to 256.
        blocks_per_stage: int or list. Residual blocks per stage (0
            allowed). Defaults to 2.
        cardinality: int or list. Groups of each block's middle convolution
            per stage. Defaults to 32.
        expansion: int. Width factor inside the residual branches.
            Defaults to 2.
        kernel_size: int. Kernel size of the grouped convolutions (odd).
            Defaults to 3.
        resampling_taps: list of numbers. Low-pass taps of the downsampling
            filter. Defaults to `(1, 2, 1)`.
        num_classes: int or None. Class-conditional (projection) variant:
            the model takes `[images, labels]` (integer labels). Defaults to
            None (unconditional).
        embedding_dim: int or None. Size of the projection; None means the
            4x4 stage's width (R3GAN's setting). Ignored without
            `num_classes`. Defaults to None.
        grouped_conv: str. Implementation of the grouped convolutions,
            `"auto"`, `"native"` or `"split"` (as in `R3GANGenerator`).
            Defaults to `"auto"`.
        **kwargs: `Network` arguments (`name`, `dtype`, `trainable`).

    Example:

    ```python
    # R3GAN's CIFAR-10 discriminator, class-conditional
    discriminator = R3GANDiscriminator(image_size=32, channels=3, widths=768,
                                       blocks_per_stage=2, cardinality=96, expansion=2,
                                       num_classes=10)
    logits = discriminator([images, labels])   # (batch, 1), float32
    ```

    References:
        Huang et al., "The GAN is dead; long live the GAN! A Modern GAN
        Baseline", NeurIPS 2024; code: github.com/brownvc/R3GAN.
    """

    def __init__(
        self,
        image_size: int = 32,
        channels: int = 3,
        widths: int | list = 256,
        blocks_per_stage: int | list = 2,
        cardinality: int | list = 32,
        expansion: int = 2,
        kernel_size: int = 3,
        resampling_taps=(1, 2, 1),
        num_classes: int | None = None,
        embedding_dim: int | None = None,
        grouped_conv: str = "auto",
        **kwargs,
    ):
        stages = check_image_size(image_size) + 1
        check_positive_int(channels, "channels")
        stage_widths = _per_stage(widths, stages, "widths")
        stage_blocks = _per_stage(blocks_per_stage, stages, "blocks_per_stage", minimum=0)
        stage_cardinality = _per_stage(cardinality, stages, "cardinality")
        check_positive_int(expansion, "expansion")
        _check_cardinality(stage_widths, stage_cardinality, expansion)
        taps = check_taps(resampling_taps, "resampling_taps")
        check_implementation(grouped_conv, "grouped_conv")
        if num_classes is not None:
            check_positive_int(num_classes, "num_classes")
        if embedding_dim is not None:
            check_positive_int(embedding_dim, "embedding_dim")
        kwargs.setdefault("name", "r3gan_discriminator")
        dtype = kwargs.get("dtype")
        total_blocks = sum(stage_blocks)

        images = keras.Input((image_size, image_size, channels), name="image")
        x = _linear_conv(stage_widths[-1], dtype, "from_image")(images)
        for i in reversed(range(stages)):
            for j in range(stage_blocks[i]):
                x = R3GANResidualBlock(
                    cardinality=stage_cardinality[i],
                    expansion=expansion,
                    kernel_size=kernel_size,
                    num_blocks=total_blocks,
                    grouped_conv=grouped_conv,
                    dtype=dtype,
                    name=f"stage_{i}_block_{j}",
                )(x)
            if i > 0:
                x = FIRDownSampling2D(taps, dtype=dtype, name=f"stage_{i}_downsample")(x)
                if stage_widths[i - 1] != stage_widths[i]:
                    x = _linear_conv(stage_widths[i - 1], dtype, f"stage_{i}_transition")(x)
        # R3GAN's DiscriminativeBasis: depthwise 4x4 (fan-in 16 per channel), then linear.
        x = keras.layers.DepthwiseConv2D(
            4,
            padding="valid",
            use_bias=False,
            depthwise_initializer=_fan_in_normal(16),
            dtype=dtype,
            name="basis",
        )(x)
        x = keras.layers.Flatten(dtype=dtype, name="flatten")(x)
        out_dim = 1 if num_classes is None else (embedding_dim or stage_widths[0])
        logits = keras.layers.Dense(
            out_dim,
            use_bias=False,
            kernel_initializer=_fan_in_normal(stage_widths[0]),
            dtype="float32",
            name="logit" if num_classes is None else "features",
        )(x)
        inputs = images
        if num_classes is not None:
            labels = keras.Input((), dtype="int32", name="label")
            embedded = keras.layers.Embedding(
                num_classes,
                out_dim,
                embeddings_initializer=_fan_in_normal(num_classes, 1 / math.sqrt(out_dim)),
                dtype="float32",
                name="label_embedding",
            )(labels)
            logits = keras.layers.Dot(axes=1, dtype="float32", name="projection")(
                [logits, embedded]
            )
            inputs = [images, labels]
        super().__init__(inputs=inputs, outputs=logits, **kwargs)
        self.image_size = image_size
        self.channels = channels
        self.widths = _config_value(widths)
        self.blocks_per_stage = _config_value(blocks_per_stage)
        self.cardinality = _config_value(cardinality)
        self.expansion = expansion
        self.kernel_size = kernel_size
        self.resampling_taps = taps
        self.num_classes = num_classes
        self.embedding_dim = embedding_dim
        self.grouped_conv = grouped_conv

    def get_config(self):
        return {
            **super().get_config(),
            "image_size": self.image_size,
            "channels": self.channels,
            "widths": self.widths,
            "blocks_per_stage": self.blocks_per_stage,
            "cardinality": self.cardinality,
            "expansion": self.expansion,
            "kernel_size": self.kernel_size,
            "resampling_taps": self.resampling_taps,
            "num_classes": self.num_classes,
            "embedding_dim": self.embedding_dim,
            "grouped_conv": self.grouped_conv,
        }
