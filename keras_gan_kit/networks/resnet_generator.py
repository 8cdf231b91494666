"""`ResNetGenerator`: the CycleGAN ResNet generator ("resnet_9blocks" and relatives)."""

from __future__ import annotations

import keras

from keras_gan_kit.layers import ReflectionPadding2D, ResidualBlock
from keras_gan_kit.layers.normalization import (
    NORMALIZATIONS,
    check_normalization,
    make_normalization,
)
from keras_gan_kit.networks.network import Network
from keras_gan_kit.networks.unet_generator import check_divisible_size
from keras_gan_kit.utils.validation import (
    check_fraction,
    check_non_negative_int,
    check_positive_int,
)

__all__ = ["ResNetGenerator"]


def resnet_min_size(num_downsamples: int) -> int:
    """Smallest image side a `ResNetGenerator` takes (internal).

    Reflection padding needs each padding smaller than the padded side: 3 around
    the 7x7 stem and head convolutions (so >= 4 pixels) and 1 in the residual
    blocks at the bottleneck (so >= 2 pixels after `num_downsamples` halvings).
    """
    return max(4, 2 * 2**num_downsamples)


def _init():
    return keras.initializers.RandomNormal(stddev=0.02)


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class ResNetGenerator(Network):
    """CycleGAN ResNet generator: image -> image through residual blocks.

    Reflection pad 3, 7x7 convolution to `base_filters`, norm, ReLU;
    `num_downsamples` 3x3 stride-2 convolutions (padding 1) doubling the
    filters, each with norm and ReLU; `num_residual_blocks` `ResidualBlock`s;
    `num_downsamples` 3x3 stride-2 transposed convolutions (padding 1, output
    padding 1) halving them, each with norm and ReLU; reflection pad 3, 7x7
    convolution to `output_channels`, `tanh` (float32). The defaults are
    CycleGAN's "resnet_9blocks" (256x256 images; 11.373M parameters with
    instance norm: the reference's 11.378M also counts convolution biases
    that its non-affine instance norm cancels); use `num_residual_blocks=6` for "resnet_6blocks"
    (128x128 in the paper). Paddings and output sizes match the reference
    code exactly, layer for layer. Kernels are drawn from N(0, 0.02).

    Args:
        image_size: int or None. Input and output height and width, divisible
            by `2**num_downsamples` and at least `max(4, 2 * 2**num_downsamples)`
            (8 with the default 2 downsamplings). None (the default) makes the
            network fully convolutional: inputs `(None, None, input_channels)`,
            any height and width meeting the same rules (checked when called).
            Defaults to None.
        input_channels: int. Channels of the input image. Defaults to 3.
        output_channels: int. Channels of the output image. Defaults to 3.
        base_filters: int. Filters of the first convolution. Defaults to 64.
        num_residual_blocks: int. Residual blocks at the lowest resolution.
            Defaults to 9.
        num_downsamples: int. Stride-2 downsamplings (and upsamplings).
            Defaults to 2.
        normalization: str. `"instance"` (CycleGAN, non-affine), `"batch"`,
            `"layer"` or `"none"`. Defaults to `"instance"`.
        dropout: float. Dropout inside each residual block (the reference's
            `use_dropout` uses 0.5; CycleGAN trains without). Defaults to 0.
        **kwargs: `Network` arguments (`name`, `dtype`, `trainable`).

    Example:

    ```python
    generator = ResNetGenerator()                        # resnet_9blocks
    fake = generator(keras.random.normal((1, 256, 256, 3)))   # (1, 256, 256, 3)
    ```

    References:
        Zhu et al., "Unpaired Image-to-Image Translation using
        Cycle-Consistent Adversarial Networks", ICCV 2017.
        Johnson et al., "Perceptual Losses for Real-Time Style Transfer and
        Super-Resolution", ECCV 2016.
    """

    def __init__(
        self,
        image_size: int | None = None,
        input_channels: int = 3,
        output_channels: int = 3,
        base_filters: int = 64,
        num_residual_blocks: int = 9,
        num_downsamples: int = 2,
        normalization: str = "instance",
        dropout: float = 0.0,
        **kwargs,
    ):
        check_positive_int(input_channels, "input_channels")
        check_positive_int(output_channels, "output_channels")
        check_positive_int(base_filters, "base_filters")
        check_positive_int(num_residual_blocks, "num_residual_blocks")
        check_non_negative_int(num_downsamples, "num_downsamples")
        check_divisible_size(image_size, num_downsamples)
        if image_size is not None and image_size < resnet_min_size(num_downsamples):
            raise ValueError(
                f"`image_size` is too small for num_downsamples={num_downsamples}: the "
                f"smallest is {resnet_min_size(num_downsamples)} (reflection padding needs "
                "at least 4 pixels before the 7x7 convolutions and 2 in the residual "
                f"blocks, after the downsamplings). Received: image_size={image_size}"
            )
        normalization = check_normalization(normalization, choices=NORMALIZATIONS)
        dropout = check_fraction(dropout, "dropout", high_open=True)
        kwargs.setdefault("name", "resnet_generator")
        dtype = kwargs.get("dtype")
        use_bias = normalization == "none"

        def norm_relu(x, name):
            norm = make_normalization(normalization, name=f"{name}_norm", dtype=dtype)
            if norm is not None:
                x = norm(x)
            return keras.layers.ReLU(dtype=dtype, name=f"{name}_relu")(x)

        images = keras.Input((image_size, image_size, input_channels), name="image")
        x = ReflectionPadding2D(3, dtype=dtype, name="stem_pad")(images)
        x = keras.layers.Conv2D(
            base_filters,
            7,
            use_bias=use_bias,
            kernel_initializer=_init(),
            dtype=dtype,
            name="stem_conv",
        )(x)
        x = norm_relu(x, "stem")
        filters = base_filters
        for i in range(1, num_downsamples + 1):
            filters *= 2
            # torch Conv2d(k=3, s=2, padding=1): pad 1 on every side, then a valid conv.
            x = keras.layers.ZeroPadding2D(1, dtype=dtype, name=f"down_{i}_pad")(x)
            x = keras.layers.Conv2D(
                filters,
                3,
                strides=2,
                use_bias=use_bias,
                kernel_initializer=_init(),
                dtype=dtype,
                name=f"down_{i}_conv",
            )(x)
            x = norm_relu(x, f"down_{i}")
        for i in range(1, num_residual_blocks + 1):
            x = ResidualBlock(
                filters, normalization=normalization, dropout=dropout, dtype=dtype, name=f"res_{i}"
            )(x)
        for i in range(1, num_downsamples + 1):
            filters //= 2
            # torch ConvTranspose2d(k=3, s=2, padding=1, output_padding=1): the full
            # (2H + 1)-sized transposed conv without its first row and column.
            x = keras.layers.Conv2DTranspose(
                filters,
                3,
                strides=2,
                use_bias=use_bias,
                kernel_initializer=_init(),
                dtype=dtype,
                name=f"up_{i}_conv",
            )(x)
            x = keras.layers.Cropping2D(((1, 0), (1, 0)), dtype=dtype, name=f"up_{i}_crop")(x)
            x = norm_relu(x, f"up_{i}")
        x = ReflectionPadding2D(3, dtype=dtype, name="head_pad")(x)
        x = keras.layers.Conv2D(
            output_channels, 7, kernel_initializer=_init(), dtype=dtype, name="to_image"
        )(x)
        outputs = keras.layers.Activation("tanh", dtype="float32", name="tanh")(x)
        super().__init__(inputs=images, outputs=outputs, **kwargs)
        self.image_size = image_size
        self.input_channels = input_channels
        self.output_channels = output_channels
        self.base_filters = base_filters
        self.num_residual_blocks = num_residual_blocks
        self.num_downsamples = num_downsamples
        self.normalization = normalization
        self.dropout = dropout

    def _check_image_size(self, height, width, shape):
        factor, smallest = 2**self.num_downsamples, resnet_min_size(self.num_downsamples)
        if height % factor or width % factor or min(height, width) < smallest:
            raise ValueError(
                f"ResNetGenerator(num_downsamples={self.num_downsamples}) needs images whose "
                f"height and width are multiples of 2**num_downsamples = {factor} and at "
                f"least {smallest} (reflection padding needs 4 pixels around the 7x7 "
                f"convolutions and 2 in the residual blocks). Received: input shape {shape}"
            )

    def get_config(self):
        return {
            **super().get_config(),
            "image_size": self.image_size,
            "input_channels": self.input_channels,
            "output_channels": self.output_channels,
            "base_filters": self.base_filters,
            "num_residual_blocks": self.num_residual_blocks,
            "num_downsamples": self.num_downsamples,
            "normalization": self.normalization,
            "dropout": self.dropout,
        }
