"""`ReflectionPadding2D`: mirror padding of images (channels-last)."""

from __future__ import annotations

import keras
from keras import ops

__all__ = ["ReflectionPadding2D"]


def _standardize_padding(padding):
    """`int | (int, int) | ((int, int), (int, int))` -> `((top, bottom), (left, right))`."""

    def is_count(v):
        return isinstance(v, int) and not isinstance(v, bool) and v >= 0

    if is_count(padding):
        return ((padding, padding), (padding, padding))
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        if all(is_count(p) for p in padding):
            return ((padding[0], padding[0]), (padding[1], padding[1]))
        if all(
            isinstance(p, (tuple, list)) and len(p) == 2 and all(is_count(q) for q in p)
            for p in padding
        ):
            return (tuple(padding[0]), tuple(padding[1]))
    raise ValueError(
        "`padding` must be an int >= 0, a pair (symmetric_height, symmetric_width) or "
        f"((top, bottom), (left, right)) of ints >= 0. Received: padding={padding!r}"
    )


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads the height and width of images by reflection (no edge repeat).

    `[a, b, c, d]` padded by 2 on each side becomes `[c, b, a, b, c, d, c, b]`,
    as `numpy.pad(mode="reflect")` and `torch.nn.ReflectionPad2d`. CycleGAN's
    generator pads this way before its 7x7 and 3x3 convolutions, which avoids
    the dark borders zero padding brings. Each padding must be smaller than
    the padded dimension.

    Args:
        padding: int, `(int, int)` or `((int, int), (int, int))`. The same
            padding on all four sides; symmetric `(height, width)` padding; or
            `((top, bottom), (left, right))`. Defaults to 1.
        **kwargs: standard layer arguments (`name`, `dtype`).

    Example:

    ```python
    x = keras.Input((64, 64, 3))
    y = ReflectionPadding2D(3)(x)   # (None, 70, 70, 3)
    ```

    References:
        Zhu et al., "Unpaired Image-to-Image Translation using
        Cycle-Consistent Adversarial Networks", ICCV 2017.
    """

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = _standardize_padding(padding)
        self.input_spec = keras.layers.InputSpec(ndim=4)

    def build(self, input_shape):
        for axis, (before, after), arg in (
            (1, self.padding[0], "height"),
            (2, self.padding[1], "width"),
        ):
            size = input_shape[axis]
            if size is not None and max(before, after) >= size:
                raise ValueError(
                    f"Reflection padding must be smaller than the padded dimension. Received: "
                    f"padding={self.padding} for an input {arg} of {size}."
                )
        self.built = True

    def call(self, inputs):
        (top, bottom), (left, right) = self.padding
        return ops.pad(inputs, ((0, 0), (top, bottom), (left, right), (0, 0)), mode="reflect")

    def compute_output_shape(self, input_shape):
        (top, bottom), (left, right) = self.padding
        height, width = input_shape[1], input_shape[2]
        return (
            input_shape[0],
            None if height is None else height + top + bottom,
            None if width is None else width + left + right,
            input_shape[3],
        )

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding})
        return config
