"""R3GANGenerator / R3GANDiscriminator: layouts, conditioning, dtype policies, one GAN step."""

import keras
import numpy as np
import pytest

import keras_gan_kit as kgk
from keras_gan_kit.layers import FIRDownSampling2D, FIRUpSampling2D, R3GANResidualBlock
from keras_gan_kit.networks import R3GANDiscriminator, R3GANGenerator
from tests.test_case import (
    BACKEND,
    no_weight_init,
    run_model_saving_test,
    run_network_test,
    symbolic_output_shape,
    to_numpy,
    weights,
)

TINY = {"widths": 8, "blocks_per_stage": 1, "cardinality": 2, "expansion": 2}


def slow_on_jax(test):
    """Eager-heavy checks: JAX compiles every eager op, so there they run with --run-slow only.

    The compiled GAN step below covers the networks on JAX by default.
    """
    return pytest.mark.slow(test) if BACKEND == "jax" else test


def _block_params(width, cardinality, expansion, kernel=3):
    hidden = expansion * width
    return (
        width * hidden
        + hidden
        + kernel * kernel * hidden * hidden // cardinality
        + hidden
        + (hidden * width)
    )


def test_shapes_at_any_power_of_two():
    for size, channels in [(8, 1), (16, 3), (32, 1)]:
        _check_shapes(size, channels)


def _check_shapes(size, channels):
    with no_weight_init():
        g = R3GANGenerator(image_size=size, channels=channels, latent_dim=4, **TINY)
        d = R3GANDiscriminator(image_size=size, channels=channels, **TINY)
        gc = R3GANGenerator(image_size=size, channels=channels, latent_dim=4, num_classes=3, **TINY)
        dc = R3GANDiscriminator(image_size=size, channels=channels, num_classes=3, **TINY)
    assert symbolic_output_shape(g, (2, 4)) == (2, size, size, channels)
    assert symbolic_output_shape(d, (2, size, size, channels)) == (2, 1)
    assert symbolic_output_shape(gc, (2, 4), (2,), dtypes=["float32", "int32"]) == (
        2,
        size,
        size,
        channels,
    )
    shapes = ((2, size, size, channels), (2,))
    assert symbolic_output_shape(dc, *shapes, dtypes=["float32", "int32"]) == (2, 1)
    stages = size.bit_length() - 2
    blocks = [layer for layer in g.layers if isinstance(layer, R3GANResidualBlock)]
    assert len(blocks) == stages and all(b.num_blocks == stages for b in blocks)
    assert sum(isinstance(layer, FIRUpSampling2D) for layer in g.layers) == stages - 1
    assert sum(isinstance(layer, FIRDownSampling2D) for layer in d.layers) == stages - 1


def test_cifar10_config_layout_and_parameter_count():
    """R3GAN's CIFAR-10 preset: 4 stages 4 -> 32, width 768, 2 blocks, cardinality 96, z 64."""
    config = {"widths": 768, "blocks_per_stage": 2, "cardinality": 96, "expansion": 2}
    with no_weight_init():
        g = R3GANGenerator(image_size=32, channels=3, latent_dim=64, num_classes=10, **config)
        d = R3GANDiscriminator(image_size=32, channels=3, num_classes=10, **config)
    block = _block_params(768, 96, 2)
    # G: label embedding 10x64, basis 4x4x768 + (64 + 64) x 768, 8 blocks, 1x1 conv to RGB.
    assert g.count_params() == 10 * 64 + 16 * 768 + 128 * 768 + 8 * block + 768 * 3
    # D: 1x1 conv from RGB, 8 blocks, depthwise 4x4, linear 768 -> 768, embedding 10 x 768.
    assert d.count_params() == 3 * 768 + 8 * block + 16 * 768 + 768 * 768 + 10 * 768
    blocks = [layer for layer in g.layers if isinstance(layer, R3GANResidualBlock)]
    assert len(blocks) == 8 and {b.num_blocks for b in blocks} == {8}
    assert tuple(blocks[0].conv_2.kernel.shape) == (3, 3, 16, 1536)  # 1536 / 96 per group
    assert [tuple(layer.output.shape[1:3]) for layer in blocks[::2]] == [
        (4, 4),
        (8, 8),
        (16, 16),
        (32, 32),
    ]


