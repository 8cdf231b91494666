"""Phase trainer for the PyTorch backend (autograd, eager), with torch.distributed.

Keras' `fit()` on PyTorch has no data parallelism for a custom `train_step`
(and DDP's wrapper would only reduce gradients of forwards through the
wrapped model, while a GAN step calls its networks directly). When a
`torch.distributed` process group is initialized (e.g. under `torchrun`),
this trainer does what the training loops of StyleGAN2-ADA and R3GAN do:
it broadcasts the model's variables from rank 0 before the first step, and
all-reduces each phase's gradients (its own variables only: flattened into
one buffer, summed, divided by the world size) before its optimizer applies
them. Each rank trains on its own shard of the data.
"""

from __future__ import annotations

import weakref

import torch

from keras_gan_kit.trainers.phase import Phase, scaled_loss
from keras_gan_kit.trainers.stateful_trainer import StatefulTrainer


def _distributed():
    return torch.distributed.is_available() and torch.distributed.is_initialized()


class TorchTrainer(StatefulTrainer):
    """Runs update phases with `torch.autograd.grad` and `optimizer.apply`."""

    def __init__(self):
        super().__init__()
        self._broadcast = weakref.WeakSet()

    def num_replicas(self):
        """World size of the initialized `torch.distributed` process group, else 1."""
        return torch.distributed.get_world_size() if _distributed() else 1

    def replica_id(self):
        """Rank in the initialized `torch.distributed` process group, else 0."""
        return torch.distributed.get_rank() if _distributed() else 0

    def train_step(self, model, args, step_fn):
        """Keras' contract `train_step(data) -> logs`; first broadcasts rank 0's variables."""
        if self.num_replicas() > 1 and model not in self._broadcast:
            self._broadcast_variables(model)
            self._broadcast.add(model)
        return super().train_step(model, args, step_fn)

    def _broadcast_variables(self, model):
        """Every rank starts from rank 0's weights, seed state and optimizer state."""
        variables = (
            list(model.trainable_variables)
            + list(model.non_trainable_variables)
            + list(model.optimizer.variables)
        )
        with torch.no_grad():
            for variable in variables:
                value = variable.value.detach().clone()
                torch.distributed.broadcast(value, src=0)
                variable.assign(value)

    def _device(self):
        """Device of the collectives' tensors: the GPU under NCCL, else the CPU."""
        backend = torch.distributed.get_backend()
        return torch.device("cuda", torch.cuda.current_device()) if backend == "nccl" else "cpu"

    def _all_reduce_mean(self, tensors):
        """Averages float tensors over the process group (one flat buffer)."""
        flat = torch.cat([t.detach().reshape(-1).float() for t in tensors])
        torch.distributed.all_reduce(flat, op=torch.distributed.ReduceOp.SUM)
        flat = flat / self.num_replicas()
        out, start = [], 0
        for t in tensors:
            out.append(flat[start : start + t.numel()].reshape(t.shape).to(t.dtype))
            start += t.numel()
        return out

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
        logs = {name: value.detach() for name, value in logs.items()}
        if self.num_replicas() > 1:
            # Mean over ranks of the per-rank mean losses' gradients: the gradient of the
            # global batch's mean loss (equal shards). Scaled float16 gradients stay
            # scaled; an overflow on any rank makes every rank skip the step.
            grads = self._all_reduce_mean(grads)
            # Logged values: the global batch's means, the same on every rank.
            public = [k for k, v in logs.items() if not k.startswith("_") and v.ndim == 0]
            if public:
                logs.update(zip(public, self._all_reduce_mean([logs[k] for k in public])))
        with torch.no_grad():
            phase.optimizer.apply(grads, variables)
        return logs

    def run_if(self, predicate, fn):
        """`fn()` if `predicate` holds (PyTorch runs eagerly).

        Under torch.distributed `fn` runs where the predicate holds on every
        rank (one all-reduce), so that all ranks take part in the same
        gradient all-reduces.
        """
        if self.num_replicas() > 1:
            flag = torch.as_tensor(bool(predicate), dtype=torch.int32).reshape(())
            flag = flag.to(self._device()).clone()
            torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MIN)
            predicate = bool(flag)
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
