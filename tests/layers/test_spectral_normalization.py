import keras
import numpy as np
import pytest

from keras_gan_kit.layers import SpectralNormalization
from tests.test_case import run_layer_test


def test_dense_divides_by_largest_singular_value():
    layer = SpectralNormalization(keras.layers.Dense(6, use_bias=False), power_iterations=30)
    x = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")
    y = keras.ops.convert_to_numpy(layer(x, training=True))
    w = keras.ops.convert_to_numpy(layer.layer.kernel)
    sigma = np.linalg.svd(w, compute_uv=False)[0]
    np.testing.assert_allclose(y, x @ (w / sigma), rtol=1e-4, atol=1e-5)


def test_kernel_is_not_overwritten_and_u_moves_only_in_training():
    layer = SpectralNormalization(keras.layers.Dense(3))
    x = np.ones((2, 4), "float32")
    layer(x)
    w0 = keras.ops.convert_to_numpy(layer.layer.kernel).copy()
    u0 = keras.ops.convert_to_numpy(layer.vector_u).copy()
    layer(x, training=False)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer.vector_u), u0)
    layer(x, training=True)
    assert not np.allclose(keras.ops.convert_to_numpy(layer.vector_u), u0)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer.layer.kernel), w0)


def test_conv2d_transpose_uses_output_channel_axis():
    conv = keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same", use_bias=False)
    layer = SpectralNormalization(conv, power_iterations=30)
    x = np.random.default_rng(1).normal(size=(1, 3, 3, 2)).astype("float32")
    y = keras.ops.convert_to_numpy(layer(x, training=True))
    k = keras.ops.convert_to_numpy(conv.kernel)  # (h, w, out, in)
    sigma = np.linalg.svd(np.transpose(k, (0, 1, 3, 2)).reshape(-1, 4), compute_uv=False)[0]
    reference = keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same", use_bias=False)
    reference.build(x.shape)
    reference.kernel.assign(k / sigma)
    np.testing.assert_allclose(y, keras.ops.convert_to_numpy(reference(x)), rtol=1e-4, atol=1e-5)


def test_layer_contract():
    x = np.random.default_rng(2).normal(size=(3, 4)).astype("float32")
    # The wrapped layer keeps its own dtype policy (it is built by the caller), so the
    # mixed-precision check, which builds the wrapper with `dtype=`, does not apply.
    layer = run_layer_test(
        SpectralNormalization,
        {"layer": keras.layers.Dense(2), "power_iterations": 2},
        x,
        (3, 2),
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=1,
        run_precision_check=False,
    )
    assert layer.power_iterations == 2


def test_errors():
    with pytest.raises(ValueError, match="power_iterations=0"):
        SpectralNormalization(keras.layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="layer=ReLU"):
        SpectralNormalization(keras.layers.ReLU())(np.ones((1, 2), "float32"))
