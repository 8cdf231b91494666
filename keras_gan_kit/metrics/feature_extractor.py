"""`FeatureExtractor`: images of any size and range -> float64 feature vectors."""

from __future__ import annotations

import collections.abc

import keras
import numpy as np
from keras import ops

from keras_gan_kit.utils.validation import check_positive_int

__all__ = ["FeatureExtractor"]


def _check_range(value, arg):
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 2
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        or not value[1] > value[0]
    ):
        raise ValueError(f"`{arg}` must be (low, high) with high > low. Received: {arg}={value!r}")
    return (float(value[0]), float(value[1]))


class FeatureExtractor:
    """Maps images (or other samples) to feature vectors with a Keras model.

    Images `(n, h, w, c)` of any size and value range are mapped linearly from
    `value_range` to `model_value_range`, resized to `image_size` with
    `keras.ops.image.resize(..., interpolation="bilinear", antialias=False)`
    ("Keras bilinear": half-pixel centres, no antialiasing; for upsampling
    this equals PyTorch's `F.interpolate(mode="bilinear",
    align_corners=False)`, which pytorch-fid uses, but it is not clean-fid's
    PIL bicubic resize, and downsampling is not antialiased), grayscale is
    repeated to 3 channels when the model wants 3, and the model runs in
    batches in inference mode (`predict_on_batch` for a `keras.Model`:
    compiled on TensorFlow and JAX, without autograd on PyTorch). Inputs
    that are not images (rank other than 4) go to the model unchanged except
    for the value mapping. Features come back as float64 NumPy arrays,
    flattened to `(n, d)`.

    Args:
        model: `keras.Model` or callable. Maps a batch to features.
        image_size: tuple `(height, width)` or None. Resize images to this
            size. None takes it from the model's input shape when that is
            static, and otherwise does not resize. Defaults to None.
        value_range: tuple `(low, high)`. Range of the images passed in, e.g.
            `(-1, 1)` for tanh generators or `(0, 255)` for uint8 images.
            Defaults to `(-1, 1)`.
        model_value_range: tuple `(low, high)`. Range the model expects.
            Defaults to `(-1, 1)` (FID Inception).
        batch_size: int. Images per model call. Defaults to 64.

    Example:

    ```python
    from keras_gan_kit.metrics import FeatureExtractor, FIDInceptionV3

    extractor = FeatureExtractor(FIDInceptionV3.load_pretrained(), value_range=(0, 255))
    features = extractor(uint8_images)         # float64 (n, 2048)
    ```
    """

    def __init__(
        self,
        model,
        image_size=None,
        value_range=(-1.0, 1.0),
        model_value_range=(-1.0, 1.0),
        batch_size: int = 64,
    ):
        if not callable(model):
            raise ValueError(
                "`model` must be a keras.Model or a callable. Received: "
                f"model of type {type(model).__name__}"
            )
        self.model = model
        self.value_range = _check_range(value_range, "value_range")
        self.model_value_range = _check_range(model_value_range, "model_value_range")
        self.batch_size = check_positive_int(batch_size, "batch_size")
        self.image_size = self._resolve_image_size(model, image_size)
        self.channels = self._model_channels(model)

    @staticmethod
    def _input_shape(model):
        inputs = getattr(model, "inputs", None)
        if inputs and len(inputs) == 1:
            return tuple(inputs[0].shape[1:])
        return None

    def _resolve_image_size(self, model, image_size):
        if image_size is None:
            shape = self._input_shape(model)
            if shape is not None and len(shape) == 3 and None not in shape[:2]:
                return (int(shape[0]), int(shape[1]))
            return None
        if (
            not isinstance(image_size, (tuple, list))
            or len(image_size) != 2
            or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in image_size)
        ):
            raise ValueError(
                "`image_size` must be None or (height, width) of positive ints. Received: "
                f"image_size={image_size!r}"
            )
        return tuple(image_size)

    def _model_channels(self, model):
        shape = self._input_shape(model)
        if shape is not None and len(shape) == 3 and shape[2] is not None:
            return int(shape[2])
        return None

    def preprocess(self, batch):
        """Maps one batch to the model's value range, size and channels (float32 tensor)."""
        batch = np.asarray(batch, dtype="float32")
        low, high = self.value_range
        model_low, model_high = self.model_value_range
        scale = (model_high - model_low) / (high - low)
        x = ops.convert_to_tensor((batch - low) * scale + model_low, dtype="float32")
        if batch.ndim == 4:
            if self.channels == 3 and batch.shape[-1] == 1:
                x = ops.repeat(x, 3, axis=-1)
            if self.image_size is not None and tuple(batch.shape[1:3]) != self.image_size:
                x = ops.image.resize(x, self.image_size, interpolation="bilinear", antialias=False)
        return x

    def _batches(self, images):
        if isinstance(images, np.ndarray) or hasattr(images, "shape"):
            images = np.asarray(ops.convert_to_numpy(images))
            for start in range(0, len(images), self.batch_size):
                yield images[start : start + self.batch_size]
        elif isinstance(images, collections.abc.Iterable):
            for batch in images:
                if isinstance(batch, (tuple, list)):
                    batch = batch[0]
                batch = np.asarray(ops.convert_to_numpy(batch))
                for start in range(0, len(batch), self.batch_size):
                    yield batch[start : start + self.batch_size]
        else:
            raise ValueError(
                "`images` must be an array (n, ...) or an iterable of batches. Received: "
                f"images of type {type(images).__name__}"
            )

    def iter_features(self, images):
        """Yields float64 feature batches `(batch, d)` for an array or iterable of batches."""
        for batch in self._batches(images):
            if len(batch) == 0:
                continue
            x = self.preprocess(batch)
            if isinstance(self.model, keras.Model):
                # Compiled inference (tf.function / jax.jit; no autograd graph on torch).
                features = self.model.predict_on_batch(x)
            elif isinstance(self.model, keras.layers.Layer):
                features = self.model(x, training=False)
            else:
                features = self.model(x)
            features = np.asarray(ops.convert_to_numpy(features), dtype="float64")
            yield features.reshape(len(batch), -1)

    def __call__(self, images) -> np.ndarray:
        """Features of `images` (array or iterable of batches) as float64 `(n, d)`."""
        batches = list(self.iter_features(images))
        if not batches:
            raise ValueError("`images` is empty. Received: 0 samples")
        return np.concatenate(batches, axis=0)
