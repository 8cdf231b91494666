import keras
import numpy as np
import pytest

import keras_gan_kit as kgk
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
    np.testing.assert_allclose(keras.ops.convert_to_numpy(bn_ema), keras.ops.convert_to_numpy(bn))
    gan.save(tmp_path / "ema.keras")
    loaded = keras.models.load_model(tmp_path / "ema.keras")
    np.testing.assert_allclose(loaded.generate(latents=z), ema_out, atol=1e-6)
    gan.use_ema = False
    np.testing.assert_allclose(gan.generate(latents=z), raw_out, atol=1e-6)


def test_bad_half_life():
    with pytest.raises(ValueError, match="half_life_images=0"):
        kgk.callbacks.GeneratorEMA(half_life_images=0)
    with pytest.raises(ValueError, match="half_life_images=-1"):
        small_gan().enable_ema(-1)


def test_callback_refuses_other_models():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="Sequential"):
        kgk.callbacks.GeneratorEMA().set_model(model)
