"""`FIRUpSampling2D` and `FIRDownSampling2D`: 2x resampling with a separable low-pass filter."""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

__all__ = ["FIRDownSampling2D", "FIRUpSampling2D", "lowpass_filter"]


def check_taps(taps, arg: str = "taps") -> list:
    """Checks FIR taps: a non-empty list of finite numbers with a positive sum; returns a list."""
    values = list(taps) if isinstance(taps, (list, tuple)) else None
    ok = (
        values is not None
        and len(values) > 0
        and all(
            isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
            for v in values
        )
    )
    if ok:
        values = [float(v) for v in values]
        ok = all(math.isfinite(v) for v in values) and sum(values) > 0
    if not ok:
        raise ValueError(
            f"`{arg}` must be a non-empty list of finite numbers with a positive sum, e.g. "
            f"[1, 2, 1]. Received: {arg}={taps!r}"
        )
    return [int(v) if v.is_integer() else v for v in values]


def lowpass_filter(taps=(1, 2, 1)) -> np.ndarray:
    """The 1-D interpolation filter R3GAN's resamplers build from `taps`.

    `taps` convolved with `[1, 1]` and normalized to sum 1: `[1, 2, 1]`
    gives `[1, 3, 3, 1] / 8`, the filter of bilinear 2x interpolation
    (R3GAN's `CreateLowpassKernel(..., Inplace=False)`; its 2-D kernel is
    the outer product of this filter with itself).

    Args:
        taps: list of numbers. The low-pass taps. Defaults to `(1, 2, 1)`.

    Returns:
        A float64 NumPy vector of length `len(taps) + 1`.

    Example:

    ```python
    lowpass_filter([1, 2, 1])   # array([0.125, 0.375, 0.375, 0.125])
    ```
    """
    f = np.convolve(np.asarray(check_taps(taps), "float64"), [1.0, 1.0])
    return f / f.sum()


def _spatial_dims(layer, input_shape):
    if len(input_shape) != 4 or input_shape[1] is None or input_shape[2] is None:
        raise ValueError(
            f"{type(layer).__name__} takes channels-last images (batch, height, width, "
            f"channels) with known height and width. Received: input_shape={tuple(input_shape)}"
        )
    return int(input_shape[1]), int(input_shape[2])


