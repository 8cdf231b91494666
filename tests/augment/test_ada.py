"""`ADA`: identity at p = 0, closed forms per transform, gradients, the p controller in `fit`,
exact resume from `.keras` files, mixed precision."""

import itertools
import os

import keras
import numpy as np
import pytest
from keras import ops

import keras_gan_kit as kgk
from keras_gan_kit.augment import ADA, TRANSFORMS, DiffAugment
from tests.augment.test_diffaugment import input_gradient
from tests.augment.test_transforms import images, np_shift
from tests.test_case import conv_discriminator, conv_generator, to_numpy, toy_images


def only(name, **kwargs):
    """ADA at p = 1 with one transform on (multiplier 1) and every other off."""
    multipliers = {m: 0.0 for m in TRANSFORMS}
    multipliers[name] = 1.0
    return ADA(p=1.0, target=None, seed=kwargs.pop("seed", 0), **{**multipliers, **kwargs})


def channel_mean(x):
    return x.mean(axis=-1, keepdims=True)


def test_p_zero_and_inference_are_the_identity():
    x = images(batch=16)
    ada = ADA(p=0.0, seed=0, **{m: 1.0 for m in TRANSFORMS})  # every transform on
    np.testing.assert_array_equal(to_numpy(ada(x, training=True)), x)
    ada.p.assign(1.0)
    np.testing.assert_array_equal(to_numpy(ada(x, training=False)), x)
    assert np.abs(to_numpy(ada(x, training=True)) - x).mean() > 0.05


def test_geometric_blits_are_exact_flips_turns_and_integer_shifts():
    x = images(batch=16)
    flipped = to_numpy(only("xflip")(x, training=True))
    kinds = [
        0 if np.array_equal(o, i) else 1 if np.allclose(o, i[:, ::-1], atol=1e-6) else -1
        for o, i in zip(flipped, x)
    ]
    assert -1 not in kinds and set(kinds) == {0, 1}
    turned = to_numpy(only("rotate90")(x, training=True))
    turns = [
        next((k for k in range(4) if np.allclose(o, np.rot90(i, k), atol=1e-5)), -1)
        for o, i in zip(turned, x)
    ]
    assert -1 not in turns and len(set(turns)) >= 3
    shifted = to_numpy(only("xint")(x, training=True))
    limit = 1  # round(0.125 * 8)
    shifts = set()
    for o, i in zip(shifted, x):
        match = [
            (dy, dx)
            for dy, dx in itertools.product(range(-limit, limit + 1), repeat=2)
            if np.allclose(o, np_shift(i, dy, dx, "reflect"), atol=1e-6)
        ]
        assert len(match) == 1
        shifts.add(match[0])
    assert len(shifts) > 4


@pytest.mark.parametrize("name", ["scale", "rotate", "aniso", "xfrac"])
def test_general_geometric_transforms_keep_constants_and_move_pixels(name):
    x = images(batch=16)
    layer = only(name)
    assert np.abs(to_numpy(layer(x, training=True)) - x).max() > 0.1
    constant = np.full((16, 8, 8, 3), -0.3, "float32")
    np.testing.assert_allclose(to_numpy(layer(constant, training=True)), constant, atol=1e-5)


def test_color_transforms_closed_forms():
    x = images(batch=16)
    out = to_numpy(only("brightness")(x, training=True))  # adds one constant per image
    delta = (out - x).reshape(16, -1)
    np.testing.assert_allclose(delta, delta[:, :1] * np.ones_like(delta), atol=1e-5)
    assert 0.1 < delta[:, 0].std() < 0.3  # N(0, 0.2)
    out = to_numpy(only("contrast")(x, training=True))  # multiplies by one factor per image
    ratio = (out / x).reshape(16, -1)
    np.testing.assert_allclose(ratio, ratio[:, :1] * np.ones_like(ratio), rtol=1e-4)
    for name in ("saturation", "hue"):  # the luma axis is kept
        out = to_numpy(only(name)(x, training=True))
        np.testing.assert_allclose(channel_mean(out), channel_mean(x), atol=1e-5)
        assert np.abs(out - x).max() > 0.1
    out = to_numpy(only("hue")(x, training=True))  # a rotation keeps the chroma's length
    np.testing.assert_allclose(
        np.linalg.norm(out - channel_mean(out), axis=-1),
        np.linalg.norm(x - channel_mean(x), axis=-1),
        atol=1e-5,
    )
    out = to_numpy(only("lumaflip")(x, training=True))  # luma negated or kept, chroma kept
    np.testing.assert_allclose(out - channel_mean(out), x - channel_mean(x), atol=1e-5)
    signs = np.sign(channel_mean(out) / channel_mean(x)).reshape(16, -1)
    assert set(np.unique(signs[:, 0])) == {-1.0, 1.0}
    assert np.all(signs == signs[:, :1])


