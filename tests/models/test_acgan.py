"""Auxiliary-classifier (ACGAN) conditioning in `GAN`."""

import keras
import numpy as np
import pytest

import keras_gan_kit as kgk
from tests.test_case import (
    conditional_mlp_discriminator,
    conditional_mlp_generator,
    mlp_discriminator,
    two_class_points,
)


def acgan_discriminator(num_classes=2, features=2, width=32):
    """`samples -> [logit, class_logits]`: takes no labels, classifies instead."""
    samples = keras.Input((features,))
    h = keras.layers.Dense(width, activation="relu")(samples)
    return keras.Model(
        samples, [keras.layers.Dense(1)(h), keras.layers.Dense(num_classes)(h)], name="acgan_d"
    )


def acgan(seed=0):
    return kgk.GAN(conditional_mlp_generator(), acgan_discriminator(), num_classes=2, seed=seed)


def test_auxiliary_classifier_alone_makes_labels_respected():
    """The D never sees labels: only the ACGAN term can teach G the classes."""
    x, y = two_class_points(2048)
    gan = acgan()
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
    )
    assert gan.auxiliary_classifier_weight == 1.0  # "auto" with a classifying D
    history = gan.fit(x, y, batch_size=128, epochs=15, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "d_ac", "g_ac"}
    # The classifier learned the classes: its cross-entropy fell well below log(2) per term.
    assert history.history["d_ac"][-1] < 0.5 * history.history["d_ac"][0]
    for k, sign in ((0, -1), (1, 1)):
        side = np.sign(gan.generate(400, labels=k).sum(axis=1))
        assert np.mean(side == sign) > 0.9, f"class {k}: {np.mean(side == sign):.2f}"


def test_auxiliary_terms_match_cross_entropy():
    """With both learning rates 0, the logged terms equal the cross-entropies."""
    x, y = two_class_points(64)
    gan = acgan()
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(0.0),
        discriminator_optimizer=keras.optimizers.SGD(0.0),
        auxiliary_classifier_weight=0.5,
    )
    history = gan.fit(x, y, batch_size=64, epochs=1, verbose=0, shuffle=False)
    _, real_classes = gan.discriminator(x, training=False)
    real = keras.losses.sparse_categorical_crossentropy(y, real_classes, from_logits=True)
    real_term = 0.5 * float(np.mean(keras.ops.convert_to_numpy(real)))
    # d_ac = 0.5 * (CE on real + CE on fakes); fakes are random, so bound rather than pin them.
    assert history.history["d_ac"][0] > real_term
    fakes_term = history.history["d_ac"][0] - real_term
    assert 0.0 < fakes_term < 0.5 * 5.0
    assert history.history["g_ac"][0] > 0.0


def test_projection_discriminator_with_aux_weight_is_refused():
    gan = kgk.GAN(
        conditional_mlp_generator(), conditional_mlp_discriminator(), num_classes=2, seed=0
    )
    gan.compile()  # "auto": no auxiliary terms for a one-output discriminator
    assert gan.auxiliary_classifier_weight == 0.0
    with pytest.raises(ValueError, match="auxiliary_classifier_weight=1.0 for a discriminator"):
        gan.compile(auxiliary_classifier_weight=1.0)
    with pytest.raises(ValueError, match="Received: auxiliary_classifier_weight=-1"):
        acgan().compile(auxiliary_classifier_weight=-1)


def test_discriminator_without_labels_or_classifier_is_refused():
    with pytest.raises(ValueError, match="would get no signal about the labels"):
        kgk.GAN(conditional_mlp_generator(), mlp_discriminator(), num_classes=2)


def test_two_outputs_need_a_conditional_gan_and_class_logits():
    with pytest.raises(ValueError, match="returned 2 outputs"):
        kgk.GAN(
            keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]),
            acgan_discriminator(),
        )
    with pytest.raises(ValueError, match=r"shape \(batch, num_classes=3\)"):
        kgk.GAN(conditional_mlp_generator(num_classes=3), acgan_discriminator(2), num_classes=3)


def test_dcgan_auxiliary_discriminator_trains_saves_and_loads(tmp_path):
    x, y = kgk.datasets.load_digits(8, return_labels=True)
    generator = kgk.networks.DCGANGenerator(
        8, channels=1, latent_dim=8, base_filters=8, num_classes=10
    )
    discriminator = kgk.networks.DCGANDiscriminator(
        8, channels=1, base_filters=8, num_classes=10, conditioning="auxiliary"
    )
    assert len(discriminator.inputs) == 1 and len(discriminator.outputs) == 2
    gan = kgk.GAN(generator, discriminator, num_classes=10, seed=0)
    gan.compile()
    history = gan.fit(x[:64], y[:64], batch_size=32, epochs=1, verbose=0)
    assert np.isfinite(history.history["g_ac"][0])
    gan.save(tmp_path / "acgan.keras")
    loaded = keras.models.load_model(tmp_path / "acgan.keras")
    assert loaded.discriminator.conditioning == "auxiliary"
    assert loaded.auxiliary_classifier_weight == 1.0
    z = gan.sample_latents(4, seed=1)
    np.testing.assert_allclose(
        loaded.generate(latents=z, labels=[0, 1, 2, 3]),
        gan.generate(latents=z, labels=[0, 1, 2, 3]),
        atol=1e-6,
    )
    with pytest.raises(ValueError, match="conditioning='both'"):
        kgk.networks.DCGANDiscriminator(8, num_classes=10, conditioning="both")


def test_conditional_batchnorm_generator_respects_labels_and_round_trips(tmp_path):
    generator = kgk.networks.DCGANGenerator(
        16, channels=1, latent_dim=8, base_filters=8, num_classes=3, conditioning="batchnorm"
    )
    names = [layer.name for layer in generator.layers]
    assert "project_norm" in names and "up_1_norm" in names
    assert not any("embedding" in name for name in names)
    norm = generator.get_layer("up_1_norm")
    assert isinstance(norm, kgk.layers.ConditionalBatchNormalization)
    # Give class 2 a different scale: the same latents then give different images.
    gamma = keras.ops.convert_to_numpy(norm.gamma).copy()
    gamma[2] *= 3.0
    norm.gamma.assign(gamma)
    z = np.random.default_rng(0).normal(size=(4, 8)).astype("float32")
    out_0 = keras.ops.convert_to_numpy(generator([z, np.zeros(4, "int32")]))
    out_2 = keras.ops.convert_to_numpy(generator([z, np.full(4, 2, "int32")]))
    assert np.abs(out_0 - out_2).max() > 1e-3
    generator.save(tmp_path / "g.keras")
    loaded = keras.models.load_model(tmp_path / "g.keras")
    assert loaded.conditioning == "batchnorm"
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(loaded([z, np.full(4, 2, "int32")])), out_2, atol=1e-6
    )
    with pytest.raises(ValueError, match="needs normalization='batch'"):
        kgk.networks.DCGANGenerator(
            8, num_classes=3, conditioning="batchnorm", normalization="none"
        )
