"""`CycleGAN`: loss terms, cycle/identity semantics, updates, history state, saving."""

import keras
import numpy as np
import pytest

import keras_gan_kit as kgk
from keras_gan_kit.models import CycleGAN
from tests.test_case import image_discriminator as tiny_discriminator
from tests.test_case import image_generator, max_abs_change, weights


def identity_generator(channels=3):
    """A per-pixel linear map initialised to the identity (so exactly the identity)."""
    images = keras.Input((None, None, channels))
    conv = keras.layers.Dense(
        channels, kernel_initializer=keras.initializers.Identity(), bias_initializer="zeros"
    )
    return keras.Model(images, conv(images))


def tiny_generator(channels=3, seed=0):
    return image_generator(channels, channels, seed)


def domains(n_a=6, n_b=6, size=8, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, (n_a, size, size, 3)).astype("float32")
    b = rng.uniform(-0.5, 0.5, (n_b, size, size, 3)).astype("float32")
    return a, b


def frozen_compile(model, loss="least_squares"):
    model.compile(
        generator_optimizer=keras.optimizers.SGD(0.0),
        discriminator_optimizer=keras.optimizers.SGD(0.0),
        loss=loss,
    )


def test_cycle_and_identity_losses_are_zero_for_identity_generators():
    a, b = domains()
    model = CycleGAN(
        identity_generator(),
        identity_generator(),
        tiny_discriminator(),
        tiny_discriminator(),
        history_size=0,
        seed=0,
    )
    frozen_compile(model)
    history = model.fit(a, b, batch_size=3, epochs=1, verbose=0)
    # Not exactly 0 on GPUs, whose float32 matmuls may round through TF32.
    assert history.history["cycle"][0] == pytest.approx(0.0, abs=1e-2)
    assert history.history["identity"][0] == pytest.approx(0.0, abs=1e-2)


def test_logged_terms_match_their_definitions():
    a, b = domains(n_a=4, n_b=4)
    g_ab, g_ba = tiny_generator(seed=0), tiny_generator(seed=5)
    d_a, d_b = tiny_discriminator(), tiny_discriminator()
    model = CycleGAN(g_ab, g_ba, d_a, d_b, cycle_weight=10.0, identity_weight=0.5, history_size=0)
    frozen_compile(model)
    # One batch holding every image of both sets (the pairing does not matter here).
    history = model.fit(
        kgk.datasets.UnpairedDataset(a, b, batch_size=4, shuffle=False), epochs=1, verbose=0
    )

    def run(network, x):
        return keras.ops.convert_to_numpy(network(x)).astype("float64")

    fake_b, fake_a = run(g_ab, a), run(g_ba, b)
    cycle = 10.0 * (np.abs(run(g_ba, fake_b) - a).mean() + np.abs(run(g_ab, fake_a) - b).mean())
    identity = 5.0 * (np.abs(run(g_ab, b) - b).mean() + np.abs(run(g_ba, a) - a).mean())
    g_loss = ((run(d_b, fake_b) - 1) ** 2).mean() + ((run(d_a, fake_a) - 1) ** 2).mean()
    d_loss = 0.5 * (
        ((run(d_a, a) - 1) ** 2).mean()
        + (run(d_a, fake_a) ** 2).mean()
        + ((run(d_b, b) - 1) ** 2).mean()
        + (run(d_b, fake_b) ** 2).mean()
    )
    np.testing.assert_allclose(history.history["cycle"][0], cycle, rtol=1e-4)
    np.testing.assert_allclose(history.history["identity"][0], identity, rtol=1e-4)
    np.testing.assert_allclose(history.history["g_loss"][0], g_loss, rtol=1e-4)
    np.testing.assert_allclose(history.history["d_loss"][0], d_loss, rtol=1e-4)


