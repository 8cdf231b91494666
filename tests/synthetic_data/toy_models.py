"""Hand-built conditional generators and classifiers whose behaviour is known exactly.

Class k lives around x0 = k (x1 near 0). `label_gan` makes samples
`[k + noise * z0, noise * z1]` for label k; `mode="ignore"` picks the class
from the latent instead of the label, `mode="collapse"` puts every label at
class 0. `threshold_classifier` scores class 1 vs 0 by the sign of x0 - 0.5.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

import keras_gan_kit as kgk
from tests.test_case import conditional_mlp_discriminator


class LabelToPoint(keras.layers.Layer):
    def __init__(self, noise=0.1, mode="follow", num_classes=2, **kwargs):
        super().__init__(**kwargs)
        self.noise, self.mode, self.num_classes = noise, mode, num_classes

    def call(self, inputs):
        z, labels = inputs
        labels = ops.cast(labels, "float32")
        if self.mode == "ignore":  # class drawn from the latent: uniform, label unused
            u = ops.clip(0.5 * (1.0 + ops.tanh(0.8 * z[:, 2])), 0.0, 0.9999)
            labels = labels * 0.0 + ops.floor(u * self.num_classes)
        elif self.mode == "collapse":
            labels = labels * 0.0
        return ops.stack([labels + self.noise * z[:, 0], self.noise * z[:, 1]], axis=1)

    def compute_output_shape(self, input_shapes):
        return (input_shapes[0][0], 2)


def label_gan(num_classes=2, noise=0.1, mode="follow", latent_dim=4):
    latents = keras.Input((latent_dim,))
    labels = keras.Input((), dtype="int32")
    points = LabelToPoint(noise, mode, num_classes)([latents, labels])
    generator = keras.Model([latents, labels], points)
    return kgk.GAN(
        generator,
        conditional_mlp_discriminator(num_classes=num_classes),
        num_classes=num_classes,
        seed=0,
    )


def threshold_classifier(sharpness=10.0, probabilities=False):
    """Logits [-s (x0 - 0.5), s (x0 - 0.5)]: class 1 iff x0 > 0.5, p1 = sigmoid(2 s (x0 - 0.5))."""
    model = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(2, activation="softmax" if probabilities else None)]
    )
    kernel = np.array([[-sharpness, sharpness], [0.0, 0.0]], "float32")
    bias = np.array([0.5 * sharpness, -0.5 * sharpness], "float32")
    model.layers[-1].set_weights([kernel, bias])
    return model


def class_one_probability(points, sharpness=10.0):
    return 1.0 / (1.0 + np.exp(-2.0 * sharpness * (points[:, 0] - 0.5)))


def real_points(n, num_classes=2, seed=0, noise=0.1, x1=0.0):
    """Real data matching `label_gan`: labels cycle through the classes."""
    rng = np.random.default_rng(seed)
    labels = (np.arange(n) % num_classes).astype("int32")
    x = np.stack([labels + noise * rng.standard_normal(n), x1 + noise * rng.standard_normal(n)], 1)
    return x.astype("float32"), labels
