"""Penalties against their analytic values on a linear critic D(x) = w.x.

For a linear critic the input gradient is w at every point, so
GP = weight (|w| - 1)^2 and R1 = R2 = gamma/2 |w|^2, and their gradients with
respect to w are known in closed form. The training tests check that the
discriminator update includes those weight gradients, i.e. that double
backprop works on the active backend.
"""

import keras
import numpy as np
import pytest

import keras_gan_kit as kgk
from keras_gan_kit import losses
from keras_gan_kit.optimizers import CosineSchedule, LinearSchedule
from tests.test_case import assert_serialization_round_trip

W = np.array([0.5, -0.3, 0.2], dtype="float32")
FAKE_POINT = np.array([0.1, 0.2, -0.1], dtype="float32")
LR = 0.1


def linear_critic(w=W):
    critic = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(1, use_bias=False)], name="critic"
    )
    critic.layers[0].kernel.assign(w.reshape(3, 1))
    return critic


def constant_generator():
    """A generator whose every output is FAKE_POINT."""
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


def reals(n=8, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-0.4, 0.4, size=(n, 3)).astype("float32")


def penalty_weight_gradient(penalty, w):
    norm = np.linalg.norm(w)
    if isinstance(penalty, losses.GradientPenalty):
        return 2 * penalty.weight * (norm - penalty.target) * w / norm
    return penalty.gamma * w


def penalty_value(penalty, w):
    norm = np.linalg.norm(w)
    if isinstance(penalty, losses.GradientPenalty):
        return penalty.weight * (norm - penalty.target) ** 2
    return 0.5 * penalty.gamma * norm**2


PENALTIES = [
    losses.GradientPenalty(weight=10.0),
    losses.R1Penalty(gamma=4.0),
    losses.R2Penalty(gamma=2.0),
]


@pytest.mark.parametrize("penalty", PENALTIES, ids=lambda p: p.name)
def test_penalty_value_on_linear_critic(penalty):
    critic = linear_critic()
    x = reals()
    fake = np.tile(FAKE_POINT, (8, 1))
    points = penalty.penalty_points(x, fake, keras.random.SeedGenerator(0))
    value = penalty.penalty_value(lambda t: critic(t), points)  # unweighted
    np.testing.assert_allclose(
        penalty.weight * float(keras.ops.convert_to_numpy(value)),
        penalty_value(penalty, W),
        rtol=1e-5,
    )
    term, applied = penalty(lambda t: critic(t), x, fake, keras.random.SeedGenerator(0), 0)
    np.testing.assert_allclose(
        float(keras.ops.convert_to_numpy(term)), penalty_value(penalty, W), rtol=1e-5
    )
    assert float(keras.ops.convert_to_numpy(applied)) == 1.0


def test_gradient_penalty_interpolates_between_real_and_fake():
    x = reals()
    fake = np.tile(FAKE_POINT, (8, 1))
    points = keras.ops.convert_to_numpy(
        losses.GradientPenalty().penalty_points(x, fake, keras.random.SeedGenerator(3))
    )
    # points = a x + (1 - a) fake with one a in [0, 1] per sample
    alpha = (points - fake)[:, 0] / (x - fake)[:, 0]
    assert np.all((alpha >= 0) & (alpha <= 1))
    np.testing.assert_allclose(points, alpha[:, None] * x + (1 - alpha[:, None]) * fake, atol=1e-5)
    assert np.std(alpha) > 0.05


def make_gan(penalty, discriminator_steps=1):
    gan = kgk.GAN(constant_generator(), linear_critic(), seed=0)
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(0.0),
        discriminator_optimizer=keras.optimizers.SGD(LR),
        loss="hinge",  # all hinges active here: same gradient as Wasserstein
        penalties=[penalty],
        discriminator_steps=discriminator_steps,
    )
    return gan


