"""Backend trainers: the only modules that import TensorFlow, JAX or PyTorch.

A trainer runs one `Phase` (loss -> gradients -> optimizer) on the active
Keras backend, and computes input gradients that can be differentiated again
(for gradient penalties). Models state their algorithm in `keras.ops` and call

```python
trainer = trainers.get_trainer()
logs = trainer.run_phase(phase, *inputs)     # inside the model's train_step
```

so that a model with any number of networks and optimizers needs no backend
code of its own.
"""

from __future__ import annotations

import contextlib

import keras

from keras_gan_kit.trainers.phase import Phase, PhaseContext
from keras_gan_kit.trainers.replicas import ReplicaSeedGenerator

__all__ = [
    "Phase",
    "PhaseContext",
    "ReplicaSeedGenerator",
    "get_trainer",
    "data_parallel_scope",
    "input_gradients",
    "model_scope",
    "no_gradient",
    "num_replicas",
    "replica_batch",
    "replica_id",
    "run_if",
    "vjp",
]

_TRAINERS = {}


def get_trainer(backend: str | None = None):
    """Returns the phase trainer of a Keras backend.

    Args:
        backend: str. `"tensorflow"`, `"jax"` or `"torch"`. Defaults to the
            active Keras backend.

    Returns:
        An object with `train_step(model, args, step_fn)`,
        `run_phase(phase, *inputs)`, `run_if(predicate, fn)`,
        `input_gradients(fn, x)` and `no_gradient()`.
    """
    backend = backend or keras.backend.backend()
    if backend not in _TRAINERS:
        if backend == "tensorflow":
            from keras_gan_kit.trainers.tensorflow_trainer import (
                TensorFlowTrainer as cls,
            )
        elif backend == "jax":
            from keras_gan_kit.trainers.jax_trainer import JaxTrainer as cls
        elif backend == "torch":
            from keras_gan_kit.trainers.torch_trainer import TorchTrainer as cls
        else:
            raise ValueError(
                "keras_gan_kit supports the TensorFlow, JAX and PyTorch backends. "
                f"Received: backend={backend!r}"
            )
        _TRAINERS[backend] = cls()
    return _TRAINERS[backend]


def input_gradients(fn, x):
    """Computes `fn(x)` and the gradient of `sum(fn(x))` with respect to `x`.

    The gradient is itself differentiable with respect to the variables `fn`
    uses (double backprop), so it can appear in a loss, as in gradient
    penalties. `x` is treated as a constant: no gradient flows back into
    whatever produced it. Inside a `GAN` training step `fn` may call networks
    in training mode; state updates made during this call (BatchNorm moving
    statistics) are discarded.

    Args:
        fn: Callable mapping a tensor `(batch, ...)` to a tensor `(batch, ...)`
            (for example a discriminator).
        x: Tensor. Points at which to differentiate.

    Returns:
        `(outputs, gradients)`: `fn(x)` cast to float32 and a tensor with the
        shape of `x`.
    """
    return get_trainer().input_gradients(fn, x)


def vjp(fn, x):
    """Computes `fn(x)` and a function that pulls output cotangents back to `x`.

    `pullback(cotangent)` returns the vector-Jacobian product
    `d sum(fn(x) * cotangent) / dx`, itself differentiable with respect to
    the variables `fn` uses (double backprop), so it can appear in a loss:
    StyleGAN2's path length regularizer draws its image-space noise with the
    output's shape, then pulls it back to the latents. `x` is treated as a
    constant. As in `input_gradients`, state updates made by `fn` are
    discarded on JAX.

    Args:
        fn: Callable mapping a tensor to a tensor.
        x: Tensor. The point at which to differentiate.

    Returns:
        `(outputs, pullback)`: `fn(x)` (in its own dtype) and a callable
        taking a tensor of the outputs' shape and returning a tensor of `x`'s
        shape.
    """
    return get_trainer().vjp(fn, x)


def no_gradient():
    """A context in which computations record no gradient information.

    Use it for forward passes whose result is treated as a constant, such as
    the generated batch of a discriminator phase. On PyTorch it is
    `torch.no_grad()`, which saves building an autograd graph that would be
    cut anyway; on TensorFlow and JAX (where unused gradients cost nothing)
    it does nothing. Wrap the result in `keras.ops.stop_gradient` as well so
    the code states its intent on every backend.

    Returns:
        A context manager.
    """
    return get_trainer().no_gradient()