def _fir_1d(x, f, axis, up):
    """Filters `x` along spatial `axis` (1 or 2) with `f`, upsampling or downsampling by 2.

    The upfirdn of StyleGAN2/R3GAN (zero insertion, zero padding, true
    convolution) written with pads, static slices and reshapes, so it runs
    and differentiates the same way on every backend under any jit.
    """
    shape = list(x.shape)
    n = int(shape[axis])
    fw = len(f)
    f = f[::-1]  # a true convolution (upfirdn2d flips the filter); R3GAN's filters are symmetric
    if up:
        # Zero insertion: x[i] at 2i, 0 at 2i + 1.
        x = ops.stack([x, ops.zeros_like(x)], axis=axis + 1)
        shape[axis] = 2 * n
        x = ops.reshape(x, [-1] + shape[1:])
        n = 2 * n
        pad0 = (fw + 1) // 2
        pad1 = fw - 1 - pad0
        gain = 2.0
    else:
        pad0 = (fw - 1) // 2
        pad1 = fw - 1 - pad0  # one more than upfirdn2d's when len(f) is even: never read
        gain = 1.0
    paddings = [[0, 0]] * 4
    paddings[axis] = [pad0, pad1]
    x = ops.pad(x, paddings)
    out = None
    for k, weight in enumerate(f):
        index = [slice(None)] * 4
        index[axis] = slice(k, k + n)
        term = x[tuple(index)]
        if not up:  # keep positions 2m + k
            split = list(term.shape)
            split[axis : axis + 1] = [n // 2, 2]
            term = ops.reshape(term, [-1] + split[1:])
            pick = [slice(None)] * 5
            pick[axis + 1] = 0
            term = term[tuple(pick)]
        term = term * float(gain * weight)
        out = term if out is None else out + term
    return out


class _FIRResampling2D(keras.layers.Layer):
    up = True

    def __init__(self, taps=(1, 2, 1), **kwargs):
        super().__init__(**kwargs)
        self.taps = check_taps(taps)
        self._filter = [float(v) for v in lowpass_filter(self.taps)]

    def build(self, input_shape):
        height, width = _spatial_dims(self, input_shape)
        if not self.up and (height % 2 or width % 2):
            raise ValueError(
                "FIRDownSampling2D halves height and width, so both must be even. Received: "
                f"input_shape={tuple(input_shape)}"
            )
        self.built = True

    def call(self, inputs):
        x = _fir_1d(inputs, self._filter, axis=1, up=self.up)
        return _fir_1d(x, self._filter, axis=2, up=self.up)

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        if self.up:
            return (b, None if h is None else 2 * h, None if w is None else 2 * w, c)
        return (b, None if h is None else h // 2, None if w is None else w // 2, c)

    def get_config(self):
        return {**super().get_config(), "taps": list(self.taps)}


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class FIRUpSampling2D(_FIRResampling2D):
    """2x upsampling with a separable low-pass FIR filter (StyleGAN2/R3GAN `upsample2d`).

    Each channel is upsampled by zero insertion and convolved (zero padding)
    with the 2-D filter `lowpass_filter(taps)` outer itself, times 4 so the
    gain is 1. With the default `[1, 2, 1]` taps (filter `[1, 3, 3, 1] / 8`)
    this is bilinear interpolation: along each axis `out[2m] = x[m - 1] / 4 +
    3 x[m] / 4` and `out[2m + 1] = 3 x[m] / 4 + x[m + 1] / 4`, with `x = 0`
    outside the image (so unlike `keras.layers.UpSampling2D(
    interpolation="bilinear")`, which repeats the edge, the border rows are
    attenuated: this is what R3GAN's CUDA `upfirdn2d` computes).

    Written with pads, slices and reshapes rather than a depthwise
    transposed convolution: no per-channel kernel to carry, the same
    numbers and gradients on every backend, and no grouped convolution for
    XLA:CPU. It has no weights.

    Args:
        taps: list of numbers. The low-pass taps, convolved with `[1, 1]`
            and normalized (see `lowpass_filter`); `[1]` gives
            nearest-neighbour upsampling. Defaults to `(1, 2, 1)`.
        **kwargs: standard layer arguments (`name`, `dtype`).

    Example:

    ```python
    x = keras.Input((8, 8, 64))
    y = FIRUpSampling2D()(x)   # (None, 16, 16, 64)
    ```

    References:
        Karras et al., "Analyzing and Improving the Image Quality of
        StyleGAN", CVPR 2020 (`upfirdn2d`).
        Huang et al., "The GAN is dead; long live the GAN! A Modern GAN
        Baseline", NeurIPS 2024 (`R3GAN/Resamplers.py`).
    """

    up = True


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class FIRDownSampling2D(_FIRResampling2D):
    """2x downsampling with a separable low-pass FIR filter (StyleGAN2/R3GAN `downsample2d`).

    Each channel is convolved (zero padding) with the 2-D filter
    `lowpass_filter(taps)` outer itself and every second sample kept. With
    the default `[1, 2, 1]` taps, along each axis
    `out[m] = (x[2m - 1] + 3 x[2m] + 3 x[2m + 1] + x[2m + 2]) / 8` with `x = 0`
    outside the image: a constant input stays constant except in the first
    and last output rows and columns, which see one zero (7/8 of the
    constant; (7/8)^2 in the four corners), as in R3GAN's CUDA `upfirdn2d`.
    Height and width must be even. It has no weights; see
    `FIRUpSampling2D` for why it is written without a convolution.

    Args:
        taps: list of numbers. The low-pass taps, convolved with `[1, 1]`
            and normalized (see `lowpass_filter`); `[1]` gives 2x2 average
            pooling. Defaults to `(1, 2, 1)`.
        **kwargs: standard layer arguments (`name`, `dtype`).

    Example:

    ```python
    x = keras.Input((16, 16, 64))
    y = FIRDownSampling2D()(x)   # (None, 8, 8, 64)
    ```

    References:
        Karras et al., "Analyzing and Improving the Image Quality of
        StyleGAN", CVPR 2020 (`upfirdn2d`).
        Huang et al., "The GAN is dead; long live the GAN! A Modern GAN
        Baseline", NeurIPS 2024 (`R3GAN/Resamplers.py`).
    """

    up = False
