"""`Pix2Pix`: loss terms, updates, saving, translate() and input checks."""

import keras
import numpy as np
import pytest

import keras_gan_kit as kgk
from keras_gan_kit.models import Pix2Pix
from tests.test_case import max_abs_change, weights


def tiny_generator(channels_in=3, channels_out=3):
    """A deterministic fully convolutional generator (no dropout, no norm)."""
    images = keras.Input((None, None, channels_in))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(images)
    outputs = keras.layers.Conv2D(channels_out, 1, activation="tanh")(x)
    return keras.Model(images, outputs, name="generator")


def tiny_discriminator(channels_in=3, channels_out=3):
    """`[input_image, image] -> logit map`."""
    source = keras.Input((None, None, channels_in))
    image = keras.Input((None, None, channels_out))
    x = keras.layers.Concatenate()([source, image])
    x = keras.layers.Conv2D(4, 3, strides=2, padding="same", activation="relu")(x)
    return keras.Model([source, image], keras.layers.Conv2D(1, 3, padding="same")(x))


def pairs(n=8, size=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, size, size, 3)).astype("float32")
    return x, (-x).astype("float32")


def softplus(v):
    return np.logaddexp(0.0, v)


def test_logged_terms_match_their_definitions():
    x, y = pairs()
    model = Pix2Pix(tiny_generator(), tiny_discriminator(), l1_weight=100.0, seed=0)
    model.compile(
        generator_optimizer=keras.optimizers.SGD(0.0),
        discriminator_optimizer=keras.optimizers.SGD(0.0),
    )
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    fake = keras.ops.convert_to_numpy(model.generator(x))
    d_real = keras.ops.convert_to_numpy(model.discriminator([x, y])).reshape(8, -1)
    d_fake = keras.ops.convert_to_numpy(model.discriminator([x, fake])).reshape(8, -1)
    np.testing.assert_allclose(history.history["l1"][0], np.mean(np.abs(y - fake)), rtol=1e-5)
    np.testing.assert_allclose(history.history["g_loss"][0], np.mean(softplus(-d_fake)), rtol=1e-4)
    np.testing.assert_allclose(
        history.history["d_loss"][0],
        np.mean(softplus(-d_real).mean(1) + softplus(d_fake).mean(1)),
        rtol=1e-4,
    )


@pytest.mark.parametrize("frozen", ["generator", "discriminator", None])
def test_each_network_is_updated_by_its_own_phase(frozen):
    x, y = pairs()
    model = Pix2Pix(tiny_generator(), tiny_discriminator(), seed=0)

    def optimizer(name):
        return keras.optimizers.Adam(0.0 if name == frozen else 1e-2)

    model.compile(
        generator_optimizer=optimizer("generator"),
        discriminator_optimizer=optimizer("discriminator"),
    )
    g_before, d_before = weights(model.generator), weights(model.discriminator)
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    g_change = max_abs_change(g_before, weights(model.generator))
    d_change = max_abs_change(d_before, weights(model.discriminator))
    assert (g_change == 0.0) == (frozen == "generator")
    assert (d_change == 0.0) == (frozen == "discriminator")


def test_l1_term_teaches_the_mapping():
    x, y = pairs(n=64, seed=1)
    model = Pix2Pix(tiny_generator(), tiny_discriminator(), seed=0)
    model.compile(generator_optimizer=keras.optimizers.Adam(1e-2))
    history = model.fit(x, y, batch_size=16, epochs=15, verbose=0)
    assert history.history["l1"][-1] < 0.3 * history.history["l1"][0]


def test_unet_patchgan_save_load_and_translate(tmp_path):
    x, y = pairs(n=8, size=16)
    model = Pix2Pix(
        kgk.networks.UNetGenerator(16, base_filters=4),
        kgk.networks.PatchGANDiscriminator(condition_channels=3, base_filters=4, num_layers=2),
        l1_weight=50.0,
        seed=3,
    )
    model.compile(loss="hinge")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    model.save(tmp_path / "pix2pix.keras")
    loaded = keras.models.load_model(tmp_path / "pix2pix.keras")
    assert loaded.l1_weight == 50.0 and loaded.adversarial_loss.name == "hinge_loss"
    np.testing.assert_allclose(loaded.translate(x), model.translate(x), atol=1e-6)
    # A fixed-size generator: other sizes are resized to 16x16 and back, uint8 stays uint8.
    photo = np.random.default_rng(0).integers(0, 256, (20, 12, 3), dtype="uint8")
    out = model.translate(photo)
    assert out.shape == (20, 12, 3) and out.dtype == np.uint8
    with pytest.raises(ValueError, match="Received: mode='resize_all'"):
        model.translate(photo, mode="resize_all")


