"""keras_gan_kit: reusable GAN components for Keras 3.

One adversarial `train_step` that runs under `fit()` on TensorFlow, JAX and
PyTorch; swappable losses and penalties; networks, callbacks and data.
"""

from keras_gan_kit import (
    augmentation,
    callbacks,
    datasets,
    layers,
    losses,
    metrics,
    models,
    networks,
    optimizers,
    trainers,
    utils,
)
from keras_gan_kit.models import GAN

__version__ = "0.1.0"

__all__ = [
    "GAN",
    "augmentation",
    "callbacks",
    "datasets",
    "layers",
    "losses",
    "metrics",
    "models",
    "networks",
    "optimizers",
    "trainers",
    "utils",
    "__version__",
]
