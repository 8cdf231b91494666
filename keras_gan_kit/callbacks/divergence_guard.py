"""`DivergenceGuard`: stop a diverged run, keep its last good state, say where it broke."""

from __future__ import annotations

import math

import keras
import numpy as np

from keras_gan_kit.models.batch_monitor import non_finite_logs
from keras_gan_kit.trainers.fit_state import FitStateReader, sync_model_state
from keras_gan_kit.utils.validation import check_positive_int

__all__ = ["DivergenceGuard", "TrainingDivergedError"]


class TrainingDivergedError(RuntimeError):
    """Raised by `DivergenceGuard` when training diverged.

    Attributes:
        epoch: int. The epoch (0-based, as Keras counts) in which it diverged.
        batch: int or None. The batch of that epoch (0-based), when known.
        phase: str or None. The update phase whose loss became non-finite
            first (e.g. `"discriminator"`), when known.
        reason: str. What was seen (`"d_loss=nan"`, a collapsed loss scale,
            non-finite weights).
        restored_epoch: int or None. The number of completed epochs whose
            state the model holds again (0: the state before training), or
            None when nothing was restored.
    """

    def __init__(self, message, epoch, batch, phase, reason, restored_epoch):
        super().__init__(message)
        self.epoch = epoch
        self.batch = batch
        self.phase = phase
        self.reason = reason
        self.restored_epoch = restored_epoch


