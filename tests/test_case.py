"""Shared helpers for the test suite (in the spirit of keras-hub's TestCase)."""

from __future__ import annotations

import keras
import numpy as np

import keras_gan_kit as kgk

BACKEND = keras.backend.backend()


def mlp_generator(latent_dim=4, features=2, width=16, output_activation=None):
    return keras.Sequential(
        [
            keras.Input((latent_dim,)),
            keras.layers.Dense(width, activation="relu"),
            keras.layers.Dense(features, activation=output_activation),
        ],
        name="generator",
    )


def mlp_discriminator(features=2, width=16):
    return keras.Sequential(
        [
            keras.Input((features,)),
            keras.layers.Dense(width, activation="relu"),
            keras.layers.Dense(1),
        ],
        name="discriminator",
    )


def conv_generator(latent_dim=8, size=8, channels=1):
    return keras.Sequential(
        [
            keras.Input((latent_dim,)),
            keras.layers.Dense((size // 2) * (size // 2) * 8),
            keras.layers.BatchNormalization(),
            keras.layers.ReLU(),
            keras.layers.Reshape((size // 2, size // 2, 8)),
            keras.layers.Conv2DTranspose(channels, 3, strides=2, padding="same"),
            keras.layers.Activation("tanh"),
        ],
        name="generator",
    )


def conv_discriminator(size=8, channels=1):
    return keras.Sequential(
        [
            keras.Input((size, size, channels)),
            keras.layers.Conv2D(8, 3, strides=2, padding="same"),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ],
        name="discriminator",
    )


def toy_points(n=256, seed=0):
    """Points of a 2-D Gaussian in [-1, 1]."""
    rng = np.random.default_rng(seed)
    return np.clip(rng.normal(0.3, 0.2, size=(n, 2)), -1, 1).astype("float32")


def toy_images(n=64, size=8, channels=1, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, size=(n, size, size, channels)).astype("float32")


def small_gan(seed=0, **kwargs):
    return kgk.GAN(mlp_generator(), mlp_discriminator(), seed=seed, **kwargs)


def weights(model):
    """A copy of a model's weights as NumPy arrays."""
    return [np.array(keras.ops.convert_to_numpy(w)) for w in model.weights]


def max_abs_change(before, after):
    return max(float(np.max(np.abs(a - b))) for a, b in zip(before, after))


def assert_serialization_round_trip(obj):
    """`serialize -> deserialize` gives an object with the same config."""
    config = keras.saving.serialize_keras_object(obj)
    restored = keras.saving.deserialize_keras_object(config)
    assert type(restored) is type(obj)
    assert restored.get_config() == obj.get_config()
    return restored


def conditional_mlp_generator(latent_dim=4, num_classes=2, features=2, width=32):
    """`[latents, labels] -> samples`: label embedding concatenated to the latent."""
    latents = keras.Input((latent_dim,))
    labels = keras.Input((), dtype="int32")
    embedded = keras.layers.Embedding(num_classes, 4)(labels)
    x = keras.layers.Concatenate()([latents, embedded])
    x = keras.layers.Dense(width, activation="relu")(x)
    return keras.Model([latents, labels], keras.layers.Dense(features)(x), name="generator")


def conditional_mlp_discriminator(num_classes=2, features=2, width=32):
    """`[samples, labels] -> logit`: a projection discriminator (Miyato & Koyama 2018)."""
    samples = keras.Input((features,))
    labels = keras.Input((), dtype="int32")
    h = keras.layers.Dense(width, activation="relu")(samples)
    projection = keras.layers.Dot(axes=1)([keras.layers.Embedding(num_classes, width)(labels), h])
    logits = keras.layers.Add()([keras.layers.Dense(1)(h), projection])
    return keras.Model([samples, labels], logits, name="discriminator")


def two_class_points(n=1024, seed=0):
    """Class 0 around (-0.5, -0.5), class 1 around (0.5, 0.5)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    centers = np.where(labels[:, None] == 1, 0.5, -0.5)
    return (centers + 0.05 * rng.standard_normal((n, 2))).astype("float32"), labels


def image_generator(channels_in=3, channels_out=3, seed=0):
    """A tiny fully convolutional image-to-image generator (seeded, tanh output)."""
    images = keras.Input((None, None, channels_in))
    x = keras.layers.Conv2D(
        4,
        3,
        padding="same",
        activation="relu",
        kernel_initializer=keras.initializers.GlorotUniform(seed),
    )(images)
    outputs = keras.layers.Conv2D(
        channels_out,
        1,
        activation="tanh",
        kernel_initializer=keras.initializers.GlorotUniform(seed + 1),
    )(x)
    return keras.Model(images, outputs)


def image_discriminator(channels=3, condition_channels=None):
    """A tiny PatchGAN-like critic; with `condition_channels` it takes `[condition, image]`."""
    image = keras.Input((None, None, channels))
    inputs, x = image, image
    if condition_channels:
        condition = keras.Input((None, None, condition_channels))
        inputs = [condition, image]
        x = keras.layers.Concatenate()([condition, image])
    x = keras.layers.Conv2D(4, 3, strides=2, padding="same", activation="relu")(x)
    return keras.Model(inputs, keras.layers.Conv2D(1, 3, padding="same")(x))
