"""Phase trainer for the TensorFlow backend (`tf.GradientTape`)."""

from __future__ import annotations

import contextlib

import tensorflow as tf

from keras_gan_kit.trainers.phase import Phase, scaled_loss


class TensorFlowTrainer:
    """Runs update phases with `tf.GradientTape`; jit is Keras' `tf.function`."""

    def train_step(self, model, args, step_fn):
        """Keras' TF contract: `train_step(data) -> logs`."""
        (data,) = args
        return step_fn(data)

    def run_phase(self, phase: Phase, *inputs):
        """Differentiates `phase.loss_fn` and applies `phase.optimizer`."""
        variables = list(phase.variables)
        with tf.GradientTape() as tape:
            loss, logs = phase.loss_fn(*inputs)
            loss = scaled_loss(phase, loss)
        grads = tape.gradient(loss, variables)
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
        with tape:
            tape.watch(x)
            outputs = fn(x)

        def pullback(cotangent):
            return tape.gradient(outputs, x, output_gradients=tf.cast(cotangent, outputs.dtype))

        return outputs, pullback

    def input_gradients(self, fn, x):
        """Input gradient under a nested tape (differentiable by the outer one)."""
        x = tf.stop_gradient(tf.convert_to_tensor(x))
        with tf.GradientTape() as tape:
            tape.watch(x)
            outputs = tf.cast(fn(x), tf.float32)
            total = tf.reduce_sum(outputs)
        return outputs, tape.gradient(total, x)
