"""`build_classifier`, the small default classifier of CAS and of `synthetic_data`.

Also `predict_scores`, the batched inference both use. It lives in `metrics`
(below `synthetic_data`, which re-exports `build_classifier`) so that the
classifier-based metrics need nothing from a higher package.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_gan_kit.utils.validation import (
    check_fraction,
    check_int,
    check_positive_int,
    check_positive_number,
)

__all__ = ["build_classifier", "predict_scores"]


def build_classifier(
    input_shape,
    num_classes: int,
    width: int = 32,
    dropout: float = 0.25,
    learning_rate: float = 1e-3,
) -> keras.Model:
    """A small compiled classifier: a CNN for images, an MLP for vectors.

    Images `(h, w, c)`: two blocks of 3x3 convolution (`width`, then
    `2 * width` filters) + ReLU + 2x2 max-pooling (the pooling only while the
    feature map is at least 4 pixels wide), flatten, dropout, a dense layer of
    `4 * width` units, and a dense logit layer. Vectors `(d,)`: two dense
    layers of `2 * width` ReLU units and a logit layer. Compiled with
    `Adam(learning_rate)`, `SparseCategoricalCrossentropy(from_logits=True)`
    (integer labels) and the `"accuracy"` metric. It returns logits.

    It is the default of `keras_gan_kit.metrics.classification_accuracy_score`
    and a reasonable baseline for GAN data augmentation experiments
    (`keras_gan_kit.synthetic_data`, which exports it too); any
    `classifier_fn(input_shape, num_classes)` returning a compiled model can
    replace it.

    Args:
        input_shape: tuple. Sample shape without the batch axis: `(h, w, c)`
            or `(d,)`.
        num_classes: int >= 2. Number of classes (logits).
        width: int. Base width (filters of the first convolution). Defaults
            to 32.
        dropout: float in [0, 1). Dropout rate before the dense layers of the
            CNN (the MLP has none). Defaults to 0.25.
        learning_rate: float. Adam learning rate. Defaults to 1e-3.

    Returns:
        A compiled `keras.Model` mapping samples to logits `(n, num_classes)`.

    Example:

    ```python
    classifier = kgk.synthetic_data.build_classifier((16, 16, 1), num_classes=10)
    classifier.fit(x_train, y_train, epochs=30, batch_size=32)
    ```
    """
    input_shape = tuple(input_shape)
    if len(input_shape) not in (1, 3) or not all(
        isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in input_shape
    ):
        raise ValueError(
            "`input_shape` must be (height, width, channels) for images or (features,) for "
            f"vectors, with positive ints. Received: input_shape={input_shape!r}"
        )
    num_classes = check_int(num_classes, "num_classes", minimum=2)
    check_positive_int(width, "width")
    dropout = check_fraction(dropout, "dropout", high_open=True)
    learning_rate = check_positive_number(learning_rate, "learning_rate")
    layers = [keras.Input(input_shape)]
    if len(input_shape) == 3:
        size = min(input_shape[:2])
        for filters in (width, 2 * width):
            layers.append(keras.layers.Conv2D(filters, 3, padding="same", activation="relu"))
            if size >= 4:
                layers.append(keras.layers.MaxPooling2D(2))
                size //= 2
        layers += [
            keras.layers.Flatten(),
            keras.layers.Dropout(dropout),
            keras.layers.Dense(4 * width, activation="relu"),
        ]
    else:
        layers += [
            keras.layers.Dense(2 * width, activation="relu"),
            keras.layers.Dense(2 * width, activation="relu"),
        ]
    layers.append(keras.layers.Dense(num_classes, name="logits"))
    model = keras.Sequential(layers, name="classifier")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def predict_scores(model, samples, batch_size: int) -> np.ndarray:
    """Scores of `model` on `samples`, batch by batch, in inference mode.

    Args:
        model: `keras.Model`/layer (called with `training=False`) or any
            callable mapping a batch to scores.
        samples: array `(n, ...)`. The inputs.
        batch_size: int. Samples per call.

    Returns:
        `float64` NumPy array: the scores of all samples, concatenated.
    """
    outputs = []
    for i in range(0, len(samples), batch_size):
        batch = samples[i : i + batch_size]
        if isinstance(model, keras.layers.Layer):
            scores = model(batch, training=False)
        else:
            scores = model(batch)
        outputs.append(np.asarray(ops.convert_to_numpy(scores), dtype="float64"))
    return np.concatenate(outputs, axis=0)
