import keras
import numpy as np
import pytest

from keras_gan_kit.layers import (
    InstanceNormalization,
    ReflectionPadding2D,
    ResidualBlock,
    UNetDownBlock,
    UNetUpBlock,
)
from keras_gan_kit.layers.normalization import check_normalization, make_normalization
from tests.test_case import assert_serialization_round_trip, run_layer_test


def numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def rng_images(shape, seed=0, loc=0.0, scale=1.0):
    return np.random.default_rng(seed).normal(loc, scale, size=shape).astype("float32")


# ---------------------------------------------------------------- InstanceNormalization


def instance_norm_reference(x, gamma=None, beta=None, eps=1e-5):
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)  # biased, as torch.nn.InstanceNorm2d
    y = (x - mean) / np.sqrt(var + eps)
    if gamma is not None:
        y = y * gamma
    if beta is not None:
        y = y + beta
    return y


def test_instance_norm_matches_numpy_non_affine():
    x = rng_images((3, 5, 7, 4), loc=2.0, scale=3.0)
    y = numpy(InstanceNormalization(center=False, scale=False)(x))
    np.testing.assert_allclose(y, instance_norm_reference(x), atol=1e-4)
    # each (sample, channel) slice is standardized, independently of the rest of the batch
    np.testing.assert_allclose(y.mean(axis=(1, 2)), 0.0, atol=1e-4)
    y0 = numpy(InstanceNormalization(center=False, scale=False)(x[:1]))
    np.testing.assert_allclose(y0, y[:1], atol=1e-5)


def test_instance_norm_affine_matches_numpy():
    x = rng_images((2, 6, 6, 3), seed=1)
    layer = InstanceNormalization(epsilon=1e-3)
    layer.build(x.shape)
    gamma, beta = np.array([0.5, 2.0, -1.0], "float32"), np.array([0.1, -0.3, 1.0], "float32")
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    np.testing.assert_allclose(
        numpy(layer(x)), instance_norm_reference(x, gamma, beta, eps=1e-3), atol=1e-4
    )
    assert len(layer.trainable_weights) == 2
    plain = InstanceNormalization(center=False, scale=False)
    plain.build(x.shape)
    assert plain.count_params() == 0


def test_instance_norm_float16_compute_in_float32():
    # a variance of ~9e4 overflows float16 (max 65504): the statistics must be float32
    x = rng_images((2, 8, 8, 2), scale=300.0).astype("float16")
    layer = InstanceNormalization(center=False, scale=False, dtype="mixed_float16")
    y = layer(x)
    assert keras.backend.standardize_dtype(y.dtype) == "float16"
    ref = instance_norm_reference(x.astype("float64"))
    np.testing.assert_allclose(numpy(y).astype("float32"), ref, atol=5e-3)


def test_instance_norm_layer_contract():
    x = rng_images((2, 4, 4, 3), loc=1.0)
    run_layer_test(
        InstanceNormalization,
        {"epsilon": 1e-3},
        x,
        (2, 4, 4, 3),
        expected_num_trainable_weights=2,
    )


def test_instance_norm_config_and_bad_epsilon():
    layer = InstanceNormalization(epsilon=1e-3, center=False)
    restored = assert_serialization_round_trip(layer)
    assert restored.epsilon == 1e-3 and restored.center is False and restored.scale is True
    with pytest.raises(ValueError, match="epsilon=0"):
        InstanceNormalization(epsilon=0)


def test_make_normalization_instance_is_non_affine():
    norm = make_normalization("instance", name="n")
    assert isinstance(norm, InstanceNormalization) and not norm.center and not norm.scale
    assert check_normalization("Instance", choices=("instance", "none")) == "instance"
    # The DCGAN networks and blocks keep their three choices.
    with pytest.raises(ValueError, match="normalization='instance'"):
        check_normalization("instance")


# ---------------------------------------------------------------- ReflectionPadding2D