def _loss_scale_optimizers(model):
    """`(name, LossScaleOptimizer)` pairs of the model's optimizer (or its group members)."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        return []
    members = getattr(optimizer, "members", None)
    if isinstance(members, dict):
        items = list(members.items())
    else:
        items = [(getattr(optimizer, "name", "optimizer"), optimizer)]
    return [(name, o) for name, o in items if isinstance(o, keras.optimizers.LossScaleOptimizer)]


class DivergenceGuard(keras.callbacks.Callback):
    """Stops training that diverged, restores the last good weights and says where it broke.

    After every batch the guard looks at the logged losses (`d_loss`,
    `g_loss`, penalties, ...): a NaN or infinite value means the run has
    diverged. After every epoch it checks that every weight is finite. Under
    the `"mixed_float16"` policy it also watches each network's
    `keras.optimizers.LossScaleOptimizer`: a step whose gradients are not
    finite is skipped and halves the loss scale, so `max_skipped_steps`
    consecutive halvings mean the scale has collapsed and no update is being
    made at all.

    On divergence it restores the state of the end of the last epoch whose
    weights were finite (or the state before training), weights, optimizer
    and seed states alike, and raises `TrainingDivergedError` (a
    `RuntimeError`) naming the epoch, batch and, for `keras_gan_kit` models,
    the update phase whose loss went bad first. The error is raised at once,
    from the batch, so no later callback of that epoch saves the diverged
    state (no checkpoint, backup, `CSVLogger` row or sample grid). Catch it to
    save the restored model.

    Keras' own `keras.callbacks.TerminateOnNaN` also works with
    `keras_gan_kit` models (their `fit()` gives it a `loss` entry when a
    logged value is non-finite), but it neither restores nor explains.

    Args:
        restore: bool. Keep an in-memory copy of the last good state
            (refreshed at the end of every good epoch) and restore it on
            divergence. Defaults to True.
        check_weights: bool. Check that every weight is finite at the end
            of each epoch. Defaults to True.
        max_skipped_steps: int. Under float16 loss scaling, this many
            consecutive skipped steps of one optimizer count as divergence
            (16 halvings take the initial scale 2**15 below 1). Defaults to 16.

    Example:

    ```python
    guard = keras_gan_kit.callbacks.DivergenceGuard()
    try:
        gan.fit(images, epochs=100, callbacks=[guard, checkpoint])
    except keras_gan_kit.callbacks.TrainingDivergedError as error:
        print(error)              # which phase, epoch and batch; what was restored
        gan.save("last_good.keras")
    ```
    """

    def __init__(self, restore: bool = True, check_weights: bool = True, max_skipped_steps=16):
        super().__init__()
        self.restore = bool(restore)
        self.check_weights = bool(check_weights)
        self.max_skipped_steps = check_positive_int(max_skipped_steps, "max_skipped_steps")
        self._snapshot = None
        self._snapshot_epoch = None
        self._epoch = 0
        self._scales = []
        self._reader = None
        self._previous = None
        self._skipped = None

    # ------------------------------------------------------------------ #
    def _variables(self):
        model = self.model
        variables = list(model.variables)
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None:
            seen = {id(v) for v in variables}
            variables += [v for v in optimizer.variables if id(v) not in seen]
        return variables

    def _take_snapshot(self, epoch):
        if self.restore:
            self._snapshot = [np.array(v.numpy(), copy=True) for v in self._variables()]
            self._snapshot_epoch = epoch

    def _phase_of(self, key):
        for phase in getattr(self.model, "_phases", None) or ():
            if key in getattr(phase, "log_names", ()):
                return phase.name
        return None

    def _order(self, key):
        for i, phase in enumerate(getattr(self.model, "_phases", None) or ()):
            if key in getattr(phase, "log_names", ()):
                return i
        return math.inf

    # ------------------------------------------------------------------ #
    def on_train_begin(self, logs=None):
        self._take_snapshot(0)
        self._scales = _loss_scale_optimizers(self.model)
        self._reader = None
        if self._scales:
            self._reader = FitStateReader(self.model, [o.dynamic_scale for _, o in self._scales])
            self._previous = [float(o.dynamic_scale.numpy()) for _, o in self._scales]
            self._skipped = [0] * len(self._scales)

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        if self._snapshot_epoch == 0 and epoch > 0:  # resumed (BackupAndRestore)
            self._snapshot_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        bad = non_finite_logs(logs)
        if len(bad) > 1 and self._phase_of("loss") is None:
            bad.pop("loss", None)  # the marker AdversarialModel.fit() adds for TerminateOnNaN
        if bad:
            key = min(bad, key=self._order)
            phase = self._phase_of(key)
            values = ", ".join(f"{k}={v}" for k, v in bad.items())
            where = f"the {phase} phase's loss" if phase else "the logged loss"
            self._diverged(f"{where} became non-finite ({values})", batch, phase, values)
        if self._reader is not None:
            for i, scale in enumerate(self._reader.read()):
                scale = float(scale)
                self._skipped[i] = self._skipped[i] + 1 if scale < self._previous[i] else 0
                self._previous[i] = scale
                if self._skipped[i] >= self.max_skipped_steps:
                    name = self._scales[i][0]
                    reason = (
                        f"the float16 loss scale of the {name} optimizer collapsed to {scale:g}: "
                        f"{self._skipped[i]} consecutive steps skipped for non-finite gradients"
                    )
                    self._diverged(reason, batch, self._phase_for_optimizer(name), reason)

    def _phase_for_optimizer(self, name):
        for phase in getattr(self.model, "_phases", None) or ():
            if phase.name == name:
                return phase.name
        return None

    def on_epoch_end(self, epoch, logs=None):
        if self.check_weights:
            broken = [
                v.path
                for v in self.model.trainable_variables
                if not np.all(np.isfinite(np.asarray(v.numpy(), dtype="float64")))
            ]
            if broken:
                self._diverged(
                    f"{len(broken)} weight(s) hold NaN or infinite values at the end of the "
                    f"epoch (first: {broken[0]})",
                    None,
                    None,
                    "non-finite weights",
                )
        self._take_snapshot(epoch + 1)

    # ------------------------------------------------------------------ #
    def _diverged(self, reason, batch, phase, short):
        model = self.model
        model.stop_training = True
        sync_model_state(model)  # JAX: the live values, before restoring over them
        restored = None
        if self.restore and self._snapshot is not None:
            for variable, value in zip(self._variables(), self._snapshot):
                variable.assign(value)
            restored = self._snapshot_epoch
        where = (f"batch {batch + 1} of " if batch is not None else "") + f"epoch {self._epoch + 1}"
        message = f"training diverged in {where}: {reason}"
        if restored is not None:
            state = "the state before training" if restored == 0 else f"epoch {restored}"
            message += f"; restored the last good weights ({state})"
        raise TrainingDivergedError(message, self._epoch, batch, phase, short, restored)
