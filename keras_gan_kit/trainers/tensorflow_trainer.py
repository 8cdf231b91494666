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
        replicas = self.num_replicas()
        with tf.GradientTape() as tape:
            loss, logs = phase.loss_fn(*inputs)
            if replicas > 1:
                # Under a tf.distribute strategy each replica's loss is the mean over its
                # shard, and Keras' optimizer SUMS the replicas' gradients (as Keras'
                # own `Loss` classes expect, which divide by the replica count). Dividing
                # here makes the applied gradient the mean over the global batch, as on
                # one device. The logged values stay unscaled.
                loss = loss * tf.cast(1.0 / replicas, loss.dtype)
            loss = scaled_loss(phase, loss)
        # Variables the loss does not reach get zero gradients, as on JAX.
        grads = tape.gradient(
            loss, [v.value for v in variables], unconnected_gradients=tf.UnconnectedGradients.ZERO
        )
        phase.optimizer.apply(grads, variables)
        return logs

    def num_replicas(self):
        """`num_replicas_in_sync` of the active `tf.distribute` strategy."""
        return int(tf.distribute.get_strategy().num_replicas_in_sync)

    def replica_id(self):
        """`replica_id_in_sync_group` inside a replica context, else 0."""
        context = tf.distribute.get_replica_context()
        if context is None or self.num_replicas() == 1:
            return 0
        return context.replica_id_in_sync_group

    def run_if(self, predicate, fn):
        """`fn()` under `tf.cond` (a Python `if` when executing eagerly)."""
        if tf.executing_eagerly():
            if bool(predicate):
                fn()
            return
        if self.num_replicas() > 1 and self._models:
            self._run_and_select(predicate, fn)
            return

        def run():
            fn()
            return tf.constant(True)

        tf.cond(tf.convert_to_tensor(predicate), run, lambda: tf.constant(False))

    def _run_and_select(self, predicate, fn):
        """`run_if` inside a `tf.distribute` replica: run `fn`, then keep or undo its effect.

        An optimizer under a strategy all-reduces gradients in a `merge_call`,
        which TensorFlow refuses inside `tf.cond`. So every replica runs `fn`
        and then keeps, for every variable of the step, the new value where
        the predicate holds on all replicas (one all-reduce), the old one
        elsewhere: the same result as `tf.cond`, at the cost of computing
        skipped phases (lazy regularization saves no time under a strategy).
        """
        context = tf.distribute.get_replica_context()
        skips = 1.0 - tf.cast(tf.convert_to_tensor(predicate), tf.float32)
        if context is not None:  # number of replicas where the predicate fails
            skips = context.all_reduce(tf.distribute.ReduceOp.SUM, skips)
        keep = skips < 0.5
        model = self._models[-1]
        variables = (
            list(model.trainable_variables)
            + list(model.non_trainable_variables)
            + list(model.optimizer.variables)
            + list(model.metrics_variables)
        )
        saved = [tf.identity(v.value) for v in variables]
        fn()
        for v, old in zip(variables, saved):
            v.assign(tf.where(keep, v.value, old))

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
