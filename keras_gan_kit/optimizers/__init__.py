"""Optimizer utilities for multi-network models."""

from keras_gan_kit.optimizers.optimizer_group import OptimizerGroup

__all__ = ["OptimizerGroup"]
