"""`Network`: the base of the bundled functional networks (config with dtype)."""

from __future__ import annotations

import keras

__all__ = ["Network"]


class Network(keras.Model):
    """Base class of the bundled functional networks: a config that keeps the dtype policy.

    A `Network` is a functional `keras.Model` whose constructor takes plain
    arguments (sizes, widths, options) and builds the graph. Its config is
    those arguments, so `from_config` rebuilds the same graph and a `.keras`
    file loads back into the same class. The base `get_config` writes `name`,
    `trainable` and `dtype` (the dtype policy, serialized as Keras serializes
    layer policies); subclasses add their own constructor arguments:

    ```python
    def get_config(self):
        return {**super().get_config(), "image_size": self.image_size, ...}
    ```

    The dtype policy is the one the network was built with: the `dtype`
    argument if given, else the global policy at construction
    (`keras.config.set_dtype_policy`). So a network built under
    `mixed_bfloat16`, saved and loaded in a process whose global policy is
    float32 comes back `mixed_bfloat16`, layer for layer (a plain
    `keras.Model` subclass with a hand-written `get_config` would come back
    float32). Subclasses build their layers with `dtype=kwargs.get("dtype")`
    (None follows the global policy) except where they pin float32 on
    purpose, as the logits and `tanh` outputs of the bundled networks.

    Args:
        inputs: `keras.Input` tensor(s) of the graph.
        outputs: output tensor(s) of the graph.
        dtype: str, `keras.DTypePolicy` or None. The dtype policy the graph's
            layers were built with; None means the global policy. Defaults
            to None.
        **kwargs: other `keras.Model` arguments (`name`, `trainable`).

    Example:

    ```python
    @keras.saving.register_keras_serializable(package="my_package")
    class TinyCritic(keras_gan_kit.networks.Network):
        def __init__(self, features=2, width=16, **kwargs):
            dtype = kwargs.get("dtype")
            x = keras.Input((features,))
            h = keras.layers.Dense(width, activation="relu", dtype=dtype)(x)
            logits = keras.layers.Dense(1, dtype="float32")(h)
            super().__init__(inputs=x, outputs=logits, **kwargs)
            self.features = features
            self.width = width

        def get_config(self):
            return {**super().get_config(), "features": self.features, "width": self.width}
    ```
    """

    def __init__(self, inputs, outputs, dtype=None, **kwargs):
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        # A functional `keras.Model` ignores `dtype` (its layers carry their own
        # policies), so record the policy the graph was built with.
        if dtype is not None:
            self.dtype_policy = keras.dtype_policies.get(dtype)

    def call(self, inputs, training=None, mask=None, **kwargs):
        self._check_inputs(inputs)
        return super().call(inputs, training=training, mask=mask, **kwargs)

    def compute_output_spec(self, inputs, training=None, mask=None):
        self._check_inputs(inputs)
        return super().compute_output_spec(inputs, training=training, mask=mask)

    def _check_inputs(self, inputs):
        """Runs `_check_image_size` on every image input whose height and width are known."""
        for x in keras.tree.flatten(inputs):
            shape = getattr(x, "shape", None)
            if shape is None or len(shape) != 4:
                continue
            height, width = shape[1], shape[2]
            if isinstance(height, int) and isinstance(width, int):
                self._check_image_size(height, width, tuple(shape))

    def _check_image_size(self, height: int, width: int, shape: tuple) -> None:
        """Raises a `ValueError` naming the minimum when an input image is too small.

        Called before any work on every call with images `(batch, height,
        width, channels)` of known size; fully convolutional subclasses
        (built with `image_size=None`) override it so that too small inputs
        fail with the network's own rule instead of an error deep inside
        Keras (or, on TensorFlow, a wrong-shaped output). No check by default.
        """
        del height, width, shape

    def get_config(self):
        # Not `super().get_config()`: a functional model's config is its layer
        # graph, which the constructors of the subclasses do not take.
        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.dtype_policies.serialize(self.dtype_policy),
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("dtype") is not None:
            config["dtype"] = keras.dtype_policies.get(config["dtype"])
        return cls(**config)
