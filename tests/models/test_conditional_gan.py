import keras
import numpy as np
import pytest

import keras_gan_kit as kgk
from tests.test_case import (
    conditional_mlp_discriminator,
    conditional_mlp_generator,
    mlp_discriminator,
    mlp_generator,
    two_class_points,
)


def conditional_gan(seed=0):
    return kgk.GAN(
        conditional_mlp_generator(), conditional_mlp_discriminator(), num_classes=2, seed=seed
    )


def test_labels_are_respected():
    """On trivially separable classes, samples asked for class k land in class k."""
    x, y = two_class_points(2048)
    gan = conditional_gan()
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
    )
    gan.fit(x, y, batch_size=128, epochs=15, verbose=0)
    for k, sign in ((0, -1), (1, 1)):
        samples = gan.generate(400, labels=k)
        side = np.sign(samples.sum(axis=1))
        assert np.mean(side == sign) > 0.9, f"class {k}: {np.mean(side == sign):.2f}"


def test_one_hot_labels_tf_data_and_penalties():
    import tensorflow as tf

    x, y = two_class_points(256)
    one_hot = np.eye(2, dtype="float32")[y]
    gan = conditional_gan()
    gan.compile(loss="hinge", penalties=[kgk.losses.R1Penalty(gamma=1.0)])
    history = gan.fit(tf.data.Dataset.from_tensor_slices((x, one_hot)).batch(64), verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "r1"}
    history = gan.fit(x, one_hot, batch_size=64, verbose=0)
    assert np.isfinite(history.history["r1"][0])


def test_save_load_keeps_conditioning(tmp_path):
    x, y = two_class_points(256)
    gan = conditional_gan()
    gan.compile()
    gan.fit(x, y, batch_size=64, epochs=1, verbose=0, callbacks=[kgk.callbacks.GeneratorEMA(1000)])
    gan.save(tmp_path / "cgan.keras")
    loaded = keras.models.load_model(tmp_path / "cgan.keras")
    assert loaded.num_classes == 2 and loaded.conditional
    z = gan.sample_latents(6, seed=0)
    labels = np.array([0, 1, 0, 1, 1, 0])
    np.testing.assert_allclose(
        loaded.generate(latents=z, labels=labels),
        gan.generate(latents=z, labels=labels),
        atol=1e-6,
    )
    assert not np.allclose(gan.generate(latents=z, labels=0), gan.generate(latents=z, labels=1))


def test_sample_grid_has_one_class_per_column(tmp_path):
    from PIL import Image

    latents, labels = keras.Input((4,)), keras.Input((), dtype="int32")
    x = keras.layers.Concatenate()([latents, keras.layers.Embedding(3, 4)(labels)])
    images = keras.layers.Reshape((4, 4, 1))(keras.layers.Dense(16, activation="tanh")(x))
    generator = keras.Model([latents, labels], images)
    samples, d_labels = keras.Input((4, 4, 1)), keras.Input((), dtype="int32")
    h = keras.layers.Dense(8, activation="relu")(keras.layers.Flatten()(samples))
    projection = keras.layers.Dot(axes=1)([keras.layers.Embedding(3, 8)(d_labels), h])
    logits = keras.layers.Add()([keras.layers.Dense(1)(h), projection])
    gan = kgk.GAN(generator, keras.Model([samples, d_labels], logits), num_classes=3, seed=0)
    gan.compile()
    x_train = np.random.default_rng(0).uniform(-1, 1, (32, 4, 4, 1)).astype("float32")
    saver = kgk.callbacks.ImageSampleSaver(tmp_path, num_samples=6)
    gan.fit(x_train, np.arange(32) % 3, batch_size=16, epochs=1, verbose=0, callbacks=[saver])
    grid = np.asarray(Image.open(tmp_path / "epoch_0001.png"))
    assert grid.shape == (2 * 4 + 1, 3 * 4 + 2)  # 2 rows x 3 columns (one per class)
    expected = kgk.utils.make_image_grid(
        gan.generate(latents=saver._latents, labels=np.arange(6) % 3), columns=3
    )
    np.testing.assert_array_equal(grid, expected)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda g: g.generate(3), "needs `labels`"),
        (lambda g: g.generate(3, labels=2), r"must lie in \[0, 2\)"),
        (lambda g: g.generate(3, labels=[0, 1]), "expected 3, received 2"),
        (lambda g: g.generate(2, labels=[0.5, 1.0]), "integer class ids"),
        (lambda g: g.fit(two_class_points(64)[0], verbose=0), "needs labels"),
        (lambda g: g.fit(two_class_points(64)[0], np.full(64, 5), verbose=0), r"\[0, 2\)"),
    ],
)
def test_label_errors(call, match):
    gan = conditional_gan()
    gan.compile()
    with pytest.raises(ValueError, match=match):
        call(gan)


def test_unconditional_gan_refuses_labels_and_conditional_networks():
    gan = kgk.GAN(mlp_generator(), mlp_discriminator())
    with pytest.raises(ValueError, match="unconditional; it takes no labels"):
        gan.generate(2, labels=[0, 1])
    with pytest.raises(ValueError, match="Pass num_classes"):
        kgk.GAN(conditional_mlp_generator(), conditional_mlp_discriminator())
    with pytest.raises(ValueError, match=r"needs a generator taking \[latents, labels\]"):
        kgk.GAN(mlp_generator(), mlp_discriminator(), num_classes=3)
    with pytest.raises(ValueError, match="num_classes=1"):
        kgk.GAN(conditional_mlp_generator(), conditional_mlp_discriminator(), num_classes=1)


@pytest.mark.parametrize(
    "loss, penalties",
    [
        ("non_saturating", ()),
        ("minimax", ()),
        ("wasserstein", ("gp",)),
        ("hinge", ("r2",)),
        ("least_squares", ("r1",)),
        ("relativistic_average", ()),
    ],
)
def test_every_loss_and_penalty_trains_a_conditional_gan(loss, penalties):
    x, y = two_class_points(128)
    gan = conditional_gan()
    gan.compile(loss=loss, penalties=list(penalties))
    history = gan.fit(x, y, batch_size=64, epochs=1, verbose=0)
    assert all(np.isfinite(v[0]) for v in history.history.values())
    assert set(history.history) == {"d_loss", "g_loss", *penalties}
