"""Reading a model's variables from a callback while `fit` runs, on every backend.

On TensorFlow and PyTorch a variable always holds its current value. Keras'
JAX trainer instead threads the values through the jitted step as a state
tuple and detaches ("purges") the model's variables until the end of the
epoch; the current values sit in `model._jax_state` ("setting _jax_state
enables callbacks to force a state sync if they need to", keras' JAX
trainer). `FitStateReader` reads a few variables from there without the full
`jax_state_sync()` (which assigns every variable, a cost Keras avoids on
every step), and `sync_model_state` does that full sync when a callback
needs the live model (to save or restore it).

This is the only module outside the backend trainers that knows about
Keras' JAX fit loop; it imports no backend.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FitStateReader", "sync_model_state"]

# Keras' JAX state groups, in the order of its `train_step(state, data)` state tuple.
_GROUPS = (
    ("trainable_variables", lambda m: m.trainable_variables),
    ("non_trainable_variables", lambda m: m.non_trainable_variables),
    ("optimizer_variables", lambda m: m.optimizer.variables if m.optimizer else []),
    ("metrics_variables", lambda m: m.metrics_variables),
)


def sync_model_state(model) -> None:
    """Writes the values `fit` holds outside the model back into its variables.

    A no-op on TensorFlow and PyTorch, and on JAX outside `fit` or when
    already synced.

    Args:
        model: `keras.Model`. The model being trained.
    """
    sync = getattr(model, "jax_state_sync", None)
    if callable(sync):
        sync()


class FitStateReader:
    """Reads the current values of some of a model's variables, also inside a JAX `fit`.

    The positions of the variables in Keras' JAX state are looked up once,
    so a read per batch costs one device-to-host copy per variable.

    Args:
        model: `keras.Model`. The model being trained.
        variables: list of `keras.Variable`. Variables of `model` (its own,
            its layers', its optimizer's or its metrics').

    Example:

    ```python
    reader = FitStateReader(model, [model.optimizer.iterations])
    (iterations,) = reader.read()   # in on_train_batch_end, on any backend
    ```
    """

    def __init__(self, model, variables):
        self.model = model
        self.variables = list(variables)
        wanted = {id(v): i for i, v in enumerate(self.variables)}
        self._locations = [None] * len(self.variables)
        for group, members in _GROUPS:
            try:
                listed = members(model)
            except AttributeError:
                continue
            for position, v in enumerate(listed):
                index = wanted.get(id(v))
                if index is not None and self._locations[index] is None:
                    self._locations[index] = (group, position)

    def read(self) -> list:
        """The variables' current values, as NumPy arrays, in the order given."""
        state = getattr(self.model, "_jax_state", None)
        unsynced = bool(state) and not getattr(self.model, "_jax_state_synced", True)
        values = []
        for variable, location in zip(self.variables, self._locations):
            if unsynced and location is not None and state.get(location[0]):
                values.append(np.asarray(state[location[0]][location[1]]))
            else:
                values.append(np.asarray(variable.numpy()))
        return values