@pytest.mark.parametrize("penalty", PENALTIES, ids=lambda p: p.name)
def test_discriminator_update_includes_penalty_gradient(penalty):
    x = reals()
    gan = make_gan(penalty)
    history = gan.fit(x, batch_size=len(x), epochs=1, shuffle=False, verbose=0)
    adversarial_grad = FAKE_POINT - x.mean(axis=0)  # d/dw of mean(w.fake) - mean(w.x)
    expected = W - LR * (adversarial_grad + penalty_weight_gradient(penalty, W))
    got = keras.ops.convert_to_numpy(gan.discriminator.layers[0].kernel)[:, 0]
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        history.history[penalty.name][0], penalty_value(penalty, W), rtol=1e-4
    )


def test_lazy_penalty_applies_every_interval_steps_scaled():
    penalty = losses.R1Penalty(gamma=4.0, interval=2)
    x = reals(n=16)
    gan = make_gan(penalty)
    history = gan.fit(x, batch_size=8, epochs=1, shuffle=False, verbose=0)
    w = W.astype("float64")
    # step 0: penalty applied with factor 2; step 1: skipped
    w1 = w - LR * ((FAKE_POINT - x[:8].mean(0)) + 2 * penalty.gamma * w)
    w2 = w1 - LR * (FAKE_POINT - x[8:].mean(0))
    got = keras.ops.convert_to_numpy(gan.discriminator.layers[0].kernel)[:, 0]
    np.testing.assert_allclose(got, w2, rtol=1e-4, atol=1e-6)
    # the log averages the penalty over the steps where it was computed
    np.testing.assert_allclose(history.history["r1"][0], penalty_value(penalty, W), rtol=1e-4)


def test_scheduled_gamma_is_evaluated_on_the_training_step():
    """gamma = 4, 2.5, 1 at training steps 0, 1, 2; both critic updates of a step share it."""
    penalty = losses.R1Penalty(gamma=LinearSchedule(4.0, 1.0, steps=2))
    x = reals(n=16)
    gan = make_gan(penalty, discriminator_steps=2)
    history = gan.fit(x, batch_size=8, epochs=1, shuffle=False, verbose=0)
    w = W.astype("float64")
    logged = []
    for step, gamma in enumerate([4.0, 2.5]):
        batch = x[8 * step : 8 * step + 8]
        for _ in range(2):
            logged.append(0.5 * gamma * np.sum(w**2))
            w = w - LR * ((FAKE_POINT - batch.mean(0)) + gamma * w)
    got = keras.ops.convert_to_numpy(gan.discriminator.layers[0].kernel)[:, 0]
    np.testing.assert_allclose(got, w, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(history.history["r1"][0], np.mean(logged), rtol=1e-4)


def test_scheduled_weight_values():
    penalty = losses.GradientPenalty(weight=CosineSchedule(10.0, 2.0, steps=4))
    got = [float(keras.ops.convert_to_numpy(penalty.weight_at(t))) for t in (0, 2, 4, 9)]
    np.testing.assert_allclose(got, [10.0, 6.0, 2.0, 2.0], rtol=1e-6)
    assert float(keras.ops.convert_to_numpy(losses.R2Penalty(3.0).weight_at(7))) == 3.0


def test_input_gradients_of_square():
    x = np.array([[1.0, -2.0], [0.5, 3.0]], dtype="float32")
    outputs, grads = kgk.trainers.input_gradients(lambda t: keras.ops.square(t), x)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(grads), 2 * x)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(outputs), x**2)


def test_zero_centred_penalties_refuse_wasserstein():
    gan = kgk.GAN(constant_generator(), linear_critic(), seed=0)
    with pytest.raises(ValueError, match="R1Penalty does not fit the loss 'wasserstein_loss'"):
        gan.compile(loss="wasserstein", penalties=[losses.R1Penalty()])
    with pytest.raises(ValueError, match="R2Penalty"):
        gan.compile(loss="wgan", penalties=["r2"])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"weight": -1.0}, "weight=-1.0"),
        ({"interval": 0}, "interval=0"),
        ({"interval": 1.5}, "interval=1.5"),
        ({"weight": float("nan")}, "weight=nan"),
        ({"weight": "high"}, "weight='high'"),
    ],
)
def test_bad_penalty_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        losses.GradientPenalty(**kwargs)


