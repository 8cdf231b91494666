import keras
import numpy as np
import pytest

import keras_gan_kit as kgk
from keras_gan_kit.optimizers import CosineSchedule, LinearSchedule
from tests.test_case import conv_discriminator, conv_generator, small_gan, toy_images, toy_points


def test_ema_follows_closed_form():
    """With a frozen generator w and EMA started at 0: ema = w (1 - beta^k)."""
    gan = small_gan()
    gan.compile(generator_optimizer=keras.optimizers.SGD(0.0))
    half_life, batch, steps = 100.0, 16, 4
    gan.enable_ema(half_life)
    for v in gan.generator_ema.weights:
        v.assign(np.zeros(v.shape, "float32"))
    gan.fit(toy_points(batch * steps), batch_size=batch, epochs=1, shuffle=False, verbose=0)
    beta = 0.5 ** (batch / half_life)
    for average, weight in zip(gan.generator_ema.weights, gan.generator.weights):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(average),
            keras.ops.convert_to_numpy(weight) * (1 - beta**steps),
            rtol=1e-5,
            atol=1e-6,
        )


def test_callback_enables_ema_used_by_generate_and_saved(tmp_path):
    gan = kgk.GAN(conv_generator(), conv_discriminator(), seed=0)
    gan.compile()
    gan.fit(toy_images(32), batch_size=16, epochs=1, verbose=0)  # a step traced without EMA
    gan.fit(
        toy_images(32),
        batch_size=16,
        epochs=2,
        verbose=0,
        callbacks=[kgk.callbacks.GeneratorEMA(half_life_images=50)],
    )
    assert gan.generator_ema is not None and gan.use_ema
    z = gan.sample_latents(4, seed=0)
    ema_out = keras.ops.convert_to_numpy(gan.generator_ema(z, training=False))
    raw_out = keras.ops.convert_to_numpy(gan.generator(z, training=False))
    assert not np.allclose(ema_out, raw_out)  # the average lags the weights
    np.testing.assert_allclose(gan.generate(latents=z), ema_out, atol=1e-6)
    # BatchNorm statistics are copied, not averaged
    bn_ema = [w for w in gan.generator_ema.weights if "moving_mean" in w.path][0]
    bn = [w for w in gan.generator.weights if "moving_mean" in w.path][0]
    # (to float32 rounding: under JAX the copy goes through the compiled step's
    # arithmetic, 2e-7 relative seen in CI; an average lags by whole updates)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(bn_ema), keras.ops.convert_to_numpy(bn), rtol=1e-5, atol=1e-8
    )
    gan.save(tmp_path / "ema.keras")
    loaded = keras.models.load_model(tmp_path / "ema.keras")
    np.testing.assert_allclose(loaded.generate(latents=z), ema_out, atol=1e-6)
    gan.use_ema = False
    np.testing.assert_allclose(gan.generate(latents=z), raw_out, atol=1e-6)


def to_np(x):
    return np.asarray(keras.ops.convert_to_numpy(x), dtype="float64")


def frozen_generator_gan():
    gan = small_gan()
    gan.compile(generator_optimizer=keras.optimizers.SGD(0.0))
    return gan


def zero_ema(gan):
    for v in gan.generator_ema.weights:
        v.assign(np.zeros(v.shape, "float32"))


def assert_ema_is(gan, factor):
    """EMA weights == generator weights * factor (the generator is frozen)."""
    for average, weight in zip(gan.generator_ema.weights, gan.generator.weights):
        np.testing.assert_allclose(
            to_np(average), to_np(weight) * factor, rtol=2e-5, atol=1e-6, err_msg=average.path
        )


def stylegan_beta(batch, images_seen, half_life, rampup=None):
    """stylegan2-ada-pytorch training_loop.py: ema_nimg = min(ema_nimg, cur_nimg * ema_rampup)."""
    if rampup is not None:
        half_life = min(half_life, images_seen * rampup)
    return 0.5 ** (batch / max(half_life, 1e-8))


def cosine(n, a, b, steps):
    return b + (a - b) * 0.5 * (1 + np.cos(np.pi * min(n / steps, 1.0)))


