"""Phase trainer for the JAX backend: pure, jit-compiled, stateless.

Keras' JAX trainer calls `train_step(state, data)` with the values of every
variable and purges the variables themselves. This trainer opens one
`keras.StatelessScope` that maps every variable to its value ("pretend
everything is stateful", keras-team/keras#18881), so the model's step can be
written once in `keras.ops` and may read and assign variables as usual. Each
phase is differentiated with `jax.grad` with respect to its own variables only
and applied with its own optimizer's `stateless_apply`, on that optimizer's
slice of the optimizer state.
"""

from __future__ import annotations

import contextlib

import jax
import jax.numpy as jnp
import keras

from keras_gan_kit.trainers.phase import Phase, scaled_loss


class JaxTrainer:
    """Runs update phases inside Keras' pure JAX `train_step(state, data)`."""

    def __init__(self):
        self._variables = None
        self._non_trainable = None
        self._scopes = []

    def train_step(self, model, args, step_fn):
        """Keras' JAX contract: `train_step(state, data) -> (logs, state)`."""
        state, data = args
        trainable, non_trainable, optimizer_values, metrics_values = state
        groups = (
            list(model.trainable_variables),
            list(model.non_trainable_variables),
            list(model.optimizer.variables),
            list(model.metrics_variables),
        )
        values = (trainable, non_trainable, optimizer_values, metrics_values)
        mapping = [
            (v, value)
            for group, group_values in zip(groups, values)
            for v, value in zip(group, group_values)
        ]
        self._variables = [v for group in groups for v in group]
        self._non_trainable = groups[1]
        with keras.StatelessScope(state_mapping=mapping) as scope:
            self._scopes.append(scope)
            try:
                logs = step_fn(data)
            finally:
                self._scopes.pop()
        new_state = tuple([scope.get_current_value(v) for v in group] for group in groups)
        return logs, new_state

    def run_phase(self, phase: Phase, *inputs):
        """`jax.grad` of the phase's loss w.r.t. its variables, then `stateless_apply`."""
        outer = self._scopes[-1]
        phase_vars = list(phase.variables)
        phase_ids = {id(v) for v in phase_vars}
        others = [v for v in self._variables if id(v) not in phase_ids]
        other_values = [outer.get_current_value(v) for v in others]
        non_trainable = self._non_trainable

        def loss_and_updates(phase_values):
            mapping = list(zip(phase_vars, phase_values)) + list(zip(others, other_values))
            with keras.StatelessScope(state_mapping=mapping) as inner:
                self._scopes.append(inner)
                try:
                    loss, logs = phase.loss_fn(*inputs)
                    loss = scaled_loss(phase, loss)
                finally:
                    self._scopes.pop()
            updates = [inner.get_current_value(v) for v in non_trainable]
            return loss, (logs, updates)

        phase_values = [outer.get_current_value(v) for v in phase_vars]
        grads, (logs, updates) = jax.grad(loss_and_updates, has_aux=True)(phase_values)
        for v, value in zip(non_trainable, updates):
            v.assign(value)  # recorded in the outer scope

        optimizer = phase.optimizer
        optimizer_vars = list(optimizer.variables)
        optimizer_values = [outer.get_current_value(v) for v in optimizer_vars]
        new_values, new_optimizer_values = optimizer.stateless_apply(
            optimizer_values, grads, phase_values
        )
        for v, value in zip(phase_vars, new_values):
            v.assign(value)
        for v, value in zip(optimizer_vars, new_optimizer_values):
            v.assign(value)
        return logs

    def num_replicas(self):
        """Always 1: under `keras.distribution` the jitted step sees the global batch."""
        return 1

    def replica_id(self):
        """Always 0 (see `num_replicas`)."""
        return 0

    def run_if(self, predicate, fn):
        """`jax.lax.cond` over the values of every variable of the step.

        The branch that runs `fn` opens a scope mapping every variable to its
        current value and returns the values `fn` leaves; the other branch
        returns them unchanged. The results are assigned in the outer scope.
        """
        if not self._scopes:  # outside a train step: run eagerly
            if bool(predicate):
                fn()
            return
        outer = self._scopes[-1]
        variables = self._variables
        values = [outer.get_current_value(v) for v in variables]

        def run(current):
            with keras.StatelessScope(state_mapping=list(zip(variables, current))) as scope:
                self._scopes.append(scope)
                try:
                    fn()
                finally:
                    self._scopes.pop()
            return [
                jnp.asarray(scope.get_current_value(v), dtype=jnp.asarray(old).dtype)
                for v, old in zip(variables, current)
            ]

        new_values = jax.lax.cond(
            jnp.asarray(predicate, dtype=bool), run, lambda current: list(current), values
        )
        for v, value in zip(variables, new_values):
            v.assign(value)

    def no_gradient(self):
        """Context without gradient recording (see `trainers.no_gradient`)."""
        return contextlib.nullcontext()

    def vjp(self, fn, x):
        """`jax.vjp` of `fn` in a scope of its own (state updates dropped), as `input_gradients`."""
        x = jax.lax.stop_gradient(jnp.asarray(x))
        mapping = self._current_mapping()

        def wrapped(inputs):
            if mapping is None:
                return jnp.asarray(fn(inputs))
            with keras.StatelessScope(state_mapping=mapping):
                return jnp.asarray(fn(inputs))

        outputs, pullback = jax.vjp(wrapped, x)

        def pull(cotangent):
            return pullback(jnp.asarray(cotangent, dtype=outputs.dtype))[0]

        return outputs, pull

    def _current_mapping(self):
        """Every variable of the step mapped to its current value (None outside a step)."""
        base = self._scopes[-1] if self._scopes else None
        if base is None:
            return None
        return [(v, base.get_current_value(v)) for v in self._variables]

    def input_gradients(self, fn, x):
        """`jax.grad` w.r.t. the input, nested inside the phase's `jax.grad`.

        `fn` runs in a scope of its own that starts from the current values of
        every variable and whose state updates are dropped, so no inner tracer
        leaks into the phase's state.
        """
        x = jax.lax.stop_gradient(jnp.asarray(x))
        mapping = self._current_mapping()

        def total(inputs):
            if mapping is None:
                outputs = fn(inputs)
            else:
                with keras.StatelessScope(state_mapping=mapping):
                    outputs = fn(inputs)
            outputs = jnp.asarray(outputs, dtype=jnp.float32)
            return jnp.sum(outputs), outputs

        grads, outputs = jax.grad(total, has_aux=True)(x)
        return outputs, grads
