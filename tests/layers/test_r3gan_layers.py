"""R3GAN's building blocks: FIR resampling, fix-up initialization, grouped convolution, blocks."""

import math

import keras
import numpy as np
import pytest

from keras_gan_kit.layers import (
    FIRDownSampling2D,
    FIRUpSampling2D,
    FixupHeNormal,
    GroupedConv2D,
    ModulatedConstant,
    R3GANResidualBlock,
    fixup_gain,
    lowpass_filter,
)
from tests.test_case import BACKEND, assert_serialization_round_trip, run_layer_test, to_numpy

LEAKY_GAIN = math.sqrt(2 / (1 + 0.2**2))


def slow_on_jax(test):
    """Eager-heavy checks: JAX compiles every eager op, so there they run with --run-slow only.

    The compiled GAN steps in tests/networks cover these layers on JAX by default.
    """
    return pytest.mark.slow(test) if BACKEND == "jax" else test


# ----------------------------------------------------------------------------------------- #
# FIR resampling
# ----------------------------------------------------------------------------------------- #
def _upfirdn_1d(x, f, up):
    """StyleGAN2's upfirdn2d along one axis, with NumPy's `convolve` (a true convolution)."""
    fw = len(f)
    if up:
        u = np.zeros(2 * len(x))
        u[::2] = x
        p = np.pad(u, ((fw + 1) // 2, (fw - 2) // 2))
        return 2.0 * np.convolve(p, f, mode="valid")
    p = np.pad(x, ((fw - 1) // 2, (fw - 2) // 2))
    return np.convolve(p, f, mode="valid")[::2]


def _reference(x, taps, up):
    f = lowpass_filter(taps)
    y = np.apply_along_axis(_upfirdn_1d, 1, x.astype("float64"), f, up)
    return np.apply_along_axis(_upfirdn_1d, 2, y, f, up)


def test_lowpass_filter_closed_form():
    np.testing.assert_allclose(lowpass_filter([1, 2, 1]), np.array([1, 3, 3, 1]) / 8)
    np.testing.assert_allclose(lowpass_filter([1]), [0.5, 0.5])  # box: nearest / 2x2 average
    np.testing.assert_allclose(lowpass_filter((1, 3)), np.array([1, 4, 3]) / 8)


def test_downsampling_a_constant_gives_the_constant_inside():
    y = to_numpy(FIRDownSampling2D()(np.full((1, 8, 8, 2), 3.0, "float32")))[0, :, :, 0]
    np.testing.assert_allclose(y[1:-1, 1:-1], 3.0, rtol=1e-6)
    # Zero padding: the border rows/columns see one zero tap of weight 1/8 per axis.
    np.testing.assert_allclose(y[0, 1:-1], 3.0 * 7 / 8, rtol=1e-6)
    np.testing.assert_allclose(y[1:-1, -1], 3.0 * 7 / 8, rtol=1e-6)
    np.testing.assert_allclose(y[0, 0], 3.0 * (7 / 8) ** 2, rtol=1e-6)


def test_upsampling_a_constant_gives_the_constant_inside():
    y = to_numpy(FIRUpSampling2D()(np.full((1, 4, 4, 1), 2.0, "float32")))[0, :, :, 0]
    np.testing.assert_allclose(y[1:-1, 1:-1], 2.0, rtol=1e-6)
    np.testing.assert_allclose(y[0, 1:-1], 2.0 * 3 / 4, rtol=1e-6)


def _spread(n, m, weights):
    """A length-n vector with `weights` at positions 2m - 1, 2m, 2m + 1, 2m + 2."""
    v = np.zeros(n)
    v[2 * m - 1 : 2 * m + 3] = weights
    return v


def test_impulse_responses():
    x = np.zeros((1, 8, 8, 1), "float32")
    x[0, 2, 3, 0] = 1.0
    up = to_numpy(FIRUpSampling2D()(x))[0, :, :, 0]
    # Bilinear: x[m] spreads to 2m - 1 .. 2m + 2 with weights 1/4, 3/4, 3/4, 1/4 per axis.
    bilinear = [0.25, 0.75, 0.75, 0.25]
    np.testing.assert_allclose(up, np.outer(_spread(16, 2, bilinear), _spread(16, 3, bilinear)))
    down = to_numpy(FIRDownSampling2D()(x))[0, :, :, 0]
    # out[m] = sum_k f[k] x[2m - 1 + k] with f = [1, 3, 3, 1] / 8: x[2] reaches m = 0 (k = 3)
    # and m = 1 (k = 1); x[3] reaches m = 1 (k = 2) and m = 2 (k = 0).
    rows = np.array([1, 3, 0, 0]) / 8
    cols = np.array([0, 3, 1, 0]) / 8
    np.testing.assert_allclose(down, np.outer(rows, cols), atol=1e-7)


def test_matches_upfirdn2d_reference():
    x = np.random.default_rng(0).normal(size=(2, 8, 6, 3)).astype("float32")
    for taps in [(1, 2, 1), (1, 3)]:  # (1, 3): an asymmetric filter, [1, 4, 3] / 8
        for up in (True, False):
            layer = FIRUpSampling2D(taps) if up else FIRDownSampling2D(taps)
            expected = _reference(x, taps, up)
            np.testing.assert_allclose(to_numpy(layer(x)), expected, atol=1e-5, err_msg=taps)


@slow_on_jax
def test_fir_layer_contract():
    x = np.random.default_rng(1).normal(size=(2, 4, 4, 3)).astype("float32")
    for cls, shape in [(FIRUpSampling2D, (2, 8, 8, 3)), (FIRDownSampling2D, (2, 2, 2, 3))]:
        run_layer_test(
            cls,
            {"taps": [1, 2, 1]},
            x,
            shape,
            expected_num_trainable_weights=0,
            expected_num_non_trainable_weights=0,
            precision_atol=0.01,
        )


def test_fir_bad_arguments():
    with pytest.raises(ValueError, match=r"taps=\[\]"):
        FIRUpSampling2D([])
    with pytest.raises(ValueError, match="taps='121'"):
        FIRDownSampling2D("121")
    with pytest.raises(ValueError, match="even"):
        FIRDownSampling2D()(np.zeros((1, 5, 4, 1), "float32"))


# ----------------------------------------------------------------------------------------- #
# Fix-up initialization
# ----------------------------------------------------------------------------------------- #
def test_fixup_gain_closed_form():
    assert fixup_gain(1) == pytest.approx(LEAKY_GAIN)
    assert fixup_gain(8) == pytest.approx(LEAKY_GAIN * 8**-0.25)
    assert fixup_gain(16, branch_depth=2, negative_slope=0.0) == pytest.approx(math.sqrt(2) / 4)
    with pytest.raises(ValueError, match="branch_depth=1"):
        fixup_gain(4, branch_depth=1)
    with pytest.raises(ValueError, match="num_blocks=0"):
        FixupHeNormal(0)


def test_fixup_he_normal_std_and_config():
    init = FixupHeNormal(num_blocks=8, seed=3)
    w = to_numpy(init((3, 3, 32, 256)))  # fan_in 3 * 3 * 32 (per group)
    expected = LEAKY_GAIN * 8**-0.25 / math.sqrt(9 * 32)
    assert abs(w.mean()) < 0.02 * expected  # 5 standard errors
    assert w.std() == pytest.approx(expected, rel=0.02)
    assert np.abs(w).max() > 3 * expected  # untruncated
    restored = keras.initializers.deserialize(keras.initializers.serialize(init))
    assert isinstance(restored, FixupHeNormal)
    assert restored.get_config() == init.get_config()
    np.testing.assert_allclose(to_numpy(restored((3, 3, 32, 256))), w)


# ----------------------------------------------------------------------------------------- #
# Grouped convolution
# ----------------------------------------------------------------------------------------- #
@slow_on_jax
def test_split_grouped_conv_matches_native_with_gradients():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 6, 6, 8)).astype("float32")
    native = GroupedConv2D(12, 3, groups=4, padding="same", implementation="native")
    split = GroupedConv2D(12, 3, groups=4, padding="same", implementation="split")
    native.build(x.shape)
    split.build(x.shape)
    split.set_weights(native.get_weights())
    assert tuple(native.kernel.shape) == (3, 3, 2, 12)
    np.testing.assert_allclose(to_numpy(split(x)), to_numpy(native(x)), atol=1e-5)
    # Group g of the output sees only input channels of group g.
    x2 = x.copy()
    x2[..., :2] += 1.0
    changed = np.abs(to_numpy(native(x2)) - to_numpy(native(x))).max(axis=(0, 1, 2))
    assert np.all(changed[:3] > 0) and np.all(changed[3:] == 0)
    target = rng.normal(size=(2, 6, 6, 12)).astype("float32")
    grads = []
    for layer in (native, split):
        inputs = keras.Input((6, 6, 8))
        model = keras.Model(inputs, layer(inputs))
        model.compile(optimizer=keras.optimizers.SGD(1.0), loss="mean_squared_error")
        before = to_numpy(layer.kernel)
        model.train_on_batch(x, target)
        grads.append(before - to_numpy(layer.kernel))
    np.testing.assert_allclose(grads[1], grads[0], atol=1e-5)
    assert np.abs(grads[0]).max() > 0
    restored = assert_serialization_round_trip(split)
    assert restored.implementation == "split" and restored.groups == 4
    with pytest.raises(ValueError, match="implementation='fast'"):
        GroupedConv2D(4, 3, groups=2, implementation="fast")


# ----------------------------------------------------------------------------------------- #
# Residual block and modulated constant
# ----------------------------------------------------------------------------------------- #
def test_residual_block_is_identity_at_init_with_fixup_scaled_kernels():
    x = np.random.default_rng(0).normal(size=(2, 4, 4, 64)).astype("float32")
    block = R3GANResidualBlock(cardinality=8, expansion=2, num_blocks=6)
    np.testing.assert_array_equal(to_numpy(block(x)), x)
    assert not np.any(to_numpy(block.conv_3.kernel))
    gain = LEAKY_GAIN * 6**-0.25
    k1, k2 = to_numpy(block.conv_1.kernel), to_numpy(block.conv_2.kernel)
    assert k1.shape == (1, 1, 64, 128) and k2.shape == (3, 3, 16, 128)
    assert k1.std() == pytest.approx(gain / math.sqrt(64), rel=0.05)
    assert k2.std() == pytest.approx(gain / math.sqrt(9 * 16), rel=0.05)
    assert not np.any(to_numpy(block.conv_1.bias)) and block.conv_3.bias is None


@slow_on_jax
def test_residual_block_contract_and_training():
    x = np.random.default_rng(1).normal(size=(2, 4, 4, 8)).astype("float32")
    block = run_layer_test(
        R3GANResidualBlock,
        {"cardinality": 4, "expansion": 2, "num_blocks": 2, "grouped_conv": "split"},
        x,
        (2, 4, 4, 8),
        expected_num_trainable_weights=5,
        run_training_check=False,  # the zero last conv stops gradients on the first step
    )
    assert block.conv_2.implementation == "split"
    # With the zero last convolution only conv_3 learns on step 1; on step 2 every weight does.
    inputs = keras.Input((4, 4, 8))
    block = R3GANResidualBlock(cardinality=4)
    model = keras.Model(inputs, block(inputs))
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mean_squared_error")
    target = np.random.default_rng(2).normal(size=x.shape).astype("float32")
    before = [to_numpy(w) for w in block.trainable_weights]
    model.train_on_batch(x, target)
    moved = [not np.array_equal(to_numpy(w), b) for w, b in zip(block.trainable_weights, before)]
    assert moved == [w is block.conv_3.kernel for w in block.trainable_weights]
    model.train_on_batch(x, target)
    assert all(not np.array_equal(to_numpy(w), b) for w, b in zip(block.trainable_weights, before))


def test_residual_block_bad_arguments():
    with pytest.raises(ValueError, match="cardinality=3"):
        R3GANResidualBlock(cardinality=3)(np.zeros((1, 4, 4, 4), "float32"))
    with pytest.raises(ValueError, match="kernel_size=4"):
        R3GANResidualBlock(kernel_size=4)
    with pytest.raises(ValueError, match="grouped_conv='cudnn'"):
        R3GANResidualBlock(grouped_conv="cudnn")


@slow_on_jax
def test_modulated_constant_closed_form_and_contract():
    z = np.random.default_rng(0).normal(size=(3, 5)).astype("float32")
    layer = run_layer_test(
        ModulatedConstant, {"filters": 6}, z, (3, 4, 4, 6), expected_num_trainable_weights=2
    )
    basis, kernel = to_numpy(layer.basis), to_numpy(layer.kernel)
    expected = basis[None] * (z @ kernel)[:, None, None, :]
    np.testing.assert_allclose(to_numpy(layer(z)), expected, rtol=1e-5, atol=1e-6)