def test_per_stage_lists_and_transitions():
    with no_weight_init():
        g = R3GANGenerator(
            image_size=16,
            channels=3,
            latent_dim=4,
            widths=[16, 8, 4],
            blocks_per_stage=[2, 1, 0],
            cardinality=[4, 2, 1],
        )
        d = R3GANDiscriminator(
            image_size=16,
            channels=3,
            widths=[16, 8, 4],
            blocks_per_stage=[2, 1, 0],
            cardinality=[4, 2, 1],
        )
    assert [layer.name for layer in g.layers if "transition" in layer.name] == [
        "stage_1_transition",
        "stage_2_transition",
    ]
    assert tuple(g.get_layer("stage_0_block_1").output.shape[1:]) == (4, 4, 16)
    assert tuple(g.get_layer("stage_1_block_0").output.shape[1:]) == (8, 8, 8)
    assert tuple(d.get_layer("from_image").output.shape[1:]) == (16, 16, 4)
    assert tuple(d.get_layer("stage_1_block_0").output.shape[1:]) == (8, 8, 8)
    assert tuple(d.get_layer("stage_0_block_1").output.shape[1:]) == (4, 4, 16)
    assert {b.num_blocks for b in g.layers if isinstance(b, R3GANResidualBlock)} == {3}
    assert g.get_config()["widths"] == [16, 8, 4]


@slow_on_jax
def test_contract_conditioning_and_saving():
    z = np.random.default_rng(0).normal(size=(2, 4)).astype("float32")
    labels = np.array([0, 2], "int32")
    kwargs = {"image_size": 8, "channels": 1, "num_classes": 3, **TINY}
    g = run_network_test(
        R3GANGenerator,
        {**kwargs, "latent_dim": 4},
        [z, labels],
        (2, 8, 8, 1),
        run_saving_check=True,
    )
    images = to_numpy(g([z, labels]))
    d = run_network_test(R3GANDiscriminator, kwargs, [images, labels], (2, 1))
    # Labels change both networks' outputs.
    other = np.array([1, 1], "int32")
    assert not np.allclose(to_numpy(g([z, other])), images)
    assert not np.allclose(to_numpy(d([images, other])), to_numpy(d([images, labels])))
    # Unconditional, tanh output, split grouped convolution: saved and loaded.
    g = R3GANGenerator(
        image_size=8,
        channels=3,
        latent_dim=4,
        output_activation="tanh",
        grouped_conv="split",
        **TINY,
    )
    loaded = run_model_saving_test(g, z)
    assert loaded.get_layer("stage_0_block_0").conv_2.implementation == "split"
    assert kgk.models.common.ends_in_tanh(g)


@slow_on_jax
def test_mixed_precision():
    labels = keras.ops.convert_to_tensor(np.array([0, 1], "int32"))
    for policy in ("mixed_bfloat16", "mixed_float16"):
        keras.config.set_dtype_policy(policy)
        g = R3GANGenerator(image_size=8, channels=3, latent_dim=4, num_classes=2, **TINY)
        d = R3GANDiscriminator(image_size=8, channels=3, num_classes=2, **TINY)
        images = g([keras.ops.ones((2, 4)), labels])
        logits = d([images, labels])
        for y in (images, logits):
            assert keras.backend.standardize_dtype(y.dtype) == "float32"
            assert np.all(np.isfinite(to_numpy(y)))
        assert g.get_layer("stage_0_block_0").compute_dtype == policy.split("_")[1]
        assert all(w.dtype == "float32" for w in g.weights + d.weights)


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_mixed_precision_gan_step(policy):
    """The R3GAN objective (RpGAN + R1 + R2) under `fit`, float16 with loss scaling."""
    keras.config.set_dtype_policy(policy)
    gan = kgk.GAN(
        R3GANGenerator(image_size=8, channels=3, latent_dim=4, num_classes=2, **TINY),
        R3GANDiscriminator(image_size=8, channels=3, num_classes=2, **TINY),
        num_classes=2,
        seed=0,
    )
    gan.compile(loss="rpgan", penalties=["r1", "r2"])
    x = np.repeat(kgk.datasets.load_digits(8)[:8], 3, axis=-1)
    history = gan.fit(x, np.arange(8) % 2, batch_size=8, epochs=1, verbose=0)
    assert all(np.isfinite(v[-1]) for v in history.history.values())


