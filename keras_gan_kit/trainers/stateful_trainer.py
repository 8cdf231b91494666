"""What the TensorFlow and PyTorch trainers share: Keras' `train_step(data) -> logs`."""

from __future__ import annotations

import contextlib


class StatefulTrainer:
    """Base of the trainers whose variables hold their values during the step.

    TensorFlow and PyTorch call `train_step(data) -> logs` and let the step
    read and assign variables directly (JAX's pure step is different). The
    model of the running step is kept so that `input_gradients` and `vjp`
    can drop the state updates of the function they differentiate, as JAX
    does by construction. Subclasses say how a value is copied and restored.
    """

    def __init__(self):
        self._models = []

    def train_step(self, model, args, step_fn):
        """Keras' TensorFlow/PyTorch contract: `train_step(data) -> logs`."""
        (data,) = args
        self._models.append(model)
        try:
            return step_fn(data)
        finally:
            self._models.pop()

    def _copy(self, variable):
        raise NotImplementedError

    def _restore(self, variable, value):
        variable.assign(value)

    @contextlib.contextmanager
    def _discarding_state(self):
        """Restores the model's non-trainable variables on exit (inside a train step)."""
        if not self._models:
            yield
            return
        variables = list(self._models[-1].non_trainable_variables)
        saved = [self._copy(v) for v in variables]
        yield
        for v, value in zip(variables, saved):
            self._restore(v, value)
