"""Phase trainer for the PyTorch backend (autograd, eager)."""

from __future__ import annotations

import torch

from keras_gan_kit.trainers.phase import Phase, scaled_loss


class TorchTrainer:
    """Runs update phases with `loss.backward()` and `optimizer.apply`."""

    def __init__(self):
        self._model = None

    def train_step(self, model, args, step_fn):
        """Keras' torch contract: `train_step(data) -> logs`."""
        (data,) = args
        self._model = model
        try:
            return step_fn(data)
        finally:
            self._model = None

    def run_phase(self, phase: Phase, *inputs):
        """Back-propagates `phase.loss_fn` and applies `phase.optimizer`."""
        variables = list(phase.variables)
        for v in variables:
            v.value.grad = None
        loss, logs = phase.loss_fn(*inputs)
        scaled_loss(phase, loss).backward()
        grads = [v.value.grad for v in variables]
        with torch.no_grad():
            phase.optimizer.apply(grads, variables)
        if self._model is not None:
            # backward() also filled the gradients of the other networks the loss
            # went through; drop them so no phase ever sees stale gradients.
            for v in self._model.trainable_variables:
                v.value.grad = None
        return {name: value.detach() for name, value in logs.items()}

    def no_gradient(self):
        """Context without gradient recording (see `trainers.no_gradient`)."""
        return torch.no_grad()

    def input_gradients(self, fn, x):
        """Input gradient with `create_graph=True`, so it can be differentiated."""
        x = torch.as_tensor(x).detach().requires_grad_(True)
        with torch.enable_grad():
            outputs = fn(x).float()
            (grads,) = torch.autograd.grad(outputs.sum(), x, create_graph=True)
        return outputs, grads
