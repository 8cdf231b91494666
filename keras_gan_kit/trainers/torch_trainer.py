"""Phase trainer for the PyTorch backend (autograd, eager)."""

from __future__ import annotations

import torch

from keras_gan_kit.trainers.phase import Phase, scaled_loss
from keras_gan_kit.trainers.stateful_trainer import StatefulTrainer


class TorchTrainer(StatefulTrainer):
    """Runs update phases with `torch.autograd.grad` and `optimizer.apply`."""

    def _copy(self, variable):
        with torch.no_grad():
            return variable.value.detach().clone()

    def _restore(self, variable, value):
        with torch.no_grad():
            variable.assign(value)

    def run_phase(self, phase: Phase, *inputs):
        """Differentiates `phase.loss_fn` w.r.t. the phase's variables and applies them.

        `torch.autograd.grad` computes the gradients of the phase's variables
        only: the weight gradients of the other networks the loss goes through
        are never computed, and no `.grad` is accumulated anywhere, so no phase
        can see another's stale gradients.
        """
        variables = list(phase.variables)
        loss, logs = phase.loss_fn(*inputs)
        grads = torch.autograd.grad(
            scaled_loss(phase, loss), [v.value for v in variables], allow_unused=True
        )
        # Variables the loss does not reach get zero gradients, as on JAX.
        grads = [torch.zeros_like(v.value) if g is None else g for g, v in zip(grads, variables)]
        with torch.no_grad():
            phase.optimizer.apply(grads, variables)
        return {name: value.detach() for name, value in logs.items()}

    def run_if(self, predicate, fn):
        """`fn()` if `predicate` holds (PyTorch runs eagerly)."""
        if bool(predicate):
            fn()

    def no_gradient(self):
        """Context without gradient recording (see `trainers.no_gradient`)."""
        return torch.no_grad()

    def vjp(self, fn, x):
        """`fn(x)` with a pullback that keeps its graph (`create_graph=True`)."""
        x = torch.as_tensor(x).detach().requires_grad_(True)
        with self._discarding_state(), torch.enable_grad():
            outputs = fn(x)

        def pullback(cotangent):
            with torch.enable_grad():
                (grads,) = torch.autograd.grad(
                    outputs,
                    x,
                    grad_outputs=torch.as_tensor(cotangent).to(outputs.dtype),
                    create_graph=True,
                    allow_unused=True,
                )
            return torch.zeros_like(x) if grads is None else grads

        return outputs, pullback

    def input_gradients(self, fn, x):
        """Input gradient with `create_graph=True`, so it can be differentiated."""
        x = torch.as_tensor(x).detach().requires_grad_(True)
        with self._discarding_state(), torch.enable_grad():
            outputs = fn(x).float()
            (grads,) = torch.autograd.grad(outputs.sum(), x, create_graph=True, allow_unused=True)
        # An `fn` that ignores its input has a zero input gradient, as on JAX.
        return outputs, torch.zeros_like(x) if grads is None else grads
