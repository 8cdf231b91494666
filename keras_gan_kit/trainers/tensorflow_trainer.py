"""Phase trainer for the TensorFlow backend (`tf.GradientTape`)."""

from __future__ import annotations

import contextlib

import tensorflow as tf

from keras_gan_kit.trainers.phase import Phase, scaled_loss
from keras_gan_kit.trainers.stateful_trainer import StatefulTrainer


class TensorFlowTrainer(StatefulTrainer):
    """Runs update phases with `tf.GradientTape`; jit is Keras' `tf.function`."""

    def _copy(self, variable):
        return tf.identity(variable.value)

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
