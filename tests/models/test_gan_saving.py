import keras
import numpy as np
import pytest

import keras_gan_kit as kgk
from tests.test_case import max_abs_change, small_gan, toy_points, weights


def optimizer_state(gan):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in gan.optimizer.variables]


def trained_gan():
    gan = small_gan(seed=5)
    gan.compile(
        loss="hinge",
        penalties=[kgk.losses.GradientPenalty(weight=5.0)],
        generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0),
    )
    gan.fit(toy_points(64), batch_size=16, epochs=1, shuffle=False, verbose=0)
    return gan


def test_save_load_generates_identical_samples_and_keeps_optimizer_state(tmp_path):
    gan = trained_gan()
    path = tmp_path / "gan.keras"
    gan.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, kgk.GAN)
    z = gan.sample_latents(8, seed=0)
    np.testing.assert_array_equal(loaded.generate(latents=z), gan.generate(latents=z))
    assert type(loaded.adversarial_loss) is kgk.losses.HingeLoss
    assert loaded.penalties[0].weight == 5.0
    assert loaded.generator_optimizer.beta_1 == 0.0
    assert int(keras.ops.convert_to_numpy(loaded.optimizer.iterations)) == 4
    for a, b in zip(optimizer_state(gan), optimizer_state(loaded), strict=True):
        np.testing.assert_array_equal(a, b)


def test_resumed_training_matches_uninterrupted_training(tmp_path):
    gan = trained_gan()
    gan.save(tmp_path / "gan.keras")
    loaded = keras.models.load_model(tmp_path / "gan.keras")
    for model in (gan, loaded):
        model.fit(toy_points(64), batch_size=16, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(weights(gan), weights(loaded), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for a, b in zip(optimizer_state(gan), optimizer_state(loaded), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


class StopAfterEpoch(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch
        self.weights = None

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            self.weights = weights(self.model)
            raise RuntimeError("interrupted")


class RecordStart(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.weights = weights(self.model)


def test_backup_and_restore_resumes_after_interruption(tmp_path):
    x = toy_points(64)
    gan = small_gan(seed=1)
    gan.compile()
    stop = StopAfterEpoch(1)
    backup = keras.callbacks.BackupAndRestore(str(tmp_path / "backup"))
    with pytest.raises(RuntimeError, match="interrupted"):
        gan.fit(x, batch_size=16, epochs=4, callbacks=[backup, stop], verbose=0)

    keras.utils.set_random_seed(99)  # a different initialisation
    fresh = small_gan(seed=1)
    fresh.compile()
    start = RecordStart()
    history = fresh.fit(
        x,
        batch_size=16,
        epochs=4,
        verbose=0,
        callbacks=[keras.callbacks.BackupAndRestore(str(tmp_path / "backup")), start],
    )
    assert len(history.history["d_loss"]) == 2  # epochs 3 and 4 only
    assert max_abs_change(stop.weights, start.weights) == 0.0
    assert int(keras.ops.convert_to_numpy(fresh.optimizer.iterations)) == 16


def test_model_checkpoint_writes_loadable_models(tmp_path):
    gan = small_gan()
    gan.compile()
    gan.fit(
        toy_points(64),
        batch_size=32,
        epochs=2,
        verbose=0,
        callbacks=[keras.callbacks.ModelCheckpoint(str(tmp_path / "gan_{epoch}.keras"))],
    )
    assert (tmp_path / "gan_1.keras").exists()
    last = keras.models.load_model(tmp_path / "gan_2.keras")
    z = gan.sample_latents(4, seed=2)
    np.testing.assert_array_equal(last.generate(latents=z), gan.generate(latents=z))
    first = keras.models.load_model(tmp_path / "gan_1.keras")
    assert not np.allclose(first.generate(latents=z), gan.generate(latents=z))


def test_gan_config_round_trip():
    gan = small_gan(seed=4)
    restored = kgk.GAN.from_config(gan.get_config())
    assert restored.latent_shape == gan.latent_shape
    assert restored.seed == 4
    assert restored.sample_shape == gan.sample_shape