def test_compiled_r3gan_steps_update_every_weight_alike_with_split_and_native_convs():
    """RpGAN + R1 + R2 under `fit`, `grouped_conv="split"` (the CPU fallback) vs `"native"`.

    Two compiled steps (double backprop through every grouped convolution) update every
    weight; same variables (shapes and paths), so native's initial weights load into the
    split networks, and both give the same weights after the steps, to float32 rounding.
    `"auto"` picks the split form for TensorFlow and JAX on a CPU.
    """
    expected = "native" if BACKEND == "torch" else "split"
    if BACKEND != "torch" and not all(
        d.startswith("cpu") for d in keras.distribution.list_devices()
    ):
        expected = "native"
    assert kgk.layers.grouped_conv_implementation() == expected
    x = kgk.datasets.load_digits(8)[:16]
    results = {}
    for implementation in ("native", "split"):
        keras.utils.set_random_seed(0)
        tiny = dict(TINY, cardinality=4, grouped_conv=implementation)
        g = R3GANGenerator(image_size=8, channels=1, latent_dim=4, **tiny)
        d = R3GANDiscriminator(image_size=8, channels=1, **tiny)
        if implementation == "split":  # the same variables: native's initial weights load
            paths, initial = results["native"][0], results["native"][1]
            assert [w.path for w in g.weights + d.weights] == paths
            g.set_weights(initial[: len(g.weights)])
            d.set_weights(initial[len(g.weights) :])
        paths = [w.path for w in g.weights + d.weights]
        before = weights(g) + weights(d)
        gan = kgk.GAN(g, d, seed=0)
        gan.compile(loss="rpgan", penalties=[kgk.losses.R1Penalty(1.0), kgk.losses.R2Penalty(1.0)])
        # Step 1 moves the zero-initialized last convolutions; step 2 reaches everything else.
        history = gan.fit(x, batch_size=8, epochs=1, verbose=0)
        after = weights(g) + weights(d)
        assert all(np.isfinite(v[-1]) for v in history.history.values())
        assert all(w.trainable for w in g.weights + d.weights)
        stuck = [p for p, b, a in zip(paths, before, after) if np.array_equal(a, b)]
        assert not stuck, f"no update reached {stuck} ({implementation})"
        results[implementation] = (paths, before, after, history.history)
    (_, before, native, native_logs) = results["native"]
    (_, _, split, split_logs) = results["split"]
    for b, n, s in zip(before, native, split):
        assert n.shape == s.shape
        np.testing.assert_allclose(s - b, n - b, rtol=1e-3, atol=1e-6)
    assert max(np.abs(n - b).max() for b, n in zip(before, native)) > 1e-4
    for key in native_logs:
        np.testing.assert_allclose(split_logs[key], native_logs[key], rtol=1e-4, atol=1e-6)


def test_bad_arguments():
    cases = [
        (R3GANGenerator, {"image_size": 12}, "image_size=12"),
        (R3GANGenerator, {"widths": [8, 8]}, r"widths=\[8, 8\]"),
        (R3GANGenerator, {"cardinality": 3}, "cardinality=3"),
        (R3GANGenerator, {"output_activation": "sigmoid"}, "output_activation='sigmoid'"),
        (R3GANDiscriminator, {"blocks_per_stage": -1}, "blocks_per_stage=-1"),
        (R3GANDiscriminator, {"resampling_taps": []}, r"resampling_taps=\[\]"),
        (R3GANDiscriminator, {"grouped_conv": "cuda"}, "grouped_conv='cuda'"),
    ]
    for cls, kwargs, match in cases:
        with pytest.raises(ValueError, match=match):
            cls(**kwargs)
