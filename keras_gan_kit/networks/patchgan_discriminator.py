"""`PatchGANDiscriminator`: the pix2pix/CycleGAN "basic" PatchGAN."""

from __future__ import annotations

import keras

from keras_gan_kit.layers import SpectralNormalization
from keras_gan_kit.layers.normalization import (
    NORMALIZATIONS,
    check_normalization,
    make_normalization,
)
from keras_gan_kit.networks.network import Network
from keras_gan_kit.utils.validation import check_positive_int

__all__ = ["PatchGANDiscriminator"]


def patchgan_receptive_field(num_layers: int) -> int:
    """Receptive field (pixels) of a PatchGAN with `num_layers` stride-2 layers (internal).

    Walks back from one output pixel: the final 4x4 stride-1 convolution and
    the 4x4 stride-1 convolution before it, then `num_layers` 4x4 stride-2
    ones: `r <- (r - 1) * stride + 4`.
    """
    field = 1
    for stride in [1, 1] + [2] * num_layers:
        field = (field - 1) * stride + 4
    return field


def patchgan_output_size(size: int, num_layers: int) -> int:
    """Output height for input height `size` (4x4 kernels, padding 1) (internal)."""
    for _ in range(num_layers):
        size = (size + 2 - 4) // 2 + 1
    return size - 2  # two stride-1 4x4 convolutions with padding 1: -1 each