def run_if(predicate, fn):
    """Runs `fn()` for its effect on the model's state only where `predicate` holds.

    Inside a training step `predicate` is usually a traced boolean (e.g.
    "this step is a multiple of the phase's interval"), so plain Python `if`
    cannot decide. `fn` may run phases, update trackers and draw from seed
    generators; where `predicate` is false none of that happens and all
    variables keep their values. `fn`'s return value is discarded. On
    TensorFlow this is `tf.cond`; on JAX `jax.lax.cond` over the values of
    every variable of the step; on PyTorch (eager) a Python `if`.

    Args:
        predicate: bool or boolean scalar tensor.
        fn: Callable taking no arguments.
    """
    return get_trainer().run_if(predicate, fn)


def data_parallel_scope():
    """A context for building and compiling a model that trains on all local devices.

    - JAX: sets `keras.distribution.DataParallel()` over every device (and
      leaves it set: `fit` reads it to shard the data);
    - TensorFlow: enters a `tf.distribute.MirroredStrategy()` over every
      local GPU (one CPU device without GPUs); `fit` may run outside;
    - PyTorch: data parallelism needs one process per device, launched by
      `torchrun` with an initialized `torch.distributed` process group; the
      context checks there is one and otherwise raises a `ValueError`.

    Returns:
        A context manager.

    Example:

    ```python
    with trainers.data_parallel_scope():
        gan = keras_gan_kit.GAN(generator_fn(), discriminator_fn())
        gan.compile()
    gan.fit(images, batch_size=256)   # the global batch on JAX and TensorFlow
    ```
    """
    backend = keras.backend.backend()
    if backend == "jax":
        keras.distribution.set_distribution(keras.distribution.DataParallel())
        return contextlib.nullcontext()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.distribute.MirroredStrategy().scope()
    if get_trainer().num_replicas() == 1:
        raise ValueError(
            "Data-parallel training on PyTorch runs one process per device: launch the "
            "script with `torchrun --nproc-per-node=N` and call "
            "torch.distributed.init_process_group() first (see the guide 'Multiple GPUs "
            "and hosts'). Received: no initialized torch.distributed process group."
        )
    return contextlib.nullcontext()


def model_scope(model):
    """A context for creating variables that belong with `model`'s existing ones.

    Variables a model adds after it was built (e.g. the EMA generator that
    `GeneratorEMA` creates when `fit` starts) must be distributed like the
    rest: on TensorFlow that means creating them under the `tf.distribute`
    strategy the model was built in, which `fit` does not re-enter for
    callbacks. On JAX (`keras.distribution` is global) and PyTorch this
    does nothing.

    Args:
        model: `keras.Model`.

    Returns:
        A context manager.
    """
    strategy = getattr(model, "distribute_strategy", None)
    if keras.backend.backend() == "tensorflow" and strategy is not None:
        return strategy.scope()
    return contextlib.nullcontext()


def num_replicas() -> int:
    """Number of data-parallel replicas the running step's batch is split over.

    Each replica runs the training step on its own shard of the global batch:

    - TensorFlow: `num_replicas_in_sync` of the active `tf.distribute`
      strategy (1 without a strategy);
    - PyTorch: the world size of the initialized `torch.distributed` process
      group (1 without one);
    - JAX: always 1. Under `keras.distribution.DataParallel` the jitted step
      sees the global batch (sharded across devices by XLA), so there is
      nothing to split in Python.

    Returns:
        int.
    """
    return get_trainer().num_replicas()


def replica_id():
    """Index of the replica running the step, in `[0, num_replicas())`.

    A scalar int tensor inside a TensorFlow `MirroredStrategy` step, the rank
    on PyTorch, 0 on JAX and without distribution.

    Returns:
        int or scalar int tensor.
    """
    return get_trainer().replica_id()


def replica_batch(draw, batch_size):
    """This replica's share of a batch drawn for the whole global batch.

    Calls `draw(num_replicas() * batch_size)` and returns the rows of this
    replica (`replica_id()`), so that N replicas with `batch_size` rows each
    see exactly the rows one device with the global batch would: each replica
    gets distinct latents, and data-parallel training matches one device
    with the same global batch. Drawing N times as many latents as a replica
    uses costs next to nothing against the networks. With one replica this is
    `draw(batch_size)`.

    Args:
        draw: Callable. `draw(n)` returns a tensor with `n` rows (e.g.
            `lambda n: keras.random.normal((n, 128), seed=seed_generator)`).
            Every replica must draw the same values: use the model's
            `seed_generator` (a `ReplicaSeedGenerator`) inside its `shared()`.
        batch_size: int or scalar int tensor. Rows per replica.

    Returns:
        Tensor with `batch_size` rows.
    """
    replicas = num_replicas()
    if replicas == 1:
        return draw(batch_size)
    rows = draw(batch_size * replicas)
    shape = tuple(rows.shape[1:])
    grouped = keras.ops.reshape(rows, (replicas, -1) + shape)
    return keras.ops.take(grouped, replica_id(), axis=0)