@pytest.mark.parametrize(
    "padding, np_pad",
    [
        (1, ((1, 1), (1, 1))),
        (3, ((3, 3), (3, 3))),
        ((2, 1), ((2, 2), (1, 1))),
        (((0, 2), (3, 1)), ((0, 2), (3, 1))),
    ],
)
def test_reflection_padding_matches_numpy(padding, np_pad):
    x = rng_images((2, 5, 6, 3))
    layer = ReflectionPadding2D(padding)
    y = numpy(layer(x))
    np.testing.assert_array_equal(y, np.pad(x, ((0, 0),) + np_pad + ((0, 0),), mode="reflect"))
    assert tuple(layer.compute_output_shape(x.shape)) == y.shape
    assert tuple(layer.compute_output_shape((None, None, 6, 3))) == (None, None, y.shape[2], 3)


def test_reflection_padding_contract_and_errors():
    out = ReflectionPadding2D(3)(keras.Input((8, 8, 2)))
    assert tuple(out.shape) == (None, 14, 14, 2)
    layer = run_layer_test(
        ReflectionPadding2D,
        {"padding": ((1, 2), (0, 1))},
        rng_images((2, 4, 4, 2)),
        (2, 7, 5, 2),
        expected_num_trainable_weights=0,
    )
    assert layer.padding == ((1, 2), (0, 1))
    with pytest.raises(ValueError, match="padding=-1"):
        ReflectionPadding2D(-1)
    with pytest.raises(ValueError, match="padding="):
        ReflectionPadding2D((1, 2, 3))
    with pytest.raises(ValueError, match="smaller than the padded dimension"):
        ReflectionPadding2D(4)(np.zeros((1, 4, 8, 1), "float32"))


# ---------------------------------------------------------------- ResidualBlock


@pytest.mark.parametrize("padding", ["reflect", "zero"])
def test_residual_block_is_identity_when_last_conv_is_zero(padding):
    x = rng_images((2, 6, 6, 4))
    block = ResidualBlock(4, normalization="none", padding=padding)
    y = numpy(block(x))
    assert not np.allclose(y, x)  # a real residual branch at initialization
    block.conv_2.kernel.assign(np.zeros_like(numpy(block.conv_2.kernel)))
    block.conv_2.bias.assign(np.zeros(4, "float32"))
    np.testing.assert_array_equal(numpy(block(x)), x)


def test_residual_block_branch_matches_numpy():
    """x + conv2(pad(relu(conv1(pad(x))))) with reflection padding and no norm."""
    x = rng_images((1, 5, 5, 2), seed=3)
    block = ResidualBlock(2, normalization="none")
    y = numpy(block(x))

    def conv(v, kernel, bias):  # valid 3x3 convolution, NHWC, HWIO kernel
        h, w = v.shape[1] - 2, v.shape[2] - 2
        out = np.zeros((v.shape[0], h, w, kernel.shape[-1]))
        for i in range(h):
            for j in range(w):
                out[:, i, j] = np.einsum("nabc,abcd->nd", v[:, i : i + 3, j : j + 3], kernel)
        return out + bias

    def pad(v):
        return np.pad(v, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="reflect")

    h = np.maximum(conv(pad(x), numpy(block.conv_1.kernel), numpy(block.conv_1.bias)), 0)
    ref = x + conv(pad(h), numpy(block.conv_2.kernel), numpy(block.conv_2.bias))
    np.testing.assert_allclose(y, ref, atol=1e-5)


def test_residual_block_contract_options_and_errors():
    x = rng_images((2, 4, 4, 8))
    block = run_layer_test(
        ResidualBlock,
        {"filters": 8, "dropout": 0.5},
        x,
        (2, 4, 4, 8),
        expected_num_trainable_weights=2,
    )
    assert tuple(block(x, training=True).shape) == (2, 4, 4, 8)
    assert not block.conv_1.use_bias  # instance norm follows: no bias
    assert isinstance(block.norm_1, InstanceNormalization)
    np.testing.assert_array_equal(numpy(block(x)), numpy(block(x)))  # no dropout in inference
    restored = assert_serialization_round_trip(block)
    assert restored.dropout == 0.5 and restored.padding == "reflect"
    with pytest.raises(ValueError, match="filters=8"):
        ResidualBlock(8)(rng_images((1, 4, 4, 3)))
    with pytest.raises(ValueError, match="padding='replicate'"):
        ResidualBlock(4, padding="replicate")
    with pytest.raises(ValueError, match="dropout=1"):
        ResidualBlock(4, dropout=1)
    with pytest.raises(ValueError, match="filters=0"):
        ResidualBlock(0)
    with pytest.raises(ValueError, match="normalization='group'"):
        ResidualBlock(4, normalization="group")