def patchgan_min_size(num_layers: int) -> int:
    """Smallest input height (and width) giving a non-empty logit map (internal).

    `3 * 2**num_layers`: 6 for one stride-2 layer, 12 for 2, 24 for 3.
    """
    size = 1
    while patchgan_output_size(size, num_layers) < 1:
        size += 1
    return size


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class PatchGANDiscriminator(Network):
    """PatchGAN discriminator: one real/fake logit per overlapping image patch.

    The "basic" discriminator of pix2pix and CycleGAN: `num_layers` 4x4
    stride-2 convolutions (filters `base_filters * 2^i`, capped at
    `8 * base_filters`; the first one not normalized), one 4x4 stride-1
    convolution, each followed by LeakyReLU(0.2), and a 4x4 stride-1
    convolution to one channel. Every convolution pads by 1 as in the
    reference code, so a 256x256 input gives a 30x30 map of float32 logits
    (no sigmoid: the losses take logits), each seeing a
    `receptive_field`-sized patch: 70x70 for `num_layers=3` (the default),
    34 for 2, 142 for 4. Kernels are drawn from N(0, 0.02).

    With `condition_channels=k` the model takes two inputs,
    `[condition_image, image]`, and concatenates them on channels: pix2pix's
    conditional discriminator, which judges (input, output) pairs.

    Args:
        input_channels: int. Channels of the judged image. Defaults to 3.
        condition_channels: int or None. Channels of the conditioning image
            (pix2pix); None for an unconditional discriminator (CycleGAN).
            Defaults to None.
        base_filters: int. Filters of the first convolution. Defaults to 64.
        num_layers: int. Stride-2 convolutions. Defaults to 3 (70x70).
        normalization: str. `"batch"` (pix2pix), `"instance"` (CycleGAN;
            non-affine), `"layer"` or `"none"`. Use `"none"`, `"layer"` or
            `"instance"` with gradient penalties. Defaults to `"batch"`.
        spectral_norm: bool. Spectral normalization on every convolution.
            Defaults to False.
        image_size: int or None. Input height and width, at least
            `3 * 2**num_layers` (24 for the default 3 layers, 12 for 2, 6 for
            1); None (the default) makes the network fully convolutional
            (inputs `(None, None, C)`, of at least that size, checked when
            called). Defaults to None.
        **kwargs: `Network` arguments (`name`, `dtype`, `trainable`).

    Example:

    ```python
    discriminator = PatchGANDiscriminator(condition_channels=3, image_size=256)
    logits = discriminator([inputs, outputs])   # (batch, 30, 30, 1), float32
    discriminator.receptive_field               # 70
    ```

    References:
        Isola et al., "Image-to-Image Translation with Conditional
        Adversarial Networks", CVPR 2017.
        Li & Wand, "Precomputed Real-Time Texture Synthesis with Markovian
        Generative Adversarial Networks", ECCV 2016.
    """

    def __init__(
        self,
        input_channels: int = 3,
        condition_channels: int | None = None,
        base_filters: int = 64,
        num_layers: int = 3,
        normalization: str = "batch",
        spectral_norm: bool = False,
        image_size: int | None = None,
        **kwargs,
    ):
        check_positive_int(input_channels, "input_channels")
        if condition_channels is not None:
            check_positive_int(condition_channels, "condition_channels")
        check_positive_int(base_filters, "base_filters")
        check_positive_int(num_layers, "num_layers")
        normalization = check_normalization(normalization, choices=NORMALIZATIONS)
        if image_size is not None:
            check_positive_int(image_size, "image_size")
            if patchgan_output_size(image_size, num_layers) < 1:
                raise ValueError(
                    f"`image_size` is too small for num_layers={num_layers}: the logit map "
                    f"would be empty. The smallest is {patchgan_min_size(num_layers)} "
                    f"(3 * 2**num_layers); use fewer layers for smaller images. "
                    f"Received: image_size={image_size}"
                )
        kwargs.setdefault("name", "patchgan_discriminator")
        dtype = kwargs.get("dtype")

        images = keras.Input((image_size, image_size, input_channels), name="image")
        inputs = images
        x = images
        if condition_channels is not None:
            condition = keras.Input((image_size, image_size, condition_channels), name="condition")
            inputs = [condition, images]
            x = keras.layers.Concatenate(dtype=dtype, name="condition_and_image")(
                [condition, images]
            )

        def conv(x, filters, stride, name, norm, layer_dtype=dtype):
            x = keras.layers.ZeroPadding2D(1, dtype=dtype, name=f"{name}_pad")(x)
            layer = keras.layers.Conv2D(
                filters,
                4,
                strides=stride,
                use_bias=norm == "none",
                kernel_initializer=keras.initializers.RandomNormal(stddev=0.02),
                dtype=layer_dtype,
                name=f"{name}_conv",
            )
            if spectral_norm:
                layer = SpectralNormalization(layer, dtype=layer_dtype, name=f"{name}_sn")
            return layer(x)

        for i in range(num_layers + 1):
            stride = 2 if i < num_layers else 1
            norm = "none" if i == 0 else normalization
            x = conv(x, base_filters * min(2**i, 8), stride, f"layer_{i + 1}", norm)
            norm_layer = make_normalization(norm, name=f"layer_{i + 1}_norm", dtype=dtype)
            if norm_layer is not None:
                x = norm_layer(x)
            x = keras.layers.LeakyReLU(0.2, dtype=dtype, name=f"layer_{i + 1}_lrelu")(x)
        logits = conv(x, 1, 1, "logit", "none", layer_dtype="float32")
        super().__init__(inputs=inputs, outputs=logits, **kwargs)
        self.input_channels = input_channels
        self.condition_channels = condition_channels
        self.base_filters = base_filters
        self.num_layers = num_layers
        self.normalization = normalization
        self.spectral_norm = spectral_norm
        self.image_size = image_size

    def _check_image_size(self, height, width, shape):
        if min(height, width) < patchgan_min_size(self.num_layers):
            raise ValueError(
                f"PatchGANDiscriminator(num_layers={self.num_layers}) needs images of at "
                f"least {patchgan_min_size(self.num_layers)}x"
                f"{patchgan_min_size(self.num_layers)} pixels (3 * 2**num_layers); smaller "
                "ones leave an empty logit map. Use fewer layers for smaller images. "
                f"Received: input shape {shape}"
            )

    @property
    def receptive_field(self) -> int:
        """Side, in input pixels, of the patch each output logit sees."""
        return patchgan_receptive_field(self.num_layers)

    def get_config(self):
        return {
            **super().get_config(),
            "input_channels": self.input_channels,
            "condition_channels": self.condition_channels,
            "base_filters": self.base_filters,
            "num_layers": self.num_layers,
            "normalization": self.normalization,
            "spectral_norm": self.spectral_norm,
            "image_size": self.image_size,
        }
