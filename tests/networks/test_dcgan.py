import keras
import numpy as np
import pytest

import keras_gan_kit as kgk
from keras_gan_kit.networks import DCGANDiscriminator, DCGANGenerator
from tests.test_case import no_weight_init


@pytest.mark.parametrize("size, channels", [(8, 1), (16, 1), (32, 3), (64, 3)])
def test_output_shapes_at_any_power_of_two(size, channels):
    g = DCGANGenerator(image_size=size, channels=channels, latent_dim=16, base_filters=8)
    d = DCGANDiscriminator(image_size=size, channels=channels, base_filters=8)
    images = g(keras.random.normal((2, 16)))
    assert tuple(images.shape) == (2, size, size, channels)
    values = keras.ops.convert_to_numpy(images)
    assert values.min() >= -1.0 and values.max() <= 1.0  # tanh
    assert tuple(d(images).shape) == (2, 1)


def test_cifar10_dcgan_layout():
    with no_weight_init():
        g = DCGANGenerator(image_size=32, channels=3, latent_dim=128)
    shapes = [tuple(layer.output.shape[1:]) for layer in g.layers if layer.name.startswith("up_")]
    assert shapes == [(8, 8, 128), (16, 16, 64)]
    assert tuple(g.get_layer("reshape").output.shape[1:]) == (4, 4, 256)


def test_spectral_norm_and_normalization_options():
    with no_weight_init():
        d = DCGANDiscriminator(image_size=16, channels=1, spectral_norm=True, normalization="none")
        d_bn = DCGANDiscriminator(image_size=16, channels=1, normalization="batch")
        g = DCGANGenerator(image_size=16, channels=1, normalization="none")
    kinds = {type(layer).__name__ for block in d.layers for layer in getattr(block, "_layers", [])}
    assert "SpectralNormalization" in kinds
    assert not any(isinstance(w, keras.Variable) and "moving_mean" in w.path for w in d.weights)
    assert any("moving_mean" in w.path for w in d_bn.weights)
    assert not any("moving_mean" in w.path for w in g.weights)


@pytest.mark.parametrize(
    "cls, kwargs, match",
    [
        (DCGANGenerator, {"image_size": 24}, "image_size=24"),
        (DCGANGenerator, {"image_size": 4}, "image_size=4"),
        (DCGANGenerator, {"channels": 0}, "channels=0"),
        (DCGANDiscriminator, {"normalization": "instance"}, "normalization='instance'"),
        (DCGANDiscriminator, {"dropout": 1.5}, "dropout=1.5"),
    ],
)
def test_bad_arguments(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)


def test_dcgan_with_spectral_norm_trains_and_saves(tmp_path):
    x = kgk.datasets.load_digits(8)[:128]
    gan = kgk.GAN(
        DCGANGenerator(image_size=8, channels=1, latent_dim=8, base_filters=8),
        DCGANDiscriminator(
            image_size=8, channels=1, base_filters=8, spectral_norm=True, normalization="none"
        ),
        seed=0,
    )
    gan.compile(loss="hinge", penalties=[kgk.losses.R1Penalty(gamma=0.1)])
    u = [w for w in gan.discriminator.weights if w.path.endswith("vector_u")]
    assert u, "spectral normalization keeps a power-iteration vector"
    u0 = keras.ops.convert_to_numpy(u[0]).copy()
    history = gan.fit(x, batch_size=32, epochs=1, verbose=0)
    assert np.isfinite(history.history["r1"][0])
    assert not np.allclose(keras.ops.convert_to_numpy(u[0]), u0)  # power iteration ran
    gan.save(tmp_path / "dcgan.keras")
    loaded = keras.models.load_model(tmp_path / "dcgan.keras")
    z = gan.sample_latents(4, seed=0)
    np.testing.assert_allclose(loaded.generate(latents=z), gan.generate(latents=z), atol=1e-6)


def test_conditional_variants():
    g = DCGANGenerator(image_size=8, channels=1, latent_dim=8, base_filters=8, num_classes=3)
    d = DCGANDiscriminator(image_size=8, channels=1, base_filters=8, num_classes=3)
    labels = np.array([0, 2], "int32")
    images = keras.ops.convert_to_numpy(g([np.zeros((2, 8), "float32"), labels]))
    assert tuple(images.shape) == (2, 8, 8, 1)
    logits = keras.ops.convert_to_numpy(d([images, labels]))
    assert logits.shape == (2, 1)
    # the projection makes the logit depend on the label
    other = keras.ops.convert_to_numpy(d([images, np.array([1, 1], "int32")]))
    assert not np.allclose(logits, other)
    for net in (g, d):
        restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(net))
        assert restored.num_classes == 3 and len(restored.inputs) == 2
