"""`GroupedConv2D`: `keras.layers.Conv2D` with `groups`, with a split-and-concatenate fallback.

The choice between the two implementations for `implementation="auto"` is made
in one place, `grouped_conv_implementation()`, from measurements recorded in its
docstring and in `benchmarks/r3gan_speed.py`.
"""

from __future__ import annotations

import functools

import keras
from keras import ops

__all__ = ["GroupedConv2D", "grouped_conv_implementation"]

IMPLEMENTATIONS = ("auto", "native", "split")


def check_implementation(value, arg: str = "implementation") -> str:
    """Checks a grouped-convolution implementation name (`"auto"`, `"native"`, `"split"`)."""
    if value not in IMPLEMENTATIONS:
        raise ValueError(
            f"Unknown grouped-convolution implementation. Received: {arg}={value!r}. "
            f"Expected one of {list(IMPLEMENTATIONS)}."
        )
    return value


@functools.cache
def _auto_implementation(backend: str) -> str:
    if backend not in ("tensorflow", "jax"):
        return "native"
    try:
        devices = keras.distribution.list_devices()
    except Exception:  # a backend without keras.distribution support: assume a CPU
        devices = ["cpu:0"]
    on_cpu = all(str(d).lower().startswith("cpu") for d in devices)
    return "split" if on_cpu else "native"


def grouped_conv_implementation() -> str:
    """The grouped-convolution implementation `"auto"` selects on this backend and device.

    The one place where the choice depends on the backend. `"split"` on
    TensorFlow and JAX when their devices are CPUs, `"native"` otherwise
    (PyTorch on any device; TensorFlow and JAX with a GPU or TPU).

    Why: TensorFlow's CPU kernels refuse grouped convolutions, so Keras 3 runs
    every grouped `ops.conv` on TensorFlow through a nested XLA function, and
    XLA:CPU (TensorFlow's nested function and JAX alike) computes the
    gradients of a grouped convolution (a `batch_group_count` convolution for
    the kernel gradient) very slowly. Measured in CPU seconds (keras 3.15.1,
    tensorflow 2.21, jax 0.10.2, torch 2.13 CPU build, shared 2-core CPU),
    forward + backward + double backward (an R1 penalty) of a 3x3 grouped
    convolution on a batch of 8 at 16x16: 64 channels in 4 groups, TF
    native 0.27 s vs split 0.008 s, JAX 0.12 s vs 0.029 s; 128 channels in
    8 groups, TF 0.99 s vs 0.012 s, JAX 0.44 s vs 0.059 s. A whole R3GAN
    train step (32x32, width 32, cardinality 4, batch 8, RpGAN + R1 + R2)
    took 5.1 s (TF) and 2.5 s (JAX) native vs 0.54 s and 0.25 s split. A
    dense convolution with a block-diagonal (masked) kernel, the other
    fallback tried, was slower than splitting at every size (TF 0.55 s vs
    0.052 s at 512 channels in 32 groups; JAX 34 s vs 0.23 s). PyTorch's
    own grouped kernels showed no consistent difference from splitting, so
    torch keeps them; GPUs keep the native (cuDNN) grouped convolution.

    The result is cached per backend for the process.

    Returns:
        `"native"` or `"split"`.

    Example:

    ```python
    from keras_gan_kit.layers.grouped_conv2d import grouped_conv_implementation
    grouped_conv_implementation()   # "split" with TensorFlow or JAX on a CPU
    ```
    """
    return _auto_implementation(keras.backend.backend())


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
      (to float rounding), one ordinary convolution per group.
    - `"auto"`: `grouped_conv_implementation()`, chosen when the layer is
      called (cached per backend): `"split"` with TensorFlow or JAX on a CPU, `"native"`
      otherwise. TensorFlow's CPU kernels refuse grouped convolutions, so
      Keras 3 runs them there through a nested XLA function, and XLA:CPU
      (TensorFlow and JAX alike) computes their gradients 10-80 times more
      slowly than the split form: a small R3GAN train step (32x32, width 32,
      cardinality 4, batch 8, R1 + R2) took 5.1 CPU-s on TensorFlow and
      2.5 CPU-s on JAX with the native grouped convolution, 0.54 s and
      0.25 s split (measurements in `grouped_conv_implementation`).

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
        implementation = self.implementation
        if implementation == "auto":
            implementation = grouped_conv_implementation()
        if self.groups == 1 or implementation == "native":
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
