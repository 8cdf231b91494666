"""The divergence guard (issue 13, item 1).

Before: `TerminateOnNaN` never fired on a GAN (it reads `logs["loss"]`, a GAN logs `d_loss`
and `g_loss`), a diverged run trained on to NaN weights, float16 runs whose loss scale
collapsed skipped every step silently, and sample grids were written from NaN images.
"""

import warnings

import keras
import numpy as np
import pytest

import keras_gan_kit as kgk
from keras_gan_kit.callbacks import DivergenceGuard, TrainingDivergedError
from keras_gan_kit.utils import make_image_grid
from tests.test_case import mlp_discriminator, mlp_generator, weights


def points(n=64, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 2)).astype("float32")


def linear(inputs, outputs):
    return keras.Sequential([keras.Input((inputs,)), keras.layers.Dense(outputs)])


@pytest.fixture(scope="module")
def exploding_gan():
    """Linear networks, SGD with a learning rate of 1e9: the losses overflow within a few steps.

    (No ReLU: dead units could hide the overflow from the losses on some backends.)
    """
    gan = kgk.GAN(linear(4, 2), linear(2, 1), seed=0)
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(1e9),
        discriminator_optimizer=keras.optimizers.SGD(1e9),
    )
    return gan


def test_guard_stops_names_the_phase_and_restores_the_initial_state(exploding_gan):
    gan = exploding_gan
    before = weights(gan)
    with pytest.raises(TrainingDivergedError) as info:
        gan.fit(points(), batch_size=8, epochs=3, verbose=0, callbacks=[DivergenceGuard()])
    error = info.value
    assert error.phase in ("discriminator", "generator") and error.epoch == 0
    assert f"the {error.phase} phase's loss became non-finite" in str(error)
    assert f"batch {error.batch + 1} of epoch 1" in str(error)
    assert error.restored_epoch == 0 and "the state before training" in str(error)
    for a, b in zip(before, weights(gan)):
        np.testing.assert_array_equal(a, b)
    assert np.all(np.isfinite(gan.generate(4)))


def test_terminate_on_nan_works_on_a_gan(exploding_gan):
    with pytest.raises(RuntimeError, match="NaN or Inf loss"):
        exploding_gan.fit(
            points(),
            batch_size=8,
            epochs=3,
            verbose=0,
            callbacks=[keras.callbacks.TerminateOnNaN(raise_error=True)],
        )


class _PoisonAtEpochEnd(keras.callbacks.Callback):
    """Writes NaN into one weight at the end of epoch `epoch` (a kill-free corruption)."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch
        self.saved = None

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch - 1:
            self.saved = [np.array(v.numpy()) for v in self.model.trainable_variables]
        if epoch == self.epoch:
            variable = self.model.generator.trainable_variables[0]
            variable.assign(np.full(variable.shape, np.nan, "float32"))


def test_non_finite_weights_at_epoch_end_restore_the_previous_epoch():
    gan = kgk.GAN(mlp_generator(), mlp_discriminator(), seed=0)
    gan.compile()
    poison = _PoisonAtEpochEnd(epoch=1)
    with pytest.raises(TrainingDivergedError, match="weight.* NaN or infinite .*epoch 1\\)"):
        gan.fit(points(), batch_size=16, epochs=3, verbose=0, callbacks=[poison, DivergenceGuard()])
    for a, v in zip(poison.saved, gan.trainable_variables):
        np.testing.assert_array_equal(a, v.numpy())


def test_float16_loss_scale_collapse_is_divergence():
    """Gradients 1000x larger than the logits overflow float16 at every loss scale > 64."""
    keras.config.set_dtype_policy("mixed_float16")
    discriminator = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(1), keras.layers.Rescaling(1e3)]
    )
    gan = kgk.GAN(mlp_generator(), discriminator, seed=0)
    gan.compile(
        generator_optimizer=keras.optimizers.SGD(1e-3),
        discriminator_optimizer=keras.optimizers.SGD(1e-3),
    )
    before = weights(gan)
    with pytest.raises(TrainingDivergedError, match="loss scale of the discriminator optimizer"):
        gan.fit(
            points(),
            batch_size=8,
            epochs=1,
            verbose=0,
            callbacks=[DivergenceGuard(max_skipped_steps=3)],
        )
    for a, b in zip(before, weights(gan)):
        np.testing.assert_array_equal(a, b)


def test_guard_arguments_are_checked():
    with pytest.raises(ValueError, match="max_skipped_steps"):
        DivergenceGuard(max_skipped_steps=0)


def test_grids_of_non_finite_images_warn():
    images = np.zeros((4, 2, 2, 1), "float32")
    images[1, 0, 0, 0] = np.nan
    with pytest.warns(RuntimeWarning, match="1 of the 4 images hold NaN"):
        grid = make_image_grid(images)
    assert grid.dtype == np.uint8
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_image_grid(np.zeros((4, 2, 2, 1), "float32"))
