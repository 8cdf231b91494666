"""`ImageSampleSaver`: a PNG grid of samples from one fixed latent grid."""

from __future__ import annotations

import os

import keras
import numpy as np

from keras_gan_kit.utils.image_grid import save_image_grid
from keras_gan_kit.utils.validation import check_positive_int, check_seed

__all__ = ["ImageSampleSaver"]


class ImageSampleSaver(keras.callbacks.Callback):
    """Saves a grid of generated images every few epochs.

    The latents are drawn once, from `seed`, and reused at every save, so
    grids of different epochs show the same latent points and can be compared
    (StyleGAN's `fakes*.png`). For a class-conditional GAN, column j shows
    class `j % num_classes`. A grid of real images is saved once as
    `reals.png` when `real_images` is given. Files: `directory/reals.png`,
    `directory/epoch_0001.png`, ... Uses the EMA generator when the GAN has
    one (see `GeneratorEMA`).

    Args:
        directory: str. Output folder (created).
        num_samples: int. Images per grid. Defaults to 64.
        every_n_epochs: int. Save after every n-th epoch (and after the last).
            Defaults to 1.
        seed: int. Seed of the fixed latents. Defaults to 0.
        real_images: array `(n, h, w, c)` or None. Real images for
            `reals.png` (the first `num_samples` are used). Defaults to None.
        value_range: tuple `(low, high)` or `"auto"`. Range of the generator's
            output, mapped to [0, 255]. `"auto"` is (-1, 1), the tanh range of
            the bundled networks and of data from `keras_gan_kit.datasets`.
        scale: int. Nearest-neighbour upscaling of the saved grid (for small
            images such as 8x8 digits). Defaults to 1.

    Attributes:
        saved_paths: list of str. Files written so far.

    Example:

    ```python
    saver = ImageSampleSaver("runs/digits/samples", num_samples=64, real_images=x)
    gan.fit(x, epochs=20, callbacks=[saver])
    ```
    """

    def __init__(
        self,
        directory,
        num_samples: int = 64,
        every_n_epochs: int = 1,
        seed: int = 0,
        real_images=None,
        value_range="auto",
        scale: int = 1,
    ):
        super().__init__()
        check_positive_int(num_samples, "num_samples")
        check_positive_int(every_n_epochs, "every_n_epochs")
        check_positive_int(scale, "scale")
        if value_range == "auto":
            value_range = (-1.0, 1.0)
        if (
            not isinstance(value_range, (tuple, list))
            or len(value_range) != 2
            or not value_range[1] > value_range[0]
        ):
            raise ValueError(
                "`value_range` must be 'auto' or (low, high) with high > low. Received: "
                f"value_range={value_range!r}"
            )
        self.directory = os.fspath(directory)
        self.num_samples = num_samples
        self.every_n_epochs = every_n_epochs
        self.seed = check_seed(seed)
        self.real_images = None if real_images is None else np.asarray(real_images)
        self.value_range = tuple(float(v) for v in value_range)
        self.scale = scale
        self.saved_paths = []
        self._latents = None

    def on_train_begin(self, logs=None):
        if not hasattr(self.model, "sample_latents"):
            raise ValueError(
                "ImageSampleSaver works with keras_gan_kit models (GAN). Received a model "
                f"of type {type(self.model).__name__}."
            )
        os.makedirs(self.directory, exist_ok=True)
        if self._latents is None:
            self._latents = self.model.sample_latents(self.num_samples, seed=self.seed)
        reals = os.path.join(self.directory, "reals.png")
        if self.real_images is not None and not os.path.exists(reals):
            self._save(reals, self.real_images[: self.num_samples])

    def on_epoch_end(self, epoch, logs=None):
        last = self.params.get("epochs") if self.params else None
        if (epoch + 1) % self.every_n_epochs == 0 or (last is not None and epoch + 1 == last):
            self.save_grid(os.path.join(self.directory, f"epoch_{epoch + 1:04d}.png"))

    def save_grid(self, path):
        """Generates from the fixed latents and saves the grid to `path`."""
        if self._latents is None:
            self._latents = self.model.sample_latents(self.num_samples, seed=self.seed)
        labels = None
        if getattr(self.model, "num_classes", None):
            # one class per column, so every class appears in every grid
            labels = np.arange(self.num_samples) % self.model.num_classes
        images = self.model.generate(latents=self._latents, labels=labels)
        columns = self.model.num_classes if labels is not None else None
        save_image_grid(
            path, images, value_range=self.value_range, scale=self.scale, columns=columns
        )
        self.saved_paths.append(path)
        return path

    def _save(self, path, images):
        save_image_grid(path, images, value_range=self.value_range, scale=self.scale)
        self.saved_paths.append(path)
