"""`ScheduledAdam`: Adam with a scheduled `beta_2`, against a NumPy Adam (PyTorch's update rule).

R3GAN's loop rewrites `betas` of PyTorch's Adam every step; PyTorch then uses the current
`beta_2` both in the second-moment decay and in the bias correction `1 - beta_2**t`. The
reference below does the same, in float64.
"""

import keras
import numpy as np
import pytest

import keras_gan_kit as kgk
from keras_gan_kit.optimizers import CosineSchedule, ScheduledAdam
from tests.test_case import assert_serialization_round_trip

LR, EPS = 0.05, 1e-8
BETA_2 = CosineSchedule(0.5, 0.99, steps=2)  # 0.5, 0.745, 0.99, 0.99, ...
W = np.array([0.5, -0.3, 0.2])
FAKE_POINT = np.array([0.1, 0.2, -0.1])


def numpy_adam(w, gradients, beta_1, beta_2_at):
    w, m, v = np.array(w, "float64"), 0.0, 0.0
    for t, g in enumerate(gradients):
        beta_2 = beta_2_at(t)
        m = beta_1 * m + (1 - beta_1) * g
        v = beta_2 * v + (1 - beta_2) * g * g
        alpha = LR * np.sqrt(1 - beta_2 ** (t + 1)) / (1 - beta_1 ** (t + 1))
        w = w - alpha * m / (np.sqrt(v) + EPS)
    return w


def scheduled_beta_2(t):
    return 0.99 + (0.5 - 0.99) * 0.5 * (1 + np.cos(np.pi * min(t / 2, 1.0)))


def make_adam(beta_2=BETA_2, beta_1=0.0):
    return ScheduledAdam(LR, beta_1=beta_1, beta_2=beta_2, epsilon=EPS)


def test_apply_matches_numpy_adam_with_a_changing_beta_2():
    gradients = [np.array([1.0, -2.0]), np.array([0.5, 3.0]), np.array([-1.0, 1.0])]
    variable = keras.Variable(np.array([1.0, 2.0], "float32"))
    optimizer = make_adam(beta_1=0.9)
    for g in gradients:
        optimizer.apply([keras.ops.convert_to_tensor(g.astype("float32"))], [variable])
    expected = numpy_adam([1.0, 2.0], gradients, 0.9, scheduled_beta_2)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), expected, rtol=1e-5)
    constant = numpy_adam([1.0, 2.0], gradients, 0.9, lambda t: 0.5)
    assert np.max(np.abs(expected - constant)) > 1e-2  # the schedule matters here
    np.testing.assert_allclose(keras.ops.convert_to_numpy(optimizer.beta_2), 0.99, rtol=1e-6)


def test_float_beta_2_is_keras_adam():
    gradients = [np.array([1.0, -2.0]), np.array([0.5, 3.0])]
    ours, theirs = keras.Variable([1.0, 2.0]), keras.Variable([1.0, 2.0])
    a = ScheduledAdam(LR, beta_2=0.9)
    b = keras.optimizers.Adam(LR, beta_2=0.9)
    for g in gradients:
        a.apply([keras.ops.convert_to_tensor(g.astype("float32"))], [ours])
        b.apply([keras.ops.convert_to_tensor(g.astype("float32"))], [theirs])
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(ours), keras.ops.convert_to_numpy(theirs), rtol=1e-6
    )
    assert a.get_config()["beta_2"] == 0.9


def linear_critic():
    critic = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(1, use_bias=False)], name="critic"
    )
    critic.layers[0].kernel.assign(W.reshape(3, 1))
    return critic


def constant_generator():
    return keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(
                3,
                kernel_initializer="zeros",
                bias_initializer=keras.initializers.Constant(FAKE_POINT),
            ),
        ],
        name="generator",
    )


def test_in_the_compiled_step_and_through_a_keras_file(tmp_path):
    """Two fit steps, save, load, a third step: the critic follows the NumPy Adam throughout.

    Hinge loss with every hinge active (small logits): the critic's gradient on a batch is
    F - mean(x), whatever its weights.
    """
    rng = np.random.default_rng(0)
    x = rng.uniform(-0.4, 0.4, size=(24, 3)).astype("float32")
    gan = kgk.GAN(constant_generator(), linear_critic(), seed=0)
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(0.0),
        discriminator_optimizer=make_adam(),
        loss="hinge",
    )
    gan.fit(x[:16], batch_size=8, epochs=1, shuffle=False, verbose=0)
    gradients = [FAKE_POINT - x[i : i + 8].astype("float64").mean(0) for i in (0, 8, 16)]

    def kernel(model):
        return keras.ops.convert_to_numpy(model.discriminator.layers[0].kernel)[:, 0]

    np.testing.assert_allclose(
        kernel(gan), numpy_adam(W, gradients[:2], 0.0, scheduled_beta_2), rtol=1e-5
    )
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    optimizer = loaded.discriminator_optimizer
    assert type(optimizer) is ScheduledAdam and type(optimizer.beta_2_schedule) is CosineSchedule
    loaded.fit(x[16:], batch_size=8, epochs=1, shuffle=False, verbose=0)
    expected = numpy_adam(W, gradients, 0.0, scheduled_beta_2)
    np.testing.assert_allclose(kernel(loaded), expected, rtol=1e-5)
    constant = numpy_adam(W, gradients, 0.0, lambda t: 0.5)
    assert np.max(np.abs(kernel(loaded) - constant)) > 100 * np.max(
        np.abs(kernel(loaded) - expected)
    )


def test_serialization_and_errors():
    restored = assert_serialization_round_trip(make_adam())
    assert restored.beta_2_schedule.get_config() == BETA_2.get_config()
    with pytest.raises(ValueError, match="beta_2=1.0"):
        ScheduledAdam(beta_2=1.0)
    with pytest.raises(ValueError, match="beta_2='0.9'"):
        ScheduledAdam(beta_2="0.9")
