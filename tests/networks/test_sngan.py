"""SNGANGenerator / SNGANDiscriminator: layouts, conditioning, dtype policies, one GAN step."""

import keras
import numpy as np
import pytest

import keras_gan_kit as kgk
from keras_gan_kit.layers import SNGANDiscriminatorBlock, SNGANGeneratorBlock
from keras_gan_kit.networks import SNGANDiscriminator, SNGANGenerator
from tests.test_case import (
    BACKEND,
    no_weight_init,
    run_network_test,
    symbolic_output_shape,
    to_numpy,
    weights,
)


def slow_on_jax(test):
    """Eager-heavy checks: JAX compiles every eager op, so there they run with --run-slow only.

    The compiled GAN step below covers the networks on JAX by default.
    """
    return pytest.mark.slow(test) if BACKEND == "jax" else test


def _trainable_params(net):
    return sum(int(np.prod(w.shape)) for w in net.trainable_weights)


def test_shapes_at_any_power_of_two():
    for size, channels in [(8, 1), (16, 3), (32, 1)]:
        with no_weight_init():
            g = SNGANGenerator(image_size=size, channels=channels, latent_dim=4, widths=4)
            d = SNGANDiscriminator(image_size=size, channels=channels, widths=4)
            gc = SNGANGenerator(size, channels, latent_dim=4, widths=4, num_classes=3)
            dc = SNGANDiscriminator(image_size=size, channels=channels, widths=4, num_classes=3)
        image = (2, size, size, channels)
        assert symbolic_output_shape(g, (2, 4)) == image
        assert symbolic_output_shape(d, image) == (2, 1)
        assert symbolic_output_shape(gc, (2, 4), (2,), dtypes=["float32", "int32"]) == image
        assert symbolic_output_shape(dc, image, (2,), dtypes=["float32", "int32"]) == (2, 1)
        ups = [layer for layer in g.layers if isinstance(layer, SNGANGeneratorBlock)]
        assert len(ups) == size.bit_length() - 3
        downs = [layer for layer in d.layers if isinstance(layer, SNGANDiscriminatorBlock)]
        # Down to 8x8 (at least one halving), then two blocks at that resolution.
        assert tuple(downs[-1].output.shape[1:3]) == ((8, 8) if size > 8 else (4, 4))
        assert len(downs) == max(1, size.bit_length() - 4) + 2


def test_cifar10_sngan_layout_and_parameter_count():
    """Mimicry's ResNetGenerator32 / ResNetDiscriminator32 (SNGAN on CIFAR-10)."""
    with no_weight_init():
        g = SNGANGenerator(image_size=32, channels=3)
        d = SNGANDiscriminator(image_size=32, channels=3)
    conv3 = 256 * 256 * 9 + 256
    up_block = 2 * conv3 + (256 * 256 + 256) + 2 * 2 * 256  # two convs, shortcut, two BN
    assert _trainable_params(g) == (128 * 4096 + 4096) + 3 * up_block + 2 * 256 + (256 * 27 + 3)
    d_conv3 = 128 * 128 * 9 + 128
    optimized = (3 * 9 * 128 + 128) + d_conv3 + (3 * 128 + 128)
    down = 2 * d_conv3 + (128 * 128 + 128)
    assert _trainable_params(d) == optimized + down + 2 * (2 * d_conv3) + 129
    assert [tuple(layer.output.shape[1:]) for layer in d.layers[1:5]] == [
        (16, 16, 128),
        (8, 8, 128),
        (8, 8, 128),
        (8, 8, 128),
    ]
    assert [layer.learnable_shortcut for layer in d.layers[1:5]] == [True, True, False, False]


