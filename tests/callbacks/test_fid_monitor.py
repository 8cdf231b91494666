import os

import keras
import numpy as np
import pytest

from keras_gan_kit.callbacks.fid_monitor import FIDMonitor
from keras_gan_kit.metrics import FeatureStatistics, fid_from_features, kid_from_features
from tests.test_case import BACKEND, small_gan, toy_points


def identity(x):
    return x


def fit(gan, callbacks, epochs=2):
    gan.compile(loss="hinge")
    return gan.fit(toy_points(128), batch_size=64, epochs=epochs, verbose=0, callbacks=callbacks)


def test_logs_fid_equal_to_recomputed_value():
    gan = small_gan()
    real = toy_points(200, seed=1)
    monitor = FIDMonitor(real, num_samples=300, feature_extractor=identity, verbose=0, seed=3)
    history = fit(gan, [monitor])
    assert len(history.history["fid"]) == 2
    fake = gan.generate(latents=gan.sample_latents(300, seed=3))
    expected = fid_from_features(real, fake)
    assert history.history["fid"][-1] == pytest.approx(expected, rel=1e-5)
    assert monitor.last_value == history.history["fid"][-1]
    assert monitor.last_seconds > 0
    assert [epoch for epoch, _ in monitor.history] == [0, 1]
    # An untrained generator is far from the data: the value is informative.
    assert expected > 1e-3


def test_kid_and_reference_statistics_file(tmp_path):
    real = toy_points(200, seed=1)
    path = FeatureStatistics.from_features(real).save(tmp_path / "ref.npz")
    gan = small_gan()
    by_file = FIDMonitor(
        reference_statistics=path, num_samples=200, feature_extractor=identity, verbose=0
    )
    with_kid = FIDMonitor(
        real,
        num_samples=200,
        feature_extractor=identity,
        compute_kid=True,
        kid_subset_size=100,
        name="fid200",
        verbose=0,
    )
    history = fit(gan, [by_file, with_kid], epochs=1)
    assert history.history["fid"] == pytest.approx(history.history["fid200"], rel=1e-6)
    fake = gan.generate(latents=gan.sample_latents(200, seed=0))
    kid, _ = kid_from_features(real, fake, subset_size=100, seed=0)
    assert history.history["kid"][-1] == pytest.approx(kid, rel=1e-5)


def test_composes_with_model_checkpoint_and_early_stopping(tmp_path):
    gan = small_gan()
    monitor = FIDMonitor(
        toy_points(200, seed=1), num_samples=200, feature_extractor=identity, verbose=0
    )
    path = os.path.join(tmp_path, "best.weights.h5")
    checkpoint = keras.callbacks.ModelCheckpoint(
        path, monitor="fid", mode="min", save_best_only=True, save_weights_only=True
    )
    stopping = keras.callbacks.EarlyStopping(monitor="fid", mode="min", patience=10)
    csv = keras.callbacks.CSVLogger(os.path.join(tmp_path, "log.csv"))
    fit(gan, [monitor, checkpoint, stopping, csv], epochs=2)
    assert os.path.exists(path)
    assert checkpoint.best == pytest.approx(min(v for _, v in monitor.history))
    with open(os.path.join(tmp_path, "log.csv")) as f:
        assert "fid" in f.readline()


def test_order_matters_checkpoint_before_monitor_sees_nothing(tmp_path):
    gan = small_gan()
    monitor = FIDMonitor(
        toy_points(200, seed=1), num_samples=200, feature_extractor=identity, verbose=0
    )
    path = os.path.join(tmp_path, "best.weights.h5")
    checkpoint = keras.callbacks.ModelCheckpoint(
        path, monitor="fid", mode="min", save_best_only=True, save_weights_only=True
    )
    best_before = checkpoint.best
    with pytest.warns(UserWarning, match="fid"):
        fit(gan, [checkpoint, monitor], epochs=1)
    # The checkpoint never saw a value (Keras 3 then saves unconditionally).
    assert checkpoint.best == best_before
    assert monitor.history


def test_every_n_epochs_and_uses_ema(capsys):
    gan = small_gan(ema_half_life_images=64.0)
    monitor = FIDMonitor(
        toy_points(200, seed=1), num_samples=100, every_n_epochs=2, feature_extractor=identity
    )
    history = fit(gan, [monitor], epochs=3)
    # Epochs 2 and 3 (the last) are evaluated; epoch 1 is not.
    assert [epoch for epoch, _ in monitor.history] == [1, 2]
    assert "fid" in history.history and len(history.history["fid"]) == 2
    out = capsys.readouterr().out
    assert "Epoch 2: fid" in out and "100 samples" in out
    fake_ema = gan.generate(latents=gan.sample_latents(100, seed=0))
    assert monitor.last_value == pytest.approx(
        fid_from_features(toy_points(200, seed=1), fake_ema), rel=1e-5
    )
    gan.use_ema = False
    fake_raw = gan.generate(latents=gan.sample_latents(100, seed=0))
    assert not np.allclose(fake_raw, fake_ema)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({}, "exactly one of `real_images` and `reference_statistics`"),
        ({"real_images": np.zeros((4, 2)), "num_samples": 1}, "num_samples=1"),
        ({"real_images": np.zeros((4, 2)), "every_n_epochs": 0}, "every_n_epochs=0"),
        ({"real_images": np.zeros((4, 2)), "feature_extractor": 3}, "feature_extractor=3"),
        ({"reference_statistics": 3}, "reference_statistics of type int"),
        (
            {"reference_statistics": FeatureStatistics(), "compute_kid": True},
            "needs `real_images`",
        ),
    ],
)
def test_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FIDMonitor(**kwargs)


def test_backend_is_exercised():
    # The suite runs under each KERAS_BACKEND; this records which one ran.
    assert BACKEND in ("tensorflow", "jax", "torch")


def test_inception_default_uses_the_loaded_weights_and_protocol(monkeypatch, capsys):
    from keras_gan_kit.metrics import FIDInceptionV3

    def load_pretrained(*args, **kwargs):  # the smallest FID Inception, zero weights
        model = FIDInceptionV3(input_shape=(75, 75, 3), kernel_initializer="zeros")
        model.weights_source = "TF FID Inception 2015-12-05 from a test file"
        return model

    monkeypatch.setattr(FIDInceptionV3, "load_pretrained", staticmethod(load_pretrained))
    monitor = FIDMonitor(reference_statistics=FeatureStatistics(), num_samples=4)
    extractor = monitor._get_extractor()
    assert "from a test file" in capsys.readouterr().out
    assert monitor.description.endswith("protocol tf")
    assert extractor.quantize and extractor.resize_method == "tf1_bilinear"
    assert extractor.model_value_range == (-1.0, 255 / 128 - 1)
    other = FIDMonitor(
        reference_statistics=FeatureStatistics(), protocol="pytorch-fid", verbose=0
    )._get_extractor()
    assert not other.quantize and other.resize_method == "bilinear"
    with pytest.raises(ValueError, match="protocol"):
        FIDMonitor(reference_statistics=FeatureStatistics(), protocol="clean-fid")
