"""R3GAN's building blocks: the fix-up residual block and the modulated 4x4 constant."""

from __future__ import annotations

import math

import keras
from keras import ops

from keras_gan_kit.layers.fixup_initializer import FixupHeNormal
from keras_gan_kit.layers.grouped_conv2d import GroupedConv2D, check_implementation
from keras_gan_kit.utils.validation import check_non_negative_number, check_positive_int

__all__ = ["ModulatedConstant", "R3GANResidualBlock"]


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class R3GANResidualBlock(keras.layers.Layer):
    """R3GAN's residual block: `x + conv1x1(act(gconv3x3(act(conv1x1(x)))))`, fix-up initialized.

    For an input of `C` channels the branch is a 1x1 convolution to
    `expansion * C` channels, bias + leaky ReLU(0.2), a `kernel_size`
    grouped convolution with `cardinality` groups (ResNeXt), bias + leaky
    ReLU, and a 1x1 convolution back to `C` channels with no bias; the block
    returns `x + branch(x)`. There is no normalization layer. The first two
    convolutions are drawn from `FixupHeNormal(num_blocks)` (He normal times
    `L^(-1/4)`, `L = num_blocks`), the last one is zero, so the block is the
    identity at initialization.

    R3GAN's reference code has bias-free convolutions followed by a separate
    bias + activation (for its fused CUDA op); here the first two
    convolutions carry the bias themselves (`use_bias=True`, zeros at
    initialization): the same function and parameters.

    Args:
        cardinality: int. Groups of the middle convolution;
            `expansion * C` must be a multiple of it. Defaults to 1.
        expansion: int. Width factor of the branch. Defaults to 2.
        kernel_size: int. Kernel size of the middle convolution (odd).
            Defaults to 3.
        num_blocks: int. `L`, the number of residual blocks in the whole
            network, for the fix-up scaling. Defaults to 1.
        negative_slope: float. Slope of the leaky ReLUs. Defaults to 0.2.
        grouped_conv: str. Implementation of the grouped convolution,
            `"auto"`, `"native"` or `"split"` (see
            `keras_gan_kit.layers.GroupedConv2D`; `"auto"` splits them on a
            TensorFlow or JAX CPU, where that is 10x faster). Defaults to
            `"auto"`.
        **kwargs: standard layer arguments (`name`, `dtype`).

    Example:

    ```python
    x = keras.Input((16, 16, 128))
    y = R3GANResidualBlock(cardinality=16, expansion=2, num_blocks=8)(x)   # (None, 16, 16, 128)
    ```

    References:
        Huang et al., "The GAN is dead; long live the GAN! A Modern GAN
        Baseline", NeurIPS 2024 (`R3GAN/Networks.py`, `ResidualBlock`).
        Xie et al., "Aggregated Residual Transformations for Deep Neural
        Networks", CVPR 2017.
        Zhang et al., "Fixup Initialization: Residual Learning Without
        Normalization", ICLR 2019.
    """

    def __init__(
        self,
        cardinality: int = 1,
        expansion: int = 2,
        kernel_size: int = 3,
        num_blocks: int = 1,
        negative_slope: float = 0.2,
        grouped_conv: str = "auto",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.cardinality = check_positive_int(cardinality, "cardinality")
        self.expansion = check_positive_int(expansion, "expansion")
        self.kernel_size = check_positive_int(kernel_size, "kernel_size")
        if kernel_size % 2 == 0:
            raise ValueError(f"`kernel_size` must be odd. Received: kernel_size={kernel_size}")
        self.num_blocks = check_positive_int(num_blocks, "num_blocks")
        self.negative_slope = check_non_negative_number(negative_slope, "negative_slope")
        self.grouped_conv = check_implementation(grouped_conv, "grouped_conv")

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None or len(input_shape) != 4:
            raise ValueError(
                "R3GANResidualBlock takes channels-last feature maps (batch, height, width, "
                f"channels) with known channels. Received: input_shape={tuple(input_shape)}"
            )
        hidden = self.expansion * channels
        if hidden % self.cardinality:
            raise ValueError(
                "The block's hidden width `expansion * channels` must be a multiple of "
                f"`cardinality`. Received: cardinality={self.cardinality} for expansion="
                f"{self.expansion} and {channels} input channels ({hidden} hidden channels)"
            )
        dtype = self.dtype_policy
        self.conv_1 = keras.layers.Conv2D(
            hidden,
            1,
            kernel_initializer=FixupHeNormal(self.num_blocks, 3, self.negative_slope),
            bias_initializer="zeros",
            dtype=dtype,
            name="conv_1",
        )
        self.conv_2 = GroupedConv2D(
            hidden,
            self.kernel_size,
            groups=self.cardinality,
            implementation=self.grouped_conv,
            padding="same",
            kernel_initializer=FixupHeNormal(self.num_blocks, 3, self.negative_slope),
            bias_initializer="zeros",
            dtype=dtype,
            name="conv_2",
        )
        self.conv_3 = keras.layers.Conv2D(
            channels, 1, use_bias=False, kernel_initializer="zeros", dtype=dtype, name="conv_3"
        )
        shape = tuple(input_shape)
        self.conv_1.build(shape)
        hidden_shape = shape[:-1] + (hidden,)
        self.conv_2.build(hidden_shape)
        self.conv_3.build(hidden_shape)
        self.built = True

    def call(self, inputs):
        y = ops.leaky_relu(self.conv_1(inputs), self.negative_slope)
        y = ops.leaky_relu(self.conv_2(y), self.negative_slope)
        return inputs + self.conv_3(y)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "cardinality": self.cardinality,
            "expansion": self.expansion,
            "kernel_size": self.kernel_size,
            "num_blocks": self.num_blocks,
            "negative_slope": self.negative_slope,
            "grouped_conv": self.grouped_conv,
        }


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class ModulatedConstant(keras.layers.Layer):
    """A learned `size x size x filters` constant scaled channel-wise by a linear map of a vector.

    `output[b, i, j, c] = basis[i, j, c] * (z[b] @ kernel)[c]`: R3GAN's
    `GenerativeBasis`, the first layer of its generator. `basis` is drawn
    from N(0, 1) and `kernel` (no bias) from N(0, 1 / in_features), R3GAN's
    `MSRInitializer` with gain 1.

    Args:
        filters: int. Channels of the output map.
        size: int. Height and width of the output map. Defaults to 4.
        **kwargs: standard layer arguments (`name`, `dtype`).

    Example:

    ```python
    z = keras.Input((64,))
    x = ModulatedConstant(256)(z)   # (None, 4, 4, 256)
    ```

    References:
        Huang et al., "The GAN is dead; long live the GAN! A Modern GAN
        Baseline", NeurIPS 2024 (`R3GAN/Networks.py`, `GenerativeBasis`).
    """

    def __init__(self, filters: int, size: int = 4, **kwargs):
        super().__init__(**kwargs)
        self.filters = check_positive_int(filters, "filters")
        self.size = check_positive_int(size, "size")

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                "ModulatedConstant takes vectors (batch, features) with known features. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        features = int(input_shape[-1])
        self.basis = self.add_weight(
            shape=(self.size, self.size, self.filters),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
            name="basis",
        )
        self.kernel = self.add_weight(
            shape=(features, self.filters),
            initializer=keras.initializers.RandomNormal(stddev=1.0 / math.sqrt(features)),
            name="kernel",
        )
        self.built = True

    def call(self, inputs):
        scale = ops.matmul(inputs, self.kernel)
        return self.basis[None] * scale[:, None, None, :]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "size": self.size}