@slow_on_jax
def test_contract_conditioning_and_saving():
    z = np.random.default_rng(0).normal(size=(2, 4)).astype("float32")
    labels = np.array([0, 2], "int32")
    g = run_network_test(
        SNGANGenerator,
        {"image_size": 8, "channels": 1, "latent_dim": 4, "widths": [8, 4], "num_classes": 3},
        [z, labels],
        (2, 8, 8, 1),
        run_saving_check=True,
    )
    images = to_numpy(g([z, labels]))
    assert np.abs(images).max() <= 1.0  # tanh
    d = run_network_test(
        SNGANDiscriminator,
        {"image_size": 8, "channels": 1, "widths": [4, 8, 8], "num_classes": 3},
        [images, labels],
        (2, 1),
        run_saving_check=True,
    )
    other = np.array([1, 1], "int32")
    # Conditional BN starts with the same scale and shift for every class: labels matter once
    # a class's parameters move.
    np.testing.assert_allclose(to_numpy(g([z, other])), images, atol=1e-6)
    norm = g.get_layer("up_1").norm_1
    gamma = to_numpy(norm.gamma)
    gamma[1] = 2.0
    norm.gamma.assign(gamma)
    assert not np.allclose(to_numpy(g([z, other])), to_numpy(g([z, labels])))
    # The projection term makes the logit depend on the label from the start.
    assert not np.allclose(to_numpy(d([images, other])), to_numpy(d([images, labels])))


@slow_on_jax
def test_mixed_precision():
    for policy in ("mixed_bfloat16", "mixed_float16"):
        keras.config.set_dtype_policy(policy)
        g = SNGANGenerator(image_size=8, channels=3, latent_dim=4, widths=4, num_classes=2)
        d = SNGANDiscriminator(image_size=8, channels=3, widths=4, num_classes=2)
        labels = keras.ops.convert_to_tensor(np.array([0, 1], "int32"))
        images = g([keras.ops.ones((2, 4)), labels], training=True)
        logits = d([images, labels], training=True)
        for y in (images, logits):
            assert keras.backend.standardize_dtype(y.dtype) == "float32"
            assert np.all(np.isfinite(to_numpy(y)))
        assert all(w.dtype == "float32" for w in g.weights + d.weights)


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_mixed_precision_gan_step(policy):
    """A hinge step under `fit`, float16 with loss scaling.

    RGB: on torch 2.13's CPU build a float16 convolution with one output channel fails
    in backward ("slow_conv2d: grad_weight must be contiguous", Keras passes a permuted
    kernel), whatever the network.
    """
    keras.config.set_dtype_policy(policy)
    gan = kgk.GAN(
        SNGANGenerator(image_size=8, channels=3, latent_dim=4, widths=4),
        SNGANDiscriminator(image_size=8, channels=3, widths=4),
        seed=0,
    )
    gan.compile(loss="hinge")
    x = np.repeat(kgk.datasets.load_digits(8)[:8], 3, axis=-1)
    history = gan.fit(x, batch_size=8, epochs=1, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())


def test_one_compiled_conditional_sngan_step():
    """Hinge loss, class-conditional (conditional BN in G, projection in D), under `fit`."""
    x = kgk.datasets.load_digits(8)[:16]
    labels = np.arange(16) % 2
    g = SNGANGenerator(image_size=8, channels=1, latent_dim=4, widths=4, num_classes=2)
    d = SNGANDiscriminator(image_size=8, channels=1, widths=4, num_classes=2)
    gan = kgk.GAN(g, d, num_classes=2, seed=0)
    gan.compile(loss="hinge")
    before = weights(g) + weights(d)
    history = gan.fit(x, labels, batch_size=8, epochs=1, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    after = weights(g) + weights(d)
    paths = [w.path for w in g.weights + d.weights]
    stuck = [p for p, b, a in zip(paths, before, after) if np.array_equal(a, b)]
    # Every weight moves (trainable ones by the optimizer, BN statistics and SN vectors in the
    # forward passes) but the logit's bias: under the hinge loss its gradient is
    # P(fake > -1) - P(real < 1), exactly 0 while every margin is active, as at the start.
    assert stuck in ([], ["logit_sn/logit/bias"]), f"no update reached {stuck}"


def test_bad_arguments():
    cases = [
        (SNGANGenerator, {"image_size": 20}, "image_size=20"),
        (SNGANGenerator, {"widths": [8, 8]}, r"widths=\[8, 8\]"),
        (SNGANDiscriminator, {"num_downsamples": 0}, "num_downsamples=0"),
        (SNGANDiscriminator, {"image_size": 8, "num_downsamples": 4}, "num_downsamples=4"),
        (SNGANDiscriminator, {"num_blocks": 1}, "num_blocks=1"),
        (SNGANDiscriminator, {"widths": [8, 8]}, r"widths=\[8, 8\]"),
    ]
    for cls, kwargs, match in cases:
        with pytest.raises(ValueError, match=match):
            cls(**kwargs)
