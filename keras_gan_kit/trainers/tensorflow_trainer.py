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

    def no_gradient(self):
        """Context without gradient recording (see `trainers.no_gradient`)."""
        return contextlib.nullcontext()

    def input_gradients(self, fn, x):
        """Input gradient under a nested tape (differentiable by the outer one)."""
        x = tf.stop_gradient(tf.convert_to_tensor(x))
        with tf.GradientTape() as tape:
            tape.watch(x)
            outputs = tf.cast(fn(x), tf.float32)
            total = tf.reduce_sum(outputs)
        return outputs, tape.gradient(total, x)
