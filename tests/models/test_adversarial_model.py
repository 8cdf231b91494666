"""The engine's hooks: discriminator-input augmentation, generator regularizers, intervals."""

import os

import keras
import numpy as np
import pytest
from keras import ops

import keras_gan_kit as kgk
from keras_gan_kit.losses.regularizers import GeneratorRegularizer, PathLengthRegularizer
from keras_gan_kit.models import AdversarialModel
from keras_gan_kit.trainers import Phase
from tests.test_case import mlp_discriminator, mlp_generator, toy_points, weights


@keras.saving.register_keras_serializable(package="keras_gan_kit_tests")
class ZeroOut(keras.layers.Layer):
    """An 'augmentation' that maps every sample to zeros: the discriminator sees nothing."""

    def call(self, inputs, training=None):
        return ops.zeros_like(inputs)


@keras.saving.register_keras_serializable(package="keras_gan_kit_tests")
class FlipWidth(keras.layers.Layer):
    """A deterministic geometric 'augmentation': images flipped left-right."""

    def call(self, inputs, training=None):
        return ops.flip(inputs, axis=2)


@keras.saving.register_keras_serializable(package="keras_gan_kit_tests")
class Negate(keras.layers.Layer):
    """A differentiable 'augmentation' of any sample shape: x -> -x."""

    def call(self, inputs, training=None):
        return -inputs


@keras.saving.register_keras_serializable(package="keras_gan_kit_tests")
class CountingRegularizer(GeneratorRegularizer):
    """`mean(G(x)^2)`, counting its own applications in a variable."""

    default_name = "sq"

    def __init__(self, weight=1.0, interval=1, **kwargs):
        super().__init__(weight=weight, interval=interval, **kwargs)
        self.calls = self.add_weight(shape=(), initializer="zeros", trainable=False, name="calls")
        self.built = True

    def regularization(self, generator_fn, inputs, seed_generator):
        self.calls.assign(self.calls + 1.0)
        return ops.mean(ops.square(ops.cast(generator_fn(inputs), "float32")))


def constant_generator(latent_dim=4, features=2, value=1.0):
    """`G(z) = value` for every z (zero kernel, constant bias)."""
    return keras.Sequential(
        [
            keras.Input((latent_dim,)),
            keras.layers.Dense(
                features,
                kernel_initializer="zeros",
                bias_initializer=keras.initializers.Constant(value),
            ),
        ],
        name="generator",
    )


def scaled_identity_generator(dim, scale):
    """`G(z) = scale * z`: its Jacobian is `scale * I`."""
    return keras.Sequential(
        [
            keras.Input((dim,)),
            keras.layers.Dense(
                dim,
                use_bias=False,
                kernel_initializer=keras.initializers.Identity(scale),
            ),
        ],
        name="generator",
    )


def softplus(x):
    return np.logaddexp(0.0, x)


def test_augmentation_reaches_every_discriminator_input():
    # With an augmentation that zeroes every sample, D sees the same input for
    # real and generated data in both phases and inside the R1 penalty: R1 is
    # exactly 0 (the gradient goes through the augmentation), the losses are
    # those of D(0), and no gradient reaches the generator.
    gan = kgk.GAN(mlp_generator(), mlp_discriminator(), seed=0, augmentation=ZeroOut())
    gan.compile(penalties=["r1"])
    gan.discriminator.layers[-1].bias.assign([0.5])  # D(0) = 0.5: a nonzero gradient for D
    g_before = weights(gan.generator)
    zero = np.zeros((1, 2), "float32")
    d_zero_before = float(ops.convert_to_numpy(gan.discriminator(zero))[0, 0])
    history = gan.fit(toy_points(16), batch_size=16, epochs=1, shuffle=False, verbose=0)
    d_zero_after = float(ops.convert_to_numpy(gan.discriminator(zero))[0, 0])
    assert history.history["r1"][0] == 0.0
    np.testing.assert_allclose(
        history.history["d_loss"][0],
        softplus(-d_zero_before) + softplus(d_zero_before),
        rtol=1e-5,
    )
    np.testing.assert_allclose(history.history["g_loss"][0], softplus(-d_zero_after), rtol=1e-5)
    for before, after in zip(g_before, weights(gan.generator)):
        np.testing.assert_array_equal(before, after)
    assert d_zero_after != d_zero_before  # the discriminator itself trained


