import csv

import keras
import numpy as np

import keras_gan_kit as kgk


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_gan_logs_give_only_their_own_columns(tmp_path):
    path = tmp_path / "history.csv"
    logger = kgk.callbacks.CSVLogger(path)
    logger.on_train_begin()
    logger.on_epoch_end(0, {"g_loss": 0.5, "d_loss": 1.5})  # what GAN.fit logs per epoch
    logger.on_epoch_end(1, {"g_loss": 0.75, "d_loss": 1.25})
    logger.on_train_end()
    # keras.callbacks.CSVLogger would add empty val_d_loss and val_g_loss columns here
    assert path.read_text().splitlines() == ["epoch,d_loss,g_loss", "0,1.5,0.5", "1,1.25,0.75"]


def test_validation_columns_when_validation_ran(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x, y = np.ones((8, 3), "float32"), np.zeros((8, 1), "float32")
    path = tmp_path / "history.csv"
    history = model.fit(
        x, y, validation_data=(x, y), epochs=2, verbose=0, callbacks=[kgk.callbacks.CSVLogger(path)]
    )
    rows = read(path)
    assert list(rows[0]) == ["epoch", "loss", "val_loss"]
    np.testing.assert_allclose([float(r["val_loss"]) for r in rows], history.history["val_loss"])
