"""`TranslationSampleSaver`: a PNG grid `input | translation | target` per epoch."""

from __future__ import annotations

import os

import keras
import numpy as np

from keras_gan_kit.utils.image_grid import save_image_grid
from keras_gan_kit.utils.validation import check_image_array, check_positive_int

__all__ = ["TranslationSampleSaver"]


def _check_images(images, arg):
    """A batch `(n, h, w, 1 or 3)` of uint8 or [-1, 1] float images, as float32 in [-1, 1]."""
    images = np.asarray(images)
    if images.ndim == 3 and arg == "inputs":
        images = images[None]
    if images.ndim != 4 or len(images) == 0 or images.shape[-1] not in (1, 3):
        raise ValueError(
            f"`{arg}` must be a non-empty batch of images of shape (n, height, width, 1 or 3). "
            f"Received: {arg}.shape={images.shape}"
        )
    if images.dtype == np.uint8:
        return images.astype("float32") / 127.5 - 1.0
    if images.dtype.kind != "f":
        raise ValueError(
            f"`{arg}` must hold uint8 (0-255) or float ([-1, 1]) values. Received: "
            f"{arg}.dtype={images.dtype}"
        )
    return check_image_array(images, arg).astype("float32")


def _as_rgb(images, channels):
    """Repeats single-channel images to `channels` (3) so columns can share one grid."""
    if images.shape[-1] == channels:
        return images
    return np.repeat(images, channels, axis=-1)


