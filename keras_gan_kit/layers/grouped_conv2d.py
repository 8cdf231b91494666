"""`GroupedConv2D`: `keras.layers.Conv2D` with `groups`, with a split-and-concatenate fallback."""

from __future__ import annotations

import keras
from keras import ops

__all__ = ["GroupedConv2D"]

IMPLEMENTATIONS = ("auto", "native", "split")


def check_implementation(value, arg: str = "implementation") -> str:
    """Checks a grouped-convolution implementation name (`"auto"`, `"native"`, `"split"`)."""
    if value not in IMPLEMENTATIONS:
        raise ValueError(
            f"Unknown grouped-convolution implementation. Received: {arg}={value!r}. "
            f"Expected one of {list(IMPLEMENTATIONS)}."
        )
    return value


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class GroupedConv2D(keras.layers.Conv2D):
    """`keras.layers.Conv2D` whose grouped convolution can run group by group.

    The same layer, weights and config as `keras.layers.Conv2D(...,
    groups=groups)` (kernel `(kh, kw, in_channels // groups, filters)`), plus
    `implementation`:

    - `"native"`: one grouped convolution (`ops.conv` with
      `feature_group_count`), as `Conv2D` does.
    - `"split"`: the input channels and the kernel's output channels are
      split into `groups` slices, each slice convolved with its own kernel
      slice and the results concatenated. The same numbers and gradients
      (to float rounding), one ordinary convolution per group: the fallback
      for a backend or device whose grouped convolution fails (TensorFlow's
      own CPU kernels refuse grouped convolutions outside XLA; Keras 3 runs
      them through a nested XLA function there). Slower for many groups.
    - `"auto"`: `"native"`. Measured with keras 3.15.1 on CPU (tensorflow
      2.21 with and without XLA, jax 0.10.2, torch 2.13): the native grouped
      convolution runs forward, backward and double-backward (R1 penalty)
      inside a compiled GAN train step under float32, `mixed_bfloat16` and
      `mixed_float16` on all three backends, so no fallback is selected;
      choose `"split"` by hand where it fails.

    Both implementations share the weight layout, so a `.keras` file saved
    with one loads with the other.

    Args:
        filters: int. Output channels (a multiple of `groups`).
        kernel_size: int or tuple. Kernel height and width.
        groups: int. Number of groups (cardinality); the input channels must
            be a multiple of it. Defaults to 1.
        implementation: str. `"auto"`, `"native"` or `"split"`. Defaults to
            `"auto"`.
        **kwargs: other `keras.layers.Conv2D` arguments (`padding`,
            `use_bias`, initializers, `name`, `dtype`, ...); channels-last only.

    Example:

    ```python
    conv = GroupedConv2D(256, 3, groups=16, padding="same", implementation="split")
    y = conv(keras.random.normal((2, 8, 8, 256)))   # (2, 8, 8, 256)
    ```
    """

    def __init__(
        self,
        filters: int,
        kernel_size,
        groups: int = 1,
        implementation: str = "auto",
        **kwargs,
    ):
        check_implementation(implementation)
        if kwargs.get("data_format", "channels_last") not in (None, "channels_last"):
            raise ValueError(
                "GroupedConv2D supports channels-last inputs only. Received: "
                f"data_format={kwargs['data_format']!r}"
            )
        kwargs["data_format"] = "channels_last"
        super().__init__(filters, kernel_size, groups=groups, **kwargs)
        self.implementation = implementation

    def convolution_op(self, inputs, kernel):
        if self.groups == 1 or self.implementation in ("auto", "native"):
            return super().convolution_op(inputs, kernel)
        pieces = zip(
            ops.split(inputs, self.groups, axis=-1), ops.split(kernel, self.groups, axis=-1)
        )
        return ops.concatenate(
            [
                ops.conv(
                    x,
                    k,
                    strides=list(self.strides),
                    padding=self.padding,
                    dilation_rate=self.dilation_rate,
                    data_format="channels_last",
                )
                for x, k in pieces
            ],
            axis=-1,
        )

    def get_config(self):
        return {**super().get_config(), "implementation": self.implementation}
