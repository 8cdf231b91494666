"""`InstanceNormalization` (Keras' GroupNormalization(groups=-1)) against the layer it replaced."""

import os

import keras
import numpy as np
import pytest

from keras_gan_kit.layers import InstanceNormalization

OLD_FILE = os.path.join(os.path.dirname(__file__), "data", "instance_normalization_v0_1.keras")


def numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(keras.ops.cast(x, "float32")))


def replaced_layer(x, gamma, beta, eps):
    """The replaced hand-written layer: float32 `ops.moments`, `(x - mean) * rsqrt(var + eps)`."""
    ops = keras.ops
    x = ops.cast(x, "float32")
    mean, variance = ops.moments(x, axes=(1, 2), keepdims=True)
    return numpy((x - mean) * ops.rsqrt(variance + eps) * gamma + beta)


def reference64(x, gamma=1.0, beta=0.0, eps=1e-5):
    x = np.asarray(x, "float64")
    mean, var = x.mean(axis=(1, 2), keepdims=True), x.var(axis=(1, 2), keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


@pytest.mark.parametrize("loc", [0.0, 100.0], ids=["centred", "offset"])
def test_same_numbers_as_the_replaced_layer(loc):
    rng = np.random.default_rng(0)
    x = (loc + rng.normal(size=(2, 8, 8, 4))).astype("float32")
    gamma, beta = rng.normal(size=4).astype("float32"), rng.normal(size=4).astype("float32")
    layer = InstanceNormalization(epsilon=1e-5)
    layer.build(x.shape)
    layer.set_weights([gamma, beta])
    # Measured: <= 1e-6 centred, <= 2.2e-5 with the mean at 100 standard deviations.
    atol = 5e-6 if loc == 0 else 5e-5
    np.testing.assert_allclose(numpy(layer(x)), replaced_layer(x, gamma, beta, 1e-5), atol=atol)


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_statistics_in_float32_under_mixed_precision(policy):
    # Activations of std 3000: their variance (9e6) overflows float16 (max 65504) and squares
    # of them lose everything in bfloat16's 8-bit mantissa.
    x = np.random.default_rng(1).normal(scale=3000.0, size=(2, 8, 8, 3))
    layer = InstanceNormalization(center=False, scale=False, dtype=policy)
    inputs = keras.ops.cast(x, layer.compute_dtype)
    y = layer(inputs)
    assert keras.backend.standardize_dtype(y.dtype) == layer.compute_dtype
    # Against float64 statistics of the same (rounded) inputs: one output step of the dtype.
    step = 2e-3 if policy == "mixed_float16" else 1.6e-2
    np.testing.assert_allclose(numpy(y), reference64(numpy(inputs)), atol=2 * step)


def test_loads_a_model_saved_with_the_old_hand_written_layer():
    # Saved by keras-gan-kit 0.1's own layer (config keys epsilon/center/scale only):
    # conv (kernel 2*I, bias [1, -1, 0.5]) -> affine norm (eps 1e-3) -> non-affine norm.
    model = keras.saving.load_model(OLD_FILE)
    affine, plain = model.get_layer("affine_norm"), model.get_layer("plain_norm")
    assert isinstance(affine, InstanceNormalization) and isinstance(plain, InstanceNormalization)
    assert affine.epsilon == 1e-3 and affine.center and affine.scale
    assert plain.epsilon == 1e-5 and not plain.center and not plain.scale
    gamma, beta = [numpy(w) for w in affine.weights]
    np.testing.assert_array_equal(gamma, [0.5, 1.5, 2.0])
    np.testing.assert_array_equal(beta, [-1.0, 0.0, 1.0])
    x = np.random.default_rng(2).normal(size=(2, 4, 4, 3)).astype("float32")
    h, out = model(x)
    expected_h = reference64(2 * x + np.array([1.0, -1.0, 0.5]), gamma, beta, eps=1e-3)
    np.testing.assert_allclose(numpy(h), expected_h, atol=1e-5)
    np.testing.assert_allclose(numpy(out), reference64(expected_h), atol=1e-4)
    # Re-saved, the config stays the layer's own (no `groups`), and still loads.
    config = affine.get_config()
    assert "groups" not in config and config["epsilon"] == 1e-3
    assert InstanceNormalization.from_config(config).get_config() == config


def test_old_config_dict_deserializes():
    old = {
        "module": None,
        "class_name": "InstanceNormalization",
        "registered_name": "keras_gan_kit>InstanceNormalization",
        "config": {
            "name": "n",
            "trainable": True,
            "dtype": "float32",
            "epsilon": 1e-5,
            "center": False,
            "scale": False,
        },
    }
    layer = keras.saving.deserialize_keras_object(old)
    assert isinstance(layer, InstanceNormalization) and isinstance(
        layer, keras.layers.GroupNormalization
    )
    x = np.random.default_rng(3).normal(2.0, 3.0, size=(1, 5, 5, 2)).astype("float32")
    np.testing.assert_allclose(numpy(layer(x)), reference64(x), atol=1e-5)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="groups=2"):
        InstanceNormalization(groups=2)
    with pytest.raises(ValueError, match="epsilon=-1"):
        InstanceNormalization(epsilon=-1)
    with pytest.raises(ValueError, match=r"input_shape=\(2, 3\)"):
        InstanceNormalization().build((2, 3))
