"""Helpers shared by the model families (internal)."""

from __future__ import annotations

import keras


def default_optimizer():
    """Adam(2e-4, beta_1=0.5), the optimizer of DCGAN, Pix2Pix and CycleGAN."""
    return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)


def resolve_optimizer(identifier, arg):
    """An unbuilt optimizer from `"auto"`, a name, a config or an instance."""
    if isinstance(identifier, str) and identifier == "auto":
        return default_optimizer()
    try:
        optimizer = keras.optimizers.get(identifier)
    except (ValueError, TypeError) as e:
        raise ValueError(
            f"Could not interpret `{arg}`. Received: {arg}={identifier!r}. Expected "
            "'auto', an optimizer name such as 'adam', or a keras optimizer."
        ) from e
    if optimizer.built:
        raise ValueError(
            f"`{arg}` is already built on other variables. Received: "
            f"{arg}={identifier!r}. Pass a fresh optimizer."
        )
    return optimizer


def uses_float16(*layers) -> bool:
    """Whether any of `layers` computes under the `mixed_float16` policy."""
    return any(
        getattr(layer, "dtype_policy", None) is not None
        and layer.dtype_policy.name == "mixed_float16"
        for layer in layers
    )


def loss_scaled(optimizer, name):
    """`optimizer` wrapped in its own `LossScaleOptimizer` (once)."""
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer, name=f"{name}_loss_scale_optimizer")


def ends_in_tanh(model) -> bool:
    """Whether a network's last layer is a tanh (its outputs lie in [-1, 1])."""
    layers = getattr(model, "layers", None)
    if not layers:
        return False
    activation = getattr(layers[-1], "activation", None)
    return getattr(activation, "__name__", None) == "tanh"


def check_network(network, arg):
    """Raises `ValueError` unless `network` is a Keras layer or model."""
    if not isinstance(network, keras.layers.Layer):
        raise ValueError(
            f"`{arg}` must be a keras.Model or keras.layers.Layer. Received: "
            f"{arg}={network!r} of type {type(network).__name__}"
        )
    return network