def test_cutout_zeroes_the_expected_fraction_and_noise_is_zero_mean():
    size = 8
    layer, x = only("cutout"), np.ones((16, size, size, 3), "float32")
    out = np.concatenate([to_numpy(layer(x, training=True)) for _ in range(16)])
    # A pixel is zeroed when its centre is within 1/4 of the image side of a uniform centre.
    centres = (np.arange(size) + 0.5) / size
    grid = np.linspace(0, 1, 20001)
    mean_length = np.mean([(np.abs(centres - c) < 0.25).sum() for c in grid])
    assert float(np.mean(out == 0)) == pytest.approx((mean_length / size) ** 2, abs=0.015)
    noisy = to_numpy(only("noise")(np.zeros((16, 8, 8, 3), "float32"), training=True))
    assert abs(float(noisy.mean())) < 0.01 and 0.02 < float(noisy.std()) < 0.2


def test_gradients_flow_through_every_transform():
    x = images(batch=16)
    for name in TRANSFORMS:
        grads = input_gradient(only(name), x)
        assert np.all(np.isfinite(grads)), name
        assert np.abs(grads).max() > 0.0, name
    grads = input_gradient(ADA(p=1.0, target=None, pipeline="bgcc", noise=1.0, seed=1), x)
    assert np.all(np.isfinite(grads)) and np.abs(grads).max() > 0.0


def variables(layer):
    return {v.name: to_numpy(v).tolist() for v in layer.non_trainable_variables}


def test_controller_update_rule_closed_forms():
    # interval 2, 4 images a batch: each adjustment moves p by 8 / (0.032 * 1000) = 0.25.
    up = ADA(p=0.0, interval=2, kimg=0.032)
    for _ in range(3):
        up.update_state(ops.ones((4, 1)))
    state = variables(up)
    assert state["p"] == 0.25 and state["rt"] == 1.0 and state["images_seen"] == 12
    assert state["pending_batches"] == 1 and state["sign_sum"] == 4.0
    down = ADA(p=0.3, interval=1, kimg=0.016)  # logit maps: every logit counts
    logits = np.array([1.0, -1.0, -1.0, -2.0] * 4, "float32").reshape(4, 2, 2, 1)
    down.update_state(logits)
    assert variables(down)["rt"] == -0.5 and variables(down)["p"] == pytest.approx(0.05)
    down.update_state(logits)
    assert variables(down)["p"] == 0.0  # clipped
    level = ADA(p=0.5, interval=1, target=0.5, kimg=0.016)
    level.update_state(np.array([[1.0], [1.0], [1.0], [-1.0]], "float32"))  # r_t = target
    assert variables(level)["p"] == 0.5
    fixed = ADA(p=0.4, target=None, interval=1)
    fixed.update_state(ops.ones((4, 1)))
    assert variables(fixed)["p"] == pytest.approx(0.4) and variables(fixed)["rt"] == 1.0
    schedule = keras.optimizers.schedules.PolynomialDecay(0.0, 100, end_learning_rate=1.0)
    scheduled = ADA(target=None, p_schedule=schedule)
    for _ in range(5):
        scheduled.update_state(ops.ones((10, 1)))
    assert variables(scheduled)["p"] == pytest.approx(0.5)
    clone = ADA.from_config(scheduled.get_config())
    assert clone.get_config() == scheduled.get_config()


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="Received: p=1.5"):
        ADA(p=1.5)
    with pytest.raises(ValueError, match="Received: target=-0.1"):
        ADA(target=-0.1)
    with pytest.raises(ValueError, match="Received: interval=0"):
        ADA(interval=0)
    with pytest.raises(ValueError, match="Received: pipeline='bgcfnc'"):
        ADA(pipeline="bgcfnc")
    with pytest.raises(ValueError, match="Received: target=0.6 with a p_schedule"):
        ADA(p_schedule=keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9))
    with pytest.raises(ValueError, match="Received: p_schedule='linear'"):
        ADA(target=None, p_schedule="linear")
    with pytest.raises(ValueError, match="Received: xflip=-1"):
        ADA(xflip=-1)
    with pytest.raises(ValueError, match="Received: images with 2 channels"):
        ADA().build((None, 8, 8, 2))
    ADA(pipeline="bg").build((None, 8, 8, 2))  # geometric transforms take any channels


# ---------------------------------------------------------------------------------------- #
# The controller inside `fit`, resume, mixed precision
# ---------------------------------------------------------------------------------------- #
def constant_discriminator(logit):
    """D(x) = logit for every x: an 'overfitting' (logit > 0) or losing (< 0) discriminator."""
    return keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(
                1, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(logit)
            ),
        ],
        name="discriminator",
    )


