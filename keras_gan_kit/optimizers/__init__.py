"""Optimizer utilities for multi-network models."""

from keras_gan_kit.optimizers.linear_decay import LinearDecay
from keras_gan_kit.optimizers.optimizer_group import OptimizerGroup

__all__ = ["LinearDecay", "OptimizerGroup"]
