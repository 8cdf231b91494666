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

import keras

from keras_gan_kit.trainers.phase import Phase

__all__ = ["Phase", "get_trainer", "input_gradients", "no_gradient"]

_TRAINERS = {}


def get_trainer(backend: str | None = None):
    """Returns the phase trainer of a Keras backend.

    Args:
        backend: str. `"tensorflow"`, `"jax"` or `"torch"`. Defaults to the
            active Keras backend.

    Returns:
        An object with `train_step(model, args, step_fn)`,
        `run_phase(phase, *inputs)` and `input_gradients(fn, x)`.
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