def test_beta_at_a_given_image_count():
    """One step at `images_seen = n` from a zero average: ema = w (1 - beta(n)).

    h(n) = min(cosine(n; 0 -> 400 over 800 images), 0.2 n): the schedule binds at n = 100
    (15.2 < 20) and n = 5000 (400 < 1000), the ramp-up at n = 200 (40 < 58.6).
    """
    gan = frozen_generator_gan()
    gan.enable_ema(CosineSchedule(0, 400, 800), rampup=0.2)
    batch = 16
    for images_seen, h in [(100, cosine(100, 0, 400, 800)), (200, 40.0), (5000, 400.0)]:
        gan.ema_counter.images_seen.assign(images_seen)
        zero_ema(gan)
        gan.fit(toy_points(batch), batch_size=batch, epochs=1, verbose=0)
        assert_ema_is(gan, 1 - 0.5 ** (batch / h))
        assert int(to_np(gan.ema_counter.images_seen)) == images_seen + batch


def test_stylegan_rampup_resumes_exactly_from_a_keras_file(tmp_path):
    """StyleGAN2-ADA's ema_rampup: two steps, save, load, a third; ema = w (1 - b0 b1 b2)."""
    gan = frozen_generator_gan()
    callback = kgk.callbacks.GeneratorEMA(half_life_images=40.0, rampup=1.5)
    gan.enable_ema(40.0, rampup=1.5)  # as the callback will: the step is traced once
    zero_ema(gan)
    x = toy_points(48)
    gan.fit(x[:32], batch_size=16, epochs=1, shuffle=False, verbose=0, callbacks=[callback])
    gan.save(tmp_path / "ema.keras")
    loaded = keras.models.load_model(tmp_path / "ema.keras")
    assert loaded.ema_half_life_images == 40.0 and loaded.ema_rampup == 1.5
    assert int(to_np(loaded.ema_counter.images_seen)) == 32
    loaded.fit(x[32:], batch_size=16, epochs=1, verbose=0, callbacks=[callback])
    # h = min(40, 1.5 n): 0 at n=0 (a copy), 24 at n=16, 40 at n=32
    betas = [stylegan_beta(16, n, 40.0, 1.5) for n in (0, 16, 32)]
    np.testing.assert_allclose(betas, [0.0, 0.5 ** (16 / 24), 0.5 ** (16 / 40)])
    assert_ema_is(loaded, 1 - np.prod(betas))
    assert_ema_is(gan, 1.0)  # the step at n = 0 copied the generator


def test_schedule_is_saved_with_the_model(tmp_path):
    gan = small_gan(ema_half_life_images=LinearSchedule(16.0, 64.0, steps=32), ema_rampup=4.0)
    gan.save(tmp_path / "ema.keras")
    loaded = keras.models.load_model(tmp_path / "ema.keras")
    assert loaded.ema_half_life_images.get_config() == gan.ema_half_life_images.get_config()
    assert loaded.ema_rampup == 4.0


def test_callback_config_round_trip():
    callback = kgk.callbacks.GeneratorEMA(CosineSchedule(0, 5_000_000, 20_000_000), rampup=0.05)
    restored = kgk.callbacks.GeneratorEMA(**callback.get_config())
    assert restored.get_config() == callback.get_config()
    assert type(restored.half_life_images) is CosineSchedule and restored.rampup == 0.05


def test_bad_half_life():
    with pytest.raises(ValueError, match="half_life_images=0"):
        kgk.callbacks.GeneratorEMA(half_life_images=0)
    with pytest.raises(ValueError, match="half_life_images=-1"):
        small_gan().enable_ema(-1)
    with pytest.raises(ValueError, match="rampup=0"):
        kgk.callbacks.GeneratorEMA(rampup=0)
    with pytest.raises(ValueError, match="rampup=-0.1"):
        small_gan().enable_ema(100, rampup=-0.1)
    with pytest.raises(ValueError, match="ema_rampup needs|`ema_rampup` needs"):
        small_gan(ema_rampup=0.05)


def test_callback_refuses_other_models():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="Sequential"):
        kgk.callbacks.GeneratorEMA().set_model(model)
