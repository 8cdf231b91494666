"""Phase trainer for the TensorFlow backend (`tf.GradientTape`)."""

from __future__ import annotations

import contextlib

import tensorflow as tf

from keras_gan_kit.trainers.phase import Phase, scaled_loss


class TensorFlowTrainer:
    """Runs update phases with `tf.GradientTape`; jit is Keras' `tf.function`."""

    def __init__(self):
        self._models = []

    def train_step(self, model, args, step_fn):
        """Keras' TF contract: `train_step(data) -> logs`."""
        (data,) = args
        self._models.append(model)
        try:
            return step_fn(data)
        finally:
            self._models.pop()

    @contextlib.contextmanager
    def _discarding_state(self):
        """Restores the model's non-trainable variables on exit (inside a train step).

        `input_gradients`/`vjp` promise that `fn`'s state updates (BatchNorm
        statistics) are dropped, as they are on JAX.
        """
        if not self._models:
            yield
            return
        variables = list(self._models[-1].non_trainable_variables)
        saved = [tf.identity(v.value) for v in variables]
        yield
        for v, value in zip(variables, saved):
            v.assign(value)

    def run_phase(self, phase: Phase, *inputs):
        """Differentiates `phase.loss_fn` and applies `phase.optimizer`."""
        variables = list(phase.variables)
        with tf.GradientTape() as tape:
            loss, logs = phase.loss_fn(*inputs)
            loss = scaled_loss(phase, loss)
        # Variables the loss does not reach get zero gradients, as on JAX.
        grads = tape.gradient(
            loss, [v.value for v in variables], unconnected_gradients=tf.UnconnectedGradients.ZERO
        )
        phase.optimizer.apply(grads, variables)
        return logs

    def run_if(self, predicate, fn):
        """`fn()` under `tf.cond` (a Python `if` when executing eagerly)."""
        if tf.executing_eagerly():
            if bool(predicate):
                fn()
            return

        def run():
            fn()
            return tf.constant(True)

        tf.cond(tf.convert_to_tensor(predicate), run, lambda: tf.constant(False))

    def no_gradient(self):
        """Context without gradient recording (see `trainers.no_gradient`)."""
        return contextlib.nullcontext()

    def vjp(self, fn, x):
        """`fn(x)` under a nested tape; the pullback is recorded by the outer tape."""
        x = tf.stop_gradient(tf.convert_to_tensor(x))
        tape = tf.GradientTape()
        with self._discarding_state(), tape:
            tape.watch(x)
            outputs = fn(x)

        def pullback(cotangent):
            return tape.gradient(
                outputs,
                x,
                output_gradients=tf.cast(cotangent, outputs.dtype),
                unconnected_gradients=tf.UnconnectedGradients.ZERO,
            )

        return outputs, pullback

    def input_gradients(self, fn, x):
        """Input gradient under a nested tape (differentiable by the outer one)."""
        x = tf.stop_gradient(tf.convert_to_tensor(x))
        with self._discarding_state(), tf.GradientTape() as tape:
            tape.watch(x)
            outputs = tf.cast(fn(x), tf.float32)
            total = tf.reduce_sum(outputs)
        # An `fn` that ignores its input (e.g. behind an augmentation that
        # replaces it) has a zero input gradient, as on JAX.
        return outputs, tape.gradient(total, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)