def test_augmentation_is_skipped_outside_training_and_applied_jointly_to_pairs():
    model = kgk.GAN(mlp_generator(), mlp_discriminator(), augmentation=FlipWidth())
    rng = np.random.default_rng(0)
    image = rng.normal(size=(2, 4, 5, 3)).astype("float32")
    condition = rng.normal(size=(2, 4, 5, 1)).astype("float32")
    flipped_image, flipped_condition = model.augment(image, condition)
    np.testing.assert_array_equal(ops.convert_to_numpy(flipped_image), image[:, :, ::-1])
    np.testing.assert_array_equal(ops.convert_to_numpy(flipped_condition), condition[:, :, ::-1])
    np.testing.assert_array_equal(ops.convert_to_numpy(model.augment(image, training=False)), image)


def test_augmentation_must_be_a_layer():
    with pytest.raises(ValueError, match="`augmentation` must be a keras.layers.Layer"):
        kgk.GAN(mlp_generator(), mlp_discriminator(), augmentation="diffaugment")


def test_generator_regularizer_runs_on_its_interval_only():
    regularizer = CountingRegularizer(weight=0.5, interval=2)
    gan = kgk.GAN(constant_generator(value=1.0), mlp_discriminator(), seed=0)
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(0.0),
        generator_regularizers=[regularizer],
    )
    history = gan.fit(toy_points(40), batch_size=8, epochs=1, shuffle=False, verbose=0)
    # Steps 0..4: applied on steps 0, 2 and 4; G(z) = 1, so the logged value is the weight.
    assert float(ops.convert_to_numpy(regularizer.calls)) == 3.0
    np.testing.assert_allclose(history.history["sq"][0], 0.5, rtol=1e-6)
    assert [p.name for p in gan._phases] == ["discriminator", "generator", "sq"]


def test_regularizer_phase_updates_the_generator_with_interval_times_weight():
    # G(z) = b at the start; with the regularizer phase alone, one applied step of
    # SGD(lr) moves b by -lr * interval * weight * d mean(b^2)/db, where the mean runs
    # over (batch, 2 features): the gradient is b = 1 per feature.
    generator = constant_generator(value=1.0)
    gan = kgk.GAN(generator, mlp_discriminator(), seed=0)
    lr, weight, interval = 0.1, 0.5, 3
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(lr),
        generator_regularizers=[CountingRegularizer(weight=weight, interval=interval)],
    )
    gan._phases = gan._phases[2:]  # the regularizer phase alone, run by fit's engine
    gan.fit(toy_points(8), batch_size=8, epochs=1, shuffle=False, verbose=0)
    bias = ops.convert_to_numpy(generator.layers[-1].bias)
    expected = 1.0 - lr * interval * weight * 1.0
    np.testing.assert_allclose(bias, [expected, expected], rtol=1e-6)


def test_path_length_regularizer_tracks_the_mean_jacobian_norm():
    dim, scale, decay = 64, 3.0, 0.01
    regularizer = PathLengthRegularizer(weight=2.0, interval=1, decay=decay)
    gan = kgk.GAN(
        scaled_identity_generator(dim, scale),
        keras.Sequential([keras.Input((dim,)), keras.layers.Dense(1)]),
        seed=0,
    )
    gan.compile(generator_optimizer=keras.optimizers.SGD(0.0), generator_regularizers=[regularizer])
    data = np.clip(np.random.default_rng(0).normal(size=(256, dim)), -1, 1).astype("float32")
    history = gan.fit(data, batch_size=256, epochs=1, verbose=0)
    # ||J^T y|| = scale * ||y|| with y ~ N(0, I_64): E||y|| = 7.98 (chi, 64 dof).
    pl_mean = float(ops.convert_to_numpy(regularizer.pl_mean))
    np.testing.assert_allclose(pl_mean, decay * scale * 7.98, rtol=0.03)
    # pl = weight * mean((||J^T y|| - pl_mean)^2) ~ weight * (scale * 7.98)^2 when pl_mean ~ 0.
    np.testing.assert_allclose(
        history.history["pl"][0], 2.0 * (scale * 7.98 - pl_mean) ** 2, rtol=0.1
    )


