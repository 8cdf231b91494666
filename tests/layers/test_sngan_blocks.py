"""SNGAN/BigGAN ResNet blocks and global sum pooling."""

import numpy as np
import pytest

from keras_gan_kit.layers import (
    GlobalSumPooling2D,
    SNGANDiscriminatorBlock,
    SNGANGeneratorBlock,
    SpectralNormalization,
)
from tests.test_case import BACKEND, run_layer_test, to_numpy


def slow_on_jax(test):
    """Eager-heavy checks: JAX compiles every eager op, so there they run with --run-slow only.

    The compiled GAN step in tests/networks/test_sngan.py covers these blocks on JAX by default.
    """
    return pytest.mark.slow(test) if BACKEND == "jax" else test


def test_global_sum_pooling_closed_form():
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 5)).astype("float32")
    np.testing.assert_allclose(to_numpy(GlobalSumPooling2D()(x)), x.sum(axis=(1, 2)), rtol=1e-5)
    if BACKEND != "jax":
        run_layer_test(GlobalSumPooling2D, {}, x, (2, 5), expected_num_trainable_weights=0)


@slow_on_jax
def test_generator_block_contract_and_layout():
    x = np.random.default_rng(0).normal(size=(2, 4, 4, 6)).astype("float32")
    block = run_layer_test(
        SNGANGeneratorBlock,
        {"filters": 4},
        x,
        (2, 8, 8, 4),
        # two BN (gamma, beta), two convs (kernel, bias), shortcut (kernel, bias)
        expected_num_trainable_weights=10,
        expected_num_non_trainable_weights=4,
    )
    assert tuple(block.conv_1.kernel.shape) == (3, 3, 6, 4)
    assert tuple(block.shortcut.kernel.shape) == (1, 1, 6, 4)
    # Same width, no upsampling: identity shortcut, so zero convolutions give the identity.
    same = SNGANGeneratorBlock(6, upsample=False)
    same.build(x.shape)
    assert same.shortcut is None
    same.conv_2.kernel.assign(np.zeros(same.conv_2.kernel.shape, "float32"))
    np.testing.assert_allclose(to_numpy(same(x)), x, atol=1e-6)


@slow_on_jax
def test_conditional_generator_block_uses_labels():
    x = np.random.default_rng(0).normal(size=(2, 4, 4, 6)).astype("float32")
    labels = np.array([0, 2], "int32")
    block = run_layer_test(
        SNGANGeneratorBlock,
        {"filters": 4, "num_classes": 3, "spectral_norm": True},
        [x, labels],
        (2, 8, 8, 4),
        expected_num_trainable_weights=10,
        expected_num_non_trainable_weights=4 + 3,  # moving statistics, three SN vectors
        run_saving_check=False,
    )
    assert isinstance(block.conv_1, SpectralNormalization)
    # The per-class scale of norm_1 changes the output of class 0 only.
    gamma = to_numpy(block.norm_1.gamma)
    gamma[0] *= 2.0
    before = to_numpy(block([x, labels]))
    block.norm_1.gamma.assign(gamma)
    after = to_numpy(block([x, labels]))
    assert not np.allclose(after[0], before[0]) and np.allclose(after[1], before[1])
    with pytest.raises(ValueError, match=r"\[x, labels\]"):
        block(x)


@slow_on_jax
def test_discriminator_blocks_closed_forms():
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 3)).astype("float32")
    first = run_layer_test(
        SNGANDiscriminatorBlock,
        {"filters": 4, "optimized": True},
        x,
        (2, 4, 4, 4),
        expected_num_trainable_weights=6,
        expected_num_non_trainable_weights=3,  # spectral norm vectors
    )
    assert tuple(first.conv_1.layer.kernel.shape) == (3, 3, 3, 4)  # hidden width = filters
    # Without spectral norm and with a zero last conv, the optimized block is the pooled
    # 1x1 shortcut: conv1x1(avgpool(x)).
    plain = SNGANDiscriminatorBlock(4, optimized=True, spectral_norm=False)
    plain.build(x.shape)
    plain.conv_2.kernel.assign(np.zeros(plain.conv_2.kernel.shape, "float32"))
    plain.conv_2.bias.assign(np.zeros(plain.conv_2.bias.shape, "float32"))
    pooled = x.reshape(2, 4, 2, 4, 2, 3).mean(axis=(2, 4))
    w, b = to_numpy(plain.shortcut.kernel)[0, 0], to_numpy(plain.shortcut.bias)
    np.testing.assert_allclose(to_numpy(plain(x)), pooled @ w + b, atol=1e-5)
    # A later block of the same width without downsampling: identity shortcut, hidden = input.
    later = SNGANDiscriminatorBlock(3, downsample=False, spectral_norm=False)
    later.build(x.shape)
    assert later.shortcut is None and tuple(later.conv_1.kernel.shape) == (3, 3, 3, 3)
    later.conv_2.kernel.assign(np.zeros(later.conv_2.kernel.shape, "float32"))
    np.testing.assert_allclose(to_numpy(later(x)), x, atol=1e-6)
    with pytest.raises(ValueError, match="even"):
        SNGANDiscriminatorBlock(4)(np.zeros((1, 5, 5, 3), "float32"))