def test_bad_gamma_names_gamma():
    with pytest.raises(ValueError, match=r"R1Penalty: `gamma` must be .* Received: gamma=-1"):
        losses.R1Penalty(gamma=-1)


def test_get_penalty():
    assert isinstance(losses.get_penalty("gp"), losses.GradientPenalty)
    assert isinstance(losses.get_penalty("R1"), losses.R1Penalty)
    with pytest.raises(ValueError, match="Unknown penalty. Received: 'r3'"):
        losses.get_penalty("r3")


@pytest.mark.parametrize(
    "penalty",
    PENALTIES
    + [
        losses.R1Penalty(gamma=1.0, interval=16),
        losses.R2Penalty(gamma=CosineSchedule(0.05, 0.005, steps=39_062)),
        losses.GradientPenalty(weight=LinearSchedule(10.0, 1.0, steps=100, start_step=50)),
    ],
    ids=lambda p: repr(p),
)
def test_penalty_serialization(penalty):
    restored = assert_serialization_round_trip(penalty)
    assert restored.interval == penalty.interval
    assert type(restored.weight) is type(penalty.weight)
    for step in (0, 60, 10**5):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(restored.weight_at(step)),
            keras.ops.convert_to_numpy(penalty.weight_at(step)),
        )


def _softplus(t):
    return np.logaddexp(0.0, t)


def _sigmoid(t):
    return 1.0 / (1.0 + np.exp(-t))


def test_r3gan_objective_one_step_closed_form():
    """RpGAN + R1 + R2 (R3GAN) on D(x) = w.x and G(z) = F: one fit step, every log and update.

    D minimises mean softplus(-(w.x_i - w.F)) + gamma/2 |w|^2 (R1) + gamma/2 |w|^2 (R2);
    G then minimises mean softplus(-(w'.F - w'.x_i)) with the updated w', which needs the
    real logits in the generator phase.
    """
    gamma, lr_g = 0.5, 0.05
    gan = kgk.GAN(constant_generator(), linear_critic(), seed=0)
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(lr_g),
        discriminator_optimizer=keras.optimizers.SGD(LR),
        loss="rpgan",
        penalties=[losses.R1Penalty(gamma), losses.R2Penalty(gamma)],
    )
    x = reals().astype("float64")
    history = gan.fit(x.astype("float32"), batch_size=len(x), epochs=1, verbose=0)
    w, f = W.astype("float64"), FAKE_POINT.astype("float64")
    d_margin = x @ w - f @ w  # r_i - f_i
    d_loss = _softplus(-d_margin).mean()
    d_grad = (-_sigmoid(-d_margin)[:, None] * (x - f)).mean(0) + 2 * gamma * w
    w1 = w - LR * d_grad
    g_margin = f @ w1 - x @ w1  # f_i - r_i under the updated critic
    g_loss = _softplus(-g_margin).mean()
    bias_grad = (-_sigmoid(-g_margin)).mean() * w1  # d g_loss / d F
    logs = {k: v[0] for k, v in history.history.items()}
    np.testing.assert_allclose(logs["d_loss"], d_loss, rtol=1e-5)
    np.testing.assert_allclose(logs["r1"], 0.5 * gamma * w @ w, rtol=1e-5)
    np.testing.assert_allclose(logs["r2"], 0.5 * gamma * w @ w, rtol=1e-5)
    np.testing.assert_allclose(logs["g_loss"], g_loss, rtol=1e-5)
    got_w = keras.ops.convert_to_numpy(gan.discriminator.layers[0].kernel)[:, 0]
    np.testing.assert_allclose(got_w, w1, rtol=1e-5, atol=1e-7)
    got_bias = keras.ops.convert_to_numpy(gan.generator.layers[0].bias)
    np.testing.assert_allclose(got_bias, f - lr_g * bias_grad, rtol=1e-5, atol=1e-7)