def test_path_length_regularizer_trains_the_generator_toward_constant_lengths():
    # With only the regularizer training G, its Jacobian norm moves toward pl_mean:
    # starting from G = 3 z and pl_mean initialised at 1, the scale shrinks.
    dim = 8
    regularizer = PathLengthRegularizer(weight=1.0, interval=1, decay=1e-6)
    generator = scaled_identity_generator(dim, 3.0)
    gan = kgk.GAN(generator, keras.Sequential([keras.Input((dim,)), keras.layers.Dense(1)]), seed=0)
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(0.01), generator_regularizers=[regularizer]
    )
    regularizer.pl_mean.assign(1.0)
    gan._phases = gan._phases[2:]  # the regularizer phase alone
    data = np.zeros((64, dim), "float32")
    gan.fit(data, batch_size=32, epochs=3, verbose=0)
    kernel = ops.convert_to_numpy(generator.layers[-1].kernel)
    assert np.all(np.diag(kernel) < 3.0)
    assert float(np.mean(np.diag(kernel))) < 2.9


def test_regularizers_are_saved_with_the_compile_config(tmp_path):
    gan = kgk.GAN(mlp_generator(), mlp_discriminator(), seed=1, augmentation=Negate())
    regularizer = PathLengthRegularizer(weight=1.5, interval=2, batch_shrink=2)
    gan.compile(generator_regularizers=[regularizer])
    gan.fit(toy_points(32), batch_size=16, epochs=1, verbose=0)
    pl_mean = float(ops.convert_to_numpy(regularizer.pl_mean))
    assert pl_mean > 0.0
    path = os.path.join(tmp_path, "gan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.augmentation, Negate)
    (restored,) = loaded.generator_regularizers
    assert restored.get_config() == regularizer.get_config()
    assert float(ops.convert_to_numpy(restored.pl_mean)) == pytest.approx(pl_mean)
    assert [p.name for p in loaded._phases] == ["discriminator", "generator", "pl"]
    loaded.fit(toy_points(32), batch_size=16, epochs=1, verbose=0)  # and it trains on


def test_bad_regularizers_and_phases_are_refused():
    gan = kgk.GAN(mlp_generator(), mlp_discriminator())
    with pytest.raises(ValueError, match="GeneratorRegularizer"):
        gan.compile(generator_regularizers=["pl"])
    with pytest.raises(ValueError, match="distinct name"):
        gan.compile(generator_regularizers=[PathLengthRegularizer(), PathLengthRegularizer()])
    with pytest.raises(ValueError, match="Received: interval=0"):
        PathLengthRegularizer(interval=0)
    with pytest.raises(ValueError, match="Received: decay=0"):
        PathLengthRegularizer(decay=0)
    with pytest.raises(ValueError, match="`repeat` must be a positive int"):
        Phase("p", lambda b, c: (0.0, {}), [], keras.optimizers.SGD(), repeat=0)


class NoRegularizerSupport(AdversarialModel):
    network_names = ("generator",)

    def __init__(self, generator, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.built = True

    def optimizer_variables(self):
        return {"generator": self.generator.trainable_variables}

    def phases(self):
        return []


def test_a_family_without_generator_inputs_refuses_regularizers():
    model = NoRegularizerSupport(mlp_generator())
    with pytest.raises(ValueError, match="does not support generator regularizers"):
        model.compile(
            optimizers={"generator": "auto"}, generator_regularizers=[PathLengthRegularizer()]
        )
    with pytest.raises(ValueError, match=r"one optimizer per entry"):
        model.compile(optimizers={"discriminator": "auto"})