def test_translate_pads_fully_convolutional_generators():
    model = Pix2Pix(tiny_generator(), tiny_discriminator())
    image = np.random.default_rng(0).uniform(-1, 1, (13, 21, 3)).astype("float32")
    out = model.translate(image)
    assert out.shape == (13, 21, 3) and out.dtype == np.float32
    np.testing.assert_allclose(
        out, keras.ops.convert_to_numpy(model.generator(image[None]))[0], atol=1e-6
    )
    outs = model.translate([image, image[:5, :7]])
    assert [o.shape for o in outs] == [(13, 21, 3), (5, 7, 3)]


@pytest.mark.parametrize(
    "x, y, match",
    [
        (np.zeros((4, 8, 8, 3), "uint8"), np.zeros((4, 8, 8, 3), "float32"), "holds uint8"),
        (np.zeros((4, 8, 8, 3), "float32"), None, "needs target images"),
        (np.zeros((4, 8, 8, 3), "float32"), np.zeros((3, 8, 8, 3), "float32"), "4 inputs and 3"),
        (np.full((4, 8, 8, 3), 2.0, "float32"), np.zeros((4, 8, 8, 3), "float32"), r"\[2, 2\]"),
        (np.zeros((4, 8, 8, 1), "float32"), np.zeros((4, 8, 8, 3), "float32"), "3-channel"),
    ],
)
def test_bad_training_data_is_refused(x, y, match):
    model = Pix2Pix(tiny_generator(), tiny_discriminator())
    model.compile()
    with pytest.raises(ValueError, match=match):
        model.fit(x, y, verbose=0)


def test_bad_arguments():
    with pytest.raises(ValueError, match="Received: l1_weight=-1"):
        Pix2Pix(tiny_generator(), tiny_discriminator(), l1_weight=-1)
    with pytest.raises(ValueError, match="`generator` must be a keras.Model"):
        Pix2Pix("unet", tiny_discriminator())
    model = Pix2Pix(tiny_generator(), tiny_discriminator())
    with pytest.raises(ValueError, match="before Pix2Pix.compile"):
        model.fit(*pairs(), verbose=0)
    with pytest.raises(NotImplementedError, match="L1/PSNR/SSIM"):
        model.evaluate(*pairs())


def test_mixed_float16_step_keeps_float32_outputs():
    x, y = pairs(n=4, size=16)
    policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        model = Pix2Pix(
            kgk.networks.UNetGenerator(16, base_filters=4),
            kgk.networks.PatchGANDiscriminator(
                condition_channels=3, base_filters=4, num_layers=2, normalization="instance"
            ),
        )
        model.compile()
        assert isinstance(model.optimizer["generator"], keras.optimizers.LossScaleOptimizer)
        history = model.fit(x, y, batch_size=2, epochs=1, verbose=0)
    finally:
        keras.config.set_dtype_policy(policy)
    assert all(np.isfinite(v[0]) for v in history.history.values())
    assert model.translate(x).dtype == np.float32


def test_ada_observes_the_real_patch_logits():
    x, y = pairs()
    ada = kgk.augment.ADA(p=0.0, target=0.6, interval=1, kimg=0.004, seed=0)
    model = Pix2Pix(tiny_generator(), tiny_discriminator(), augmentation=ada, seed=0)
    model.compile(
        generator_optimizer=keras.optimizers.SGD(0.0),
        discriminator_optimizer=keras.optimizers.SGD(0.0),
    )
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    # p = 0: the augmentation is the identity, so D saw exactly these patch logits.
    d_real = keras.ops.convert_to_numpy(model.discriminator([x, y]))
    rt = np.mean(np.sign(d_real))
    assert int(keras.ops.convert_to_numpy(ada.images_seen)) == 8
    np.testing.assert_allclose(keras.ops.convert_to_numpy(ada.rt), rt, rtol=1e-6)
    # one adjustment of sign(rt - 0.6) * 8 / 4 images, clipped to [0, 1]
    expected_p = float(np.clip(np.sign(rt - 0.6) * 2.0, 0.0, 1.0))
    assert float(keras.ops.convert_to_numpy(ada.p)) == expected_p
