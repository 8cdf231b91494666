"""The backend-independent description of one update phase."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import keras

from keras_gan_kit.utils.validation import check_positive_int

__all__ = ["Phase", "PhaseContext"]


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
        interval: int. Run the phase on every `interval`-th training step only
            (steps 0, k, 2k, ...), as StyleGAN2's lazy regularization phases.
            Defaults to 1 (every step).
        repeat: int. Run the phase this many times per training step, each
            time with a fresh `PhaseContext.index` (e.g. several critic updates
            per generator update). Defaults to 1.
        log_names: tuple of str. The public log keys `loss_fn` returns; the
            model creates one tracker per name. Defaults to `()`.
    """

    name: str
    loss_fn: Callable
    variables: Sequence
    optimizer: keras.optimizers.Optimizer
    interval: int = 1
    repeat: int = 1
    log_names: tuple = ()

    def __post_init__(self):
        check_positive_int(self.interval, "interval")
        check_positive_int(self.repeat, "repeat")


@dataclasses.dataclass(frozen=True)
class PhaseContext:
    """What a phase's loss function knows about the step it runs in.

    Args:
        step: int scalar tensor. Index of the training step (the model's
            `optimizer.iterations` before this step).
        index: int scalar tensor. Index of this run of the phase over the
            whole training, `step * repeat + repetition`: the counter lazy
            penalties use for their own interval.
        repetition: int. Which of the phase's `repeat` runs this is (0-based).
        carry: dict. Detached tensors earlier phases of this step returned
            under `_`-prefixed log keys (e.g. Pix2Pix's generated batch, which
            its discriminator phase reuses).
    """

    step: Any
    index: Any
    repetition: int = 0
    carry: dict = dataclasses.field(default_factory=dict)


def scaled_loss(phase: Phase, loss):
    """`loss`, multiplied by the phase's loss scale under mixed float16."""
    if isinstance(phase.optimizer, keras.optimizers.LossScaleOptimizer):
        return phase.optimizer.scale_loss(loss)
    return loss
