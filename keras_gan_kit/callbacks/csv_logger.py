"""`CSVLogger`: Keras' `CSVLogger` without the empty `val_*` columns."""

from __future__ import annotations

import keras

__all__ = ["CSVLogger"]


class CSVLogger(keras.callbacks.CSVLogger):
    """Streams the epoch logs to a CSV file, one column per logged key, no empty `val_*`.

    `keras.callbacks.CSVLogger` takes its columns from the first epoch's logs
    and, when these hold no `val_*` key, adds an empty `val_<key>` column for
    every key (in case validation starts in a later epoch,
    `validation_freq > 1`), so a GAN's `history.csv` carries empty
    `val_d_loss` and `val_g_loss` columns (keras-team/keras#21173). The
    models of this package refuse validation data, so here the columns are
    exactly the keys of the first epoch's logs: `val_*` columns exist only
    when validation ran in the first epoch. Everything else is Keras'
    callback (`separator`, `append`, the file format).

    As in Keras' callback, a key that first appears after the first epoch
    gets no column: put `FIDMonitor` before this callback and evaluate from
    the first epoch (`every_n_epochs=1`), or read `History`. For a Keras
    model validated every few epochs (`validation_freq > 1`) use Keras' own
    `CSVLogger`.

    Args:
        filename: str. The CSV file, e.g. `"runs/x/history.csv"`.
        separator: str. The separator of the columns. Defaults to `","`.
        append: bool. Append to an existing file (when continuing
            training) instead of overwriting it. Defaults to False.

    Example:

    ```python
    logger = kgk.callbacks.CSVLogger("history.csv")
    gan.fit(images, epochs=2, callbacks=[logger])  # history.csv: epoch,d_loss,g_loss
    ```
    """

    def __init__(self, filename, separator: str = ",", append: bool = False):
        super().__init__(filename, separator=separator, append=append)

    def on_epoch_end(self, epoch, logs=None):
        if self.keys is None:
            self.keys = sorted((logs or {}).keys())
        super().on_epoch_end(epoch, logs)