# ---------------------------------------------------------------- U-Net blocks


@pytest.mark.parametrize("normalization", ["batch", "instance", "layer", "none"])
def test_unet_blocks_shapes_and_config(normalization):
    x = rng_images((2, 8, 8, 3))
    down = UNetDownBlock(5, normalization=normalization)
    up = UNetUpBlock(4, normalization=normalization, dropout=0.5)
    h = down(x, training=True)
    assert tuple(h.shape) == (2, 4, 4, 5)
    assert tuple(up(h, training=True).shape) == (2, 8, 8, 4)
    assert tuple(down.compute_output_shape((None, 8, 8, 3))) == (None, 4, 4, 5)
    assert tuple(up.compute_output_shape((None, 4, 4, 5))) == (None, 8, 8, 4)
    assert down.conv.use_bias == (normalization == "none")
    for layer in (down, up):
        restored = assert_serialization_round_trip(layer)
        assert restored.normalization == normalization


@pytest.mark.parametrize(
    "cls, kwargs, in_shape, out_shape",
    [
        (UNetDownBlock, {"filters": 5}, (2, 8, 8, 3), (2, 4, 4, 5)),
        (UNetUpBlock, {"filters": 4, "normalization": "instance"}, (2, 4, 4, 5), (2, 8, 8, 4)),
    ],
)
def test_unet_blocks_contract(cls, kwargs, in_shape, out_shape):
    run_layer_test(cls, kwargs, rng_images(in_shape), out_shape)


def test_unet_down_block_matches_numpy_conv_with_padding_one():
    """4x4 stride-2 conv with padding 1 on each side (torch's Conv2d(4, 2, 1)), LeakyReLU."""
    x = rng_images((1, 6, 6, 2), seed=5)
    down = UNetDownBlock(3, normalization="none", negative_slope=0.1)
    y = numpy(down(x))
    kernel, bias = numpy(down.conv.kernel), numpy(down.conv.bias)
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    ref = np.zeros((1, 3, 3, 3))
    for i in range(3):
        for j in range(3):
            ref[:, i, j] = np.einsum(
                "nabc,abcd->nd", xp[:, 2 * i : 2 * i + 4, 2 * j : 2 * j + 4], kernel
            )
    ref += bias
    ref = np.where(ref > 0, ref, 0.1 * ref)
    np.testing.assert_allclose(y, ref, atol=1e-5)


def test_unet_up_block_relu_first_and_dropout_only_in_training():
    up = UNetUpBlock(3, normalization="none", dropout=0.5)
    x = rng_images((2, 4, 4, 6))
    # ReLU first: negative inputs do not matter
    np.testing.assert_allclose(numpy(up(x)), numpy(up(np.maximum(x, 0))), atol=1e-6)
    np.testing.assert_array_equal(numpy(up(x)), numpy(up(x)))
    a, b = numpy(up(x, training=True)), numpy(up(x, training=True))
    assert not np.allclose(a, b)
    assert np.mean(a == 0) > 0.25  # about half the activations dropped


def test_unet_blocks_bad_arguments():
    with pytest.raises(ValueError, match="filters=0"):
        UNetDownBlock(0)
    with pytest.raises(ValueError, match="normalization='group'"):
        UNetUpBlock(4, normalization="group")
    with pytest.raises(ValueError, match="dropout=-0.1"):
        UNetUpBlock(4, dropout=-0.1)
    with pytest.raises(ValueError, match="negative_slope='x'"):
        UNetDownBlock(4, negative_slope="x")