class TranslationSampleSaver(keras.callbacks.Callback):
    """Saves a grid of translations of fixed held-out images every few epochs.

    Each row shows one of `inputs`: `input | translation | target` (the
    target column only when `targets` is given), plus a `reconstruction`
    column (the translation translated back) when `reconstruction=True`.
    The inputs are fixed, so grids of different epochs can be compared.
    Works with `keras_gan_kit.models.Pix2Pix` and
    `keras_gan_kit.models.CycleGAN`, through their `translate()` (inference
    mode: no dropout, batch-norm moving statistics). For a CycleGAN,
    `direction` picks the generator (`"ab"`: `generator_ab`). Grids are
    saved after every `every_n_epochs`-th epoch and after the last epoch of
    `fit()`, as `output_dir/filename_format.format(epoch=...)` with 1-based
    epochs. Single-channel columns are shown in grey next to RGB ones.

    Args:
        output_dir: str. Output folder (created).
        inputs: array `(n, h, w, c)`: the held-out input images, `uint8`
            (0-255) or floats in [-1, 1]; `c` is 1 or 3.
        targets: array `(n, h, w, c_out)` or None. The matching target
            images (paired data), in the same range convention. Defaults to
            None.
        direction: str. `"ab"` or `"ba"`: which CycleGAN generator translates
            `inputs`; must be `"ab"` for Pix2Pix. Defaults to `"ab"`.
        every_n_epochs: int. Save after every n-th epoch (and after the last).
            Defaults to 1.
        filename_format: str. File name, formatted with `epoch` (1-based).
            Defaults to `"epoch_{epoch:04d}.png"`.
        reconstruction: bool. Also show `translate(translation)` in the other
            direction (CycleGAN only). Defaults to False.
        scale: int. Nearest-neighbour upscaling of the saved grid. Defaults
            to 1.
        batch_size: int. Images per generator call. Defaults to 8.

    Attributes:
        saved_paths: list of str. Files written so far.

    Example:

    ```python
    test_inputs, test_targets = kgk.datasets.load_translation_data(
        "demo", "paired", split="test", image_size=64, num_images=4
    )
    saver = TranslationSampleSaver("runs/p2p/samples", test_inputs, test_targets)
    pix2pix.fit(inputs, targets, epochs=20, callbacks=[saver])
    ```
    """

    def __init__(
        self,
        output_dir,
        inputs,
        targets=None,
        direction: str = "ab",
        every_n_epochs: int = 1,
        filename_format: str = "epoch_{epoch:04d}.png",
        reconstruction: bool = False,
        scale: int = 1,
        batch_size: int = 8,
    ):
        super().__init__()
        if not isinstance(output_dir, (str, os.PathLike)):
            raise ValueError(
                f"`output_dir` must be a str or path. Received: output_dir={output_dir!r}"
            )
        inputs = _check_images(inputs, "inputs")
        if targets is not None:
            targets = _check_images(targets, "targets")
            if len(targets) != len(inputs) or targets.shape[1:3] != inputs.shape[1:3]:
                raise ValueError(
                    "`targets` must hold one target of the input's height and width per input "
                    f"image. Received: inputs.shape={inputs.shape}, targets.shape={targets.shape}"
                )
        if direction not in ("ab", "ba"):
            raise ValueError(f"`direction` must be 'ab' or 'ba'. Received: direction={direction!r}")
        check_positive_int(every_n_epochs, "every_n_epochs")
        check_positive_int(scale, "scale")
        check_positive_int(batch_size, "batch_size")
        if not isinstance(reconstruction, bool):
            raise ValueError(
                f"`reconstruction` must be a bool. Received: reconstruction={reconstruction!r}"
            )
        try:
            first = filename_format.format(epoch=1)
            second = filename_format.format(epoch=2)
        except (AttributeError, KeyError, IndexError, ValueError) as e:
            raise ValueError(
                "`filename_format` must be a str formatted with `epoch`, such as "
                f"'epoch_{{epoch:04d}}.png'. Received: filename_format={filename_format!r} ({e})"
            ) from None
        if first == second:
            raise ValueError(
                "`filename_format` must contain `{epoch}` so each epoch gets its own file. "
                f"Received: filename_format={filename_format!r}"
            )
        self.output_dir = os.fspath(output_dir)
        self.inputs = inputs
        self.targets = targets
        self.direction = direction
        self.every_n_epochs = every_n_epochs
        self.filename_format = filename_format
        self.reconstruction = reconstruction
        self.scale = scale
        self.batch_size = batch_size
        self.saved_paths = []

    def _is_cyclegan(self):
        from keras_gan_kit.models.cyclegan import CycleGAN

        return isinstance(self.model, CycleGAN)

    def _check_model(self):
        if not callable(getattr(self.model, "translate", None)):
            raise ValueError(
                "TranslationSampleSaver works with image-to-image models (Pix2Pix, CycleGAN) "
                f"that have translate(). Received a model of type {type(self.model).__name__}."
            )
        if not self._is_cyclegan():
            if self.direction != "ab":
                raise ValueError(
                    f"`direction` applies to CycleGAN; a {type(self.model).__name__} translates "
                    f"one way. Received: direction={self.direction!r}"
                )
            if self.reconstruction:
                raise ValueError(
                    "`reconstruction=True` needs a CycleGAN (a generator back). Received a "
                    f"model of type {type(self.model).__name__}."
                )

    def _translate(self, images, direction):
        if self._is_cyclegan():
            return self.model.translate(images, direction=direction, batch_size=self.batch_size)
        return self.model.translate(images, batch_size=self.batch_size)

    def on_train_begin(self, logs=None):
        self._check_model()
        os.makedirs(self.output_dir, exist_ok=True)

    def on_epoch_end(self, epoch, logs=None):
        last = self.params.get("epochs") if self.params else None
        if (epoch + 1) % self.every_n_epochs == 0 or (last is not None and epoch + 1 == last):
            self.save_grid(
                os.path.join(self.output_dir, self.filename_format.format(epoch=epoch + 1))
            )

    def make_columns(self) -> list:
        """The grid's columns, each an array `(n, h, w, c)` in [-1, 1].

        Returns:
            `[inputs, translations]`, then `reconstructions` if asked, then
            `targets` if given.
        """
        self._check_model()
        translations = np.asarray(self._translate(self.inputs, self.direction), "float32")
        columns = [self.inputs, translations]
        if self.reconstruction:
            back = "ba" if self.direction == "ab" else "ab"
            columns.append(np.asarray(self._translate(translations, back), "float32"))
        if self.targets is not None:
            columns.append(self.targets)
        return columns

    def save_grid(self, path) -> str:
        """Translates the fixed inputs and saves the grid to `path`.

        Args:
            path: str. The PNG file to write.

        Returns:
            The path written.
        """
        columns = self.make_columns()
        channels = max(column.shape[-1] for column in columns)
        columns = [_as_rgb(column, channels) for column in columns]
        # row-major: input_0, translation_0, ..., input_1, ...
        tiles = np.stack(columns, axis=1).reshape(-1, *columns[0].shape[1:])
        save_image_grid(path, tiles, columns=len(columns), scale=self.scale)
        self.saved_paths.append(os.fspath(path))
        return os.fspath(path)
