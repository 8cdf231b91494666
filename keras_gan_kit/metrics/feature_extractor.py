"""`FeatureExtractor`: images of any size and range -> float64 feature vectors."""

from __future__ import annotations

import collections.abc

import keras
import numpy as np
from keras import ops

from keras_gan_kit.utils.validation import check_positive_int

__all__ = ["FeatureExtractor", "resize_matrix"]

RESIZE_METHODS = ("bilinear", "tf1_bilinear")


def resize_matrix(size: int, new_size: int, method: str = "bilinear") -> np.ndarray:
    """The `(new_size, size)` matrix of a 1-D linear resize (two taps per output).

    Output pixel `j` samples input coordinate `(j + 0.5) * size / new_size -
    0.5` (`"bilinear"`, half-pixel centres) or `j * size / new_size`
    (`"tf1_bilinear"`, TF1's `align_corners=False`), clamped to `[0, size - 1]`,
    and interpolates linearly between its two neighbours. Resizing an image
    is `R_h @ image @ R_w.T` per channel.

    Args:
        size: int. Input length.
        new_size: int. Output length.
        method: str. `"bilinear"` or `"tf1_bilinear"`. Defaults to `"bilinear"`.

    Returns:
        float64 array `(new_size, size)`; every row sums to 1.
    """
    size = check_positive_int(size, "size")
    new_size = check_positive_int(new_size, "new_size")
    scale = size / new_size
    j = np.arange(new_size, dtype="float64")
    if method == "bilinear":
        src = (j + 0.5) * scale - 0.5
    elif method == "tf1_bilinear":
        src = j * scale
    else:
        raise ValueError(f"`method` must be one of {RESIZE_METHODS}. Received: method={method!r}")
    src = np.clip(src, 0.0, size - 1)
    lower = np.floor(src).astype("int64")
    upper = np.minimum(lower + 1, size - 1)
    weight = src - lower
    matrix = np.zeros((new_size, size), dtype="float64")
    np.add.at(matrix, (np.arange(new_size), lower), 1.0 - weight)
    np.add.at(matrix, (np.arange(new_size), upper), weight)
    return matrix


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

    Images `(n, h, w, c)` of any size and value range are (optionally)
    quantized to 256 levels, mapped linearly from `value_range` to
    `model_value_range`, resized to `image_size`, repeated from grayscale to 3
    channels when the model wants 3, and run through the model in batches in
    inference mode (`predict_on_batch` for a `keras.Model`: compiled on
    TensorFlow and JAX, without autograd on PyTorch). Inputs that are not
    images (rank other than 4) go to the model unchanged except for the value
    mapping. Features come back as float64 NumPy arrays, flattened to `(n, d)`.

    Resizing is one fixed linear map per axis, applied on the backend as two
    small matrix products (`keras.ops.einsum`; exact, the same numbers on every
    backend, and cheaper than a generic resize for the 8-64 px -> 299 px
    upsampling of FID). `resize_method` picks the map:

    - `"bilinear"`: half-pixel centres, no antialiasing, edge clamped: Keras'
      `ops.image.resize(..., "bilinear", antialias=False)`, TF2's
      `tf.image.resize` and PyTorch's `F.interpolate(mode="bilinear",
      align_corners=False)`, which pytorch-fid uses. Not clean-fid's PIL
      bicubic, and downsampling is not antialiased.
    - `"tf1_bilinear"`: TF1's `resize_bilinear(align_corners=False)`,
      sampling output pixel `j` at input coordinate `j * in / out`: the
      resize inside TensorFlow's original FID graph, reproduced by
      StyleGAN2-ADA's metrics and fid-helper-pytorch's `nv_bilinear`.

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
        resize_method: str. `"bilinear"` or `"tf1_bilinear"` (above).
            Defaults to `"bilinear"`.
        quantize: bool. Round images to the 256 levels of an 8-bit image
            (`value_range` mapped to 0..255, clipped) first, as saving them
            as PNG would: the TF FID protocol and StyleGAN's metrics compare
            8-bit images. Defaults to False.

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
        resize_method: str = "bilinear",
        quantize: bool = False,
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
        if resize_method not in RESIZE_METHODS:
            raise ValueError(
                f"`resize_method` must be one of {RESIZE_METHODS}. "
                f"Received: resize_method={resize_method!r}"
            )
        self.resize_method = resize_method
        self.quantize = bool(quantize)
        self._resize_matrices = {}
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
        if self.quantize:
            levels = np.floor((batch - low) * (255.0 / (high - low)) + 0.5)
            batch = np.clip(levels, 0.0, 255.0)
            low, high = 0.0, 255.0
        scale = (model_high - model_low) / (high - low)
        x = ops.convert_to_tensor((batch - low) * scale + model_low, dtype="float32")
        if batch.ndim == 4:
            if self.channels == 3 and batch.shape[-1] == 1:
                x = ops.repeat(x, 3, axis=-1)
            if self.image_size is not None and tuple(batch.shape[1:3]) != self.image_size:
                rows = self._resize_matrix(batch.shape[1], self.image_size[0])
                cols = self._resize_matrix(batch.shape[2], self.image_size[1])
                x = ops.einsum("oh,nhwc->nowc", rows, x)
                x = ops.einsum("pw,nowc->nopc", cols, x)
        return x

    def _resize_matrix(self, size: int, new_size: int):
        key = (size, new_size)
        if key not in self._resize_matrices:
            self._resize_matrices[key] = ops.convert_to_tensor(
                resize_matrix(size, new_size, self.resize_method), dtype="float32"
            )
        return self._resize_matrices[key]

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
