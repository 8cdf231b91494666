"""The backend-independent description of one update phase."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import keras

__all__ = ["Phase"]


@dataclasses.dataclass(frozen=True)
class Phase:
    """One update phase of a multi-network training step.

    A GAN step is an ordered list of phases (discriminator, then generator;
    CycleGAN: generators, then discriminators). Each phase is stated once in
    `keras.ops` by the model family; the backend trainer differentiates its
    loss with respect to `variables` and lets `optimizer` update them.

    Args:
        name: str. Name of the phase, e.g. `"discriminator"`.
        loss_fn: Callable. `loss_fn(*inputs) -> (loss, logs)`: `loss` is the
            float32 scalar to minimise, `logs` a dict of scalar tensors to
            report. It may call any network of the model in training mode,
            draw from the model's `SeedGenerator` and update non-trainable
            state (BatchNorm statistics); it must not apply gradients.
        variables: list of `keras.Variable`. The trainable variables this phase
            updates, by identity. Gradients are taken with respect to these only.
        optimizer: `keras.optimizers.Optimizer`. Updates `variables`; may be a
            `keras.optimizers.LossScaleOptimizer`, in which case the loss is
            scaled before differentiation and non-finite steps are skipped.
    """

    name: str
    loss_fn: Callable
    variables: Sequence
    optimizer: keras.optimizers.Optimizer


def scaled_loss(phase: Phase, loss):
    """`loss`, multiplied by the phase's loss scale under mixed float16."""
    if isinstance(phase.optimizer, keras.optimizers.LossScaleOptimizer):
        return phase.optimizer.scale_loss(loss)
    return loss