def test_all_four_networks_are_updated_and_history_fills():
    # No batch of 1: PyTorch's CPU convolution fails the backward pass of these tiny nets on
    # one image ("slow_conv2d: grad_weight must be contiguous"), with plain Keras models too.
    a, b = domains(n_a=8, n_b=5)
    model = CycleGAN(
        tiny_generator(seed=0),
        tiny_generator(seed=2),
        tiny_discriminator(),
        tiny_discriminator(),
        history_size=4,
        image_size=8,
        seed=0,
    )
    model.compile()
    networks = list(model.networks().values())
    before = [weights(n) for n in networks]
    history = model.fit(a, b, batch_size=2, epochs=1, verbose=0)  # 4 batches of 2
    for network, old in zip(networks, before):
        assert max_abs_change(old, weights(network)) > 0.0, network.name
    assert set(history.history) == {"d_loss", "g_loss", "cycle", "identity"}
    # The buffers are model state: they filled up inside the compiled step.
    assert int(keras.ops.convert_to_numpy(model.history_a.count)) == 4
    stored = keras.ops.convert_to_numpy(model.history_b.images)[:4]
    assert np.all(np.abs(stored).max(axis=(1, 2, 3)) > 0) and np.all(np.abs(stored) <= 1)


def test_save_load_keeps_networks_history_and_settings(tmp_path):
    a, b = domains()
    model = CycleGAN(
        tiny_generator(seed=0),
        tiny_generator(seed=2),
        tiny_discriminator(),
        tiny_discriminator(),
        cycle_weight=5.0,
        identity_weight=0.0,
        history_size=3,
        image_size=(8, 8),
        seed=1,
    )
    model.compile(loss="non_saturating")
    model.fit(a, b, batch_size=2, epochs=1, verbose=0)
    model.save(tmp_path / "cyclegan.keras")
    loaded = keras.models.load_model(tmp_path / "cyclegan.keras")
    assert (loaded.cycle_weight, loaded.identity_weight, loaded.image_size) == (5.0, 0.0, (8, 8))
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(loaded.history_a.images),
        keras.ops.convert_to_numpy(model.history_a.images),
    )
    for direction in ("ab", "ba"):
        np.testing.assert_allclose(
            loaded.translate(a, direction=direction),
            model.translate(a, direction=direction),
            atol=1e-6,
        )
    # Training goes on after loading (compile config restored).
    assert np.isfinite(loaded.fit(a, b, batch_size=2, verbose=0).history["g_loss"][0])


def test_resnet_patchgan_mixed_precision_step():
    a, b = domains(n_a=2, n_b=2, size=16)
    policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        nets = kgk.networks
        model = CycleGAN(
            nets.ResNetGenerator(base_filters=4, num_residual_blocks=1),
            nets.ResNetGenerator(base_filters=4, num_residual_blocks=1),
            nets.PatchGANDiscriminator(base_filters=4, num_layers=2, normalization="instance"),
            nets.PatchGANDiscriminator(base_filters=4, num_layers=2, normalization="instance"),
            image_size=16,
            history_size=2,
        )
        model.compile()
        assert isinstance(model.optimizer["generators"], keras.optimizers.LossScaleOptimizer)
        history = model.fit(a, b, batch_size=2, epochs=1, verbose=0)
    finally:
        keras.config.set_dtype_policy(policy)
    assert all(np.isfinite(v[0]) for v in history.history.values())
    assert model.translate(a).dtype == np.float32


def test_bad_arguments_and_data():
    g, d = tiny_generator, tiny_discriminator
    with pytest.raises(ValueError, match="Pass image_size"):
        CycleGAN(g(), g(), d(), d())
    with pytest.raises(ValueError, match="Received: history_size=-1"):
        CycleGAN(g(), g(), d(), d(), history_size=-1)
    with pytest.raises(ValueError, match="identity_weight=0"):
        gray_to_rgb = keras.Sequential([keras.Input((None, None, 1)), keras.layers.Conv2D(3, 1)])
        rgb_to_gray = keras.Sequential([keras.Input((None, None, 3)), keras.layers.Conv2D(1, 1)])
        CycleGAN(gray_to_rgb, rgb_to_gray, d(1), d(3), history_size=0)
    model = CycleGAN(g(), g(), d(), d(), image_size=8)
    model.compile()
    a, b = domains()
    with pytest.raises(ValueError, match="y=None"):
        model.fit(a, verbose=0)
    with pytest.raises(ValueError, match=r"\(n, 8, 8, 3\)"):
        model.fit(a, domains(size=16)[1], verbose=0)
    with pytest.raises(ValueError, match="holds uint8"):
        model.fit(a, (b * 100).astype("uint8"), verbose=0)
    with pytest.raises(ValueError, match="Received: direction='xy'"):
        model.translate(a, direction="xy")
