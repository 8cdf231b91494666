"""The callback every `AdversarialModel.fit()` runs first: bad batches and NaN logs."""

from __future__ import annotations

import math

import keras

from keras_gan_kit.trainers.fit_state import FitStateReader

__all__ = ["BatchMonitor"]


def non_finite_logs(logs) -> dict:
    """The entries of `logs` that are numbers and NaN or infinite."""
    found = {}
    for key, value in (logs or {}).items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if not math.isfinite(number):
            found[key] = number
    return found


class BatchMonitor(keras.callbacks.Callback):
    """Raises the step's batch check after each batch; gives `TerminateOnNaN` its `loss`.

    `AdversarialModel.fit()` puts this callback first in the list. After
    every batch it

    - reads the model's `batch_status` (written inside the step by
      `AdversarialModel.batch_problems`; the batch made no update) and raises
      a `ValueError` naming the batch, the epoch and the problem;
    - adds `logs["loss"]` when a logged value is NaN or infinite (and the
      model logs no `loss` of its own), so that
      `keras.callbacks.TerminateOnNaN`, which reads only `loss`, fires.
    """

    def __init__(self):
        super().__init__()
        self._reader = None
        self._epoch = 0
        self._epoch_start = 0

    def on_train_begin(self, logs=None):
        self._reader = FitStateReader(self.model, [self.model.batch_status])

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        self._epoch_start = int(self.model.optimizer.iterations.numpy())

    def on_train_batch_end(self, batch, logs=None):
        model = self.model
        if model.check_batches and self._reader is not None:
            code, step = (int(v) for v in self._reader.read()[0])
            if code:
                raise ValueError(
                    f"{type(model).__name__}.fit(): batch {step - self._epoch_start + 1} of epoch "
                    f"{self._epoch + 1} (training step {step}) "
                    f"{model.describe_batch_problem(code)}. Training stopped without an update "
                    "from it: the weights are those after the previous batch. Fix or drop "
                    "these samples (compile(check_batches=False) turns the check off)."
                )
        if logs is not None and "loss" not in logs:
            bad = non_finite_logs(logs)
            if bad:
                logs["loss"] = next(iter(bad.values()))
