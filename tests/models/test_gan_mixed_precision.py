import keras
import numpy as np

import keras_gan_kit as kgk
from tests.test_case import max_abs_change, small_gan, toy_points, weights


def test_mixed_bfloat16_trains_with_float32_losses():
    keras.config.set_dtype_policy("mixed_bfloat16")
    gan = small_gan()
    gan.compile(loss="hinge", penalties=[kgk.losses.R1Penalty(gamma=1.0)])
    assert not isinstance(gan.discriminator_optimizer, keras.optimizers.LossScaleOptimizer)
    g0 = weights(gan.generator)
    history = gan.fit(toy_points(64), batch_size=32, epochs=1, verbose=0)
    assert all(np.isfinite(v[0]) for v in history.history.values())
    assert max_abs_change(g0, weights(gan.generator)) > 0
    assert keras.backend.standardize_dtype(gan(gan.sample_latents(2)).dtype) == "bfloat16"
    assert gan.generate(2).dtype == np.float32


def test_mixed_float16_scales_each_network_separately():
    keras.config.set_dtype_policy("mixed_float16")
    gan = small_gan()
    gan.compile()
    d_opt, g_opt = gan.discriminator_optimizer, gan.generator_optimizer
    assert isinstance(d_opt, keras.optimizers.LossScaleOptimizer)
    assert isinstance(g_opt, keras.optimizers.LossScaleOptimizer)
    assert d_opt is not g_opt
    history = gan.fit(toy_points(64), batch_size=32, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][0]) and np.isfinite(history.history["g_loss"][0])


def test_mixed_float16_overflow_skips_the_step_instead_of_nans():
    keras.config.set_dtype_policy("mixed_float16")
    gan = small_gan()
    gan.compile()
    d_opt, g_opt = gan.discriminator_optimizer, gan.generator_optimizer
    # Force an overflow in the discriminator's scaled gradients only.
    d_opt.dynamic_scale.assign(3e38)
    g_scale = float(keras.ops.convert_to_numpy(g_opt.dynamic_scale))
    d0, g0 = weights(gan.discriminator), weights(gan.generator)
    history = gan.fit(toy_points(32), batch_size=32, epochs=1, verbose=0)
    # D's step was skipped and its scale halved: no NaN reached the weights.
    assert max_abs_change(d0, weights(gan.discriminator)) == 0.0
    np.testing.assert_allclose(
        float(keras.ops.convert_to_numpy(d_opt.dynamic_scale)), 1.5e38, rtol=1e-6
    )
    assert int(keras.ops.convert_to_numpy(d_opt.inner_optimizer.iterations)) == 0
    # G has its own scaler: its step went through.
    assert max_abs_change(g0, weights(gan.generator)) > 0
    assert all(np.all(np.isfinite(w)) for w in weights(gan.generator))
    assert float(keras.ops.convert_to_numpy(g_opt.dynamic_scale)) == g_scale
    assert np.isfinite(history.history["d_loss"][0])
