"""`UNetGenerator`: the pix2pix U-Net generator ("unet_256" and relatives)."""

from __future__ import annotations

import keras

from keras_gan_kit.layers import UNetDownBlock, UNetUpBlock
from keras_gan_kit.layers.normalization import NORMALIZATIONS, check_normalization
from keras_gan_kit.networks.network import Network
from keras_gan_kit.utils.validation import check_fraction, check_positive_int

__all__ = ["UNetGenerator"]


def check_divisible_size(image_size, num_downsamples, arg="image_size"):
    """`None`, or an int >= 1 divisible by `2**num_downsamples` (internal)."""
    if image_size is None:
        return None
    check_positive_int(image_size, arg)
    factor = 2**num_downsamples
    if image_size % factor:
        raise ValueError(
            f"`{arg}` must be divisible by 2**num_downsamples = {factor} ({factor}, "
            f"{2 * factor}, {3 * factor}, ...; num_downsamples={num_downsamples}). "
            f"Received: {arg}={image_size!r}"
        )
    return image_size


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class UNetGenerator(Network):
    """pix2pix U-Net generator: image -> image, with skip connections.

    An encoder of `num_downsamples` `UNetDownBlock`s (filters
    `min(base_filters * 2^i, max_filters)`; the first and the innermost ones
    are not normalized), then a decoder of `UNetUpBlock`s mirroring it, each
    followed by the concatenation `[encoder skip, decoder]`, and a final
    transposed convolution to `output_channels` with `tanh` (float32), so
    outputs lie in [-1, 1]. With `image_size=256` and the defaults this is
    pix2pix's "unet_256": encoder C64-C128-C256-C512-C512-C512-C512-C512 down
    to 1x1, decoder CD512-CD512-CD512-C512-C256-C128-C64 (widths before
    concatenation), 54.4M parameters with batch norm. Kernels are drawn from
    N(0, 0.02) as in the reference code.

    Dropout (the paper's noise source, in the first three decoder blocks) is
    active in training mode and off in inference; pix2pix also samples with
    dropout on at test time: call the generator with `training=True` for
    that. Note that the reference code puts the dropout in decoder blocks 2-4
    rather than 1-3 (its innermost block has none); this class follows the
    paper.

    Args:
        image_size: int or None. Input and output height and width, divisible
            by `2**num_downsamples`. None makes the network fully
            convolutional (inputs `(None, None, input_channels)`; any height
            and width divisible by `2**num_downsamples`, checked when called).
            Defaults to 256.
        input_channels: int. Channels of the input image. Defaults to 3.
        output_channels: int. Channels of the output image. Defaults to 3.
        base_filters: int. Filters of the first encoder block. Defaults to 64.
        max_filters: int. Cap on the filters of any block. Defaults to 512.
        num_downsamples: int or None. Encoder depth. None means
            `log2(image_size)` (down to 1x1, as in pix2pix); it must be given
            when `image_size` is None or not a power of two. Defaults to None.
        dropout: float. Dropout rate of the first three decoder blocks
            (0 for none). Defaults to 0.5.
        normalization: str. `"batch"` (pix2pix), `"instance"` (non-affine, as
            the reference's `--norm instance`), `"layer"` or `"none"`.
            Defaults to `"batch"`.
        **kwargs: `Network` arguments (`name`, `dtype`, `trainable`).

    Example:

    ```python
    generator = UNetGenerator(image_size=256)           # unet_256
    fake = generator(images, training=True)             # (batch, 256, 256, 3)
    small = UNetGenerator(image_size=None, num_downsamples=5, base_filters=32)
    small(keras.random.normal((1, 96, 64, 3)))          # any H, W divisible by 32
    ```

    References:
        Isola et al., "Image-to-Image Translation with Conditional
        Adversarial Networks", CVPR 2017.
        Ronneberger et al., "U-Net: Convolutional Networks for Biomedical
        Image Segmentation", MICCAI 2015.
    """

    def __init__(
        self,
        image_size: int | None = 256,
        input_channels: int = 3,
        output_channels: int = 3,
        base_filters: int = 64,
        max_filters: int = 512,
        num_downsamples: int | None = None,
        dropout: float = 0.5,
        normalization: str = "batch",
        **kwargs,
    ):
        if num_downsamples is None:
            if image_size is None:
                raise ValueError(
                    "`num_downsamples` is needed when `image_size` is None (fully convolutional). "
                    "Received: image_size=None, num_downsamples=None"
                )
            check_positive_int(image_size, "image_size")
            if image_size < 2 or image_size & (image_size - 1):
                raise ValueError(
                    "Without `num_downsamples`, `image_size` must be a power of two >= 2 "
                    "(the U-Net goes down to 1x1). Pass `num_downsamples` for other sizes. "
                    f"Received: image_size={image_size!r}"
                )
            depth = image_size.bit_length() - 1
        else:
            depth = check_positive_int(num_downsamples, "num_downsamples")
        check_divisible_size(image_size, depth)
        check_positive_int(input_channels, "input_channels")
        check_positive_int(output_channels, "output_channels")
        check_positive_int(base_filters, "base_filters")
        check_positive_int(max_filters, "max_filters")
        dropout = check_fraction(dropout, "dropout", high_open=True)
        normalization = check_normalization(normalization, choices=NORMALIZATIONS)
        kwargs.setdefault("name", "unet_generator")
        dtype = kwargs.get("dtype")

        def filters(i):
            return min(base_filters * 2**i, max_filters)

        size = image_size
        images = keras.Input((size, size, input_channels), name="image")
        x = images
        skips = []
        for i in range(depth):
            x = UNetDownBlock(
                filters(i),
                normalization="none" if i in (0, depth - 1) else normalization,
                dtype=dtype,
                name=f"down_{i + 1}",
            )(x)
            skips.append(x)
        # Decoder: up_k brings the map back to the size of skip down_k and is
        # concatenated with it (skip first, as the reference's torch.cat([x, model(x)])).
        for j, k in enumerate(range(depth - 1, 0, -1)):
            x = UNetUpBlock(
                filters(k - 1),
                normalization=normalization,
                dropout=dropout if j < 3 else 0.0,
                dtype=dtype,
                name=f"up_{k}",
            )(x)
            x = keras.layers.Concatenate(dtype=dtype, name=f"skip_{k}")([skips[k - 1], x])
        x = UNetUpBlock(output_channels, normalization="none", dtype=dtype, name="to_image")(x)
        outputs = keras.layers.Activation("tanh", dtype="float32", name="tanh")(x)
        super().__init__(inputs=images, outputs=outputs, **kwargs)
        self.image_size = image_size
        self.input_channels = input_channels
        self.output_channels = output_channels
        self.base_filters = base_filters
        self.max_filters = max_filters
        self.num_downsamples = num_downsamples
        self.dropout = dropout
        self.normalization = normalization
        self._depth = depth

    def _check_image_size(self, height, width, shape):
        factor = 2**self._depth
        if height % factor or width % factor:
            raise ValueError(
                f"UNetGenerator with {self._depth} downsamplings needs images whose height "
                f"and width are multiples of 2**{self._depth} = {factor} ({factor}, "
                f"{2 * factor}, ...; the encoder halves them down to its bottleneck and the "
                f"decoder's skips must match). Received: input shape {shape}"
            )

    def get_config(self):
        return {
            **super().get_config(),
            "image_size": self.image_size,
            "input_channels": self.input_channels,
            "output_channels": self.output_channels,
            "base_filters": self.base_filters,
            "max_filters": self.max_filters,
            "num_downsamples": self.num_downsamples,
            "dropout": self.dropout,
            "normalization": self.normalization,
        }