@pytest.fixture(scope="module")
def controller_run(tmp_path_factory):
    """A tiny GAN whose discriminator first overfits (D = +5), then loses (D = -5).

    32 images, batch 8: 4 discriminator batches an epoch, an adjustment of p every 2 of
    them, each by sign(r_t - 0.6) * 16 / (0.08 * 1000) = +-0.2. Saved in between.
    Under mixed_float16 (one loss-scaled optimizer per network): the hook and the
    float32 augmentation run inside a loss-scaled step.
    """
    keras.utils.set_random_seed(0)
    keras.config.set_dtype_policy("mixed_float16")
    try:
        ada = ADA(p=0.0, target=0.6, interval=2, kimg=0.08, pipeline="blit", seed=3)
        discriminator = constant_discriminator(5.0)
        gan = kgk.GAN(conv_generator(), discriminator, seed=0, augmentation=ada)
    finally:
        keras.config.set_dtype_policy("float32")
    gan.compile(discriminator_optimizer=keras.optimizers.SGD(0.0))
    assert isinstance(gan.generator_optimizer, keras.optimizers.LossScaleOptimizer)
    data = toy_images(32)
    up = gan.fit(data, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    path = os.path.join(tmp_path_factory.mktemp("ada"), "ada.keras")
    gan.save(path)
    saved = variables(ada)
    discriminator.layers[-1].bias.assign(np.full((1,), -5.0, "float32"))
    down = gan.fit(data, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    assert np.all(np.isfinite(up["g_loss"])) and np.all(np.isfinite(down["g_loss"]))
    return {"gan": gan, "up": up, "down": down, "path": path, "saved": saved}


def test_fit_raises_p_on_an_overfitting_discriminator(controller_run):
    np.testing.assert_allclose(controller_run["up"]["ada_p"], [0.4, 0.8], atol=1e-6)
    np.testing.assert_allclose(controller_run["up"]["ada_rt"], [1.0, 1.0])
    assert controller_run["saved"]["images_seen"] == 64
    assert controller_run["saved"]["pending_batches"] == 0


def test_fit_lowers_p_when_the_sign_mean_is_below_target(controller_run):
    np.testing.assert_allclose(controller_run["down"]["ada_p"], [0.4, 0.0], atol=1e-6)
    np.testing.assert_allclose(controller_run["down"]["ada_rt"], [-1.0, -1.0])
    assert variables(controller_run["gan"].augmentation)["images_seen"] == 128


def test_p_counter_and_seed_are_restored_exactly_from_a_keras_file(controller_run):
    loaded = keras.models.load_model(controller_run["path"])
    ada = loaded.augmentation
    assert isinstance(ada, ADA)
    assert ada.get_config() == controller_run["gan"].augmentation.get_config()
    # p, the sign statistics, the counters and the seed state, as saved (after compile).
    assert variables(ada) == controller_run["saved"]
    assert loaded.get_compile_config() == controller_run["gan"].get_compile_config()
    # Training on continues from p = 0.8 and 64 images, not from the initial state.
    for _ in range(2):
        ada.update_state(ops.ones((8, 1)))
    assert variables(ada)["p"] == pytest.approx(1.0) and variables(ada)["images_seen"] == 80


@pytest.mark.parametrize("policy", ["mixed_bfloat16", "mixed_float16"])
def test_augmentations_compute_in_float32_under_every_policy(policy):
    # The same draws as under float32: no coordinate or color math in half precision.
    keras.config.set_dtype_policy(policy)
    x = images(batch=16)
    for layer in (DiffAugment(seed=0), ADA(p=0.7, pipeline="bgcc", seed=0)):
        out = layer(x, training=True)
        assert keras.backend.standardize_dtype(out.dtype) == "float32"
        reference = type(layer).from_config({**layer.get_config(), "dtype": "float32"})
        np.testing.assert_array_equal(to_numpy(out), to_numpy(reference(x, training=True)))


@pytest.mark.slow
@pytest.mark.parametrize(
    "policy, augmentation",
    [
        ("float32", lambda: DiffAugment(seed=0)),
        ("mixed_bfloat16", lambda: DiffAugment(seed=0)),
        ("mixed_bfloat16", lambda: ADA(p=0.5, pipeline="bgcc", interval=1, kimg=0.1, seed=0)),
    ],
)
def test_fit_with_every_transform_under_each_policy(policy, augmentation):
    # Every transform inside the compiled step (XLA, tf.function), on RGB images. The
    # controller and float16 are checked by `controller_run` without --run-slow.
    keras.config.set_dtype_policy(policy)
    layer = augmentation()
    gan = kgk.GAN(
        conv_generator(channels=3), conv_discriminator(channels=3), seed=0, augmentation=layer
    )
    gan.compile()
    history = gan.fit(toy_images(16, channels=3), batch_size=8, epochs=1, verbose=0).history
    assert np.isfinite(history["d_loss"][0]) and np.isfinite(history["g_loss"][0])
    if isinstance(layer, ADA):
        # Two adjustments of +-8 / 100 from 0.5, one per batch.
        assert min(abs(history["ada_p"][0] - p) for p in (0.34, 0.5, 0.66)) < 1e-6
        assert variables(layer)["images_seen"] == 16
