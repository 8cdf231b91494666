"""`TensorBoardSampleGrids`: the sample grids a run saves, also written as TensorBoard images.

The one module of `keras_gan_kit.callbacks` that imports TensorFlow (lazily,
when training starts): TensorBoard's event files are written by
TensorFlow's summary API (`tf.summary`), on every Keras backend, as Keras'
own `keras.callbacks.TensorBoard` does.
"""

from __future__ import annotations

import os
import re

import keras
import numpy as np

__all__ = ["TensorBoardSampleGrids", "import_tf_summary"]

_EPOCH = re.compile(r"(?:^|_)epoch_?\d+")


def import_tf_summary(hide_gpus: bool = False):
    """`tf.summary`, or an `ImportError` that says what to install.

    Args:
        hide_gpus: bool. When Keras runs on JAX or PyTorch, make TensorFlow
            see no GPU (`tf.config.set_visible_devices([], "GPU")`), so that
            writing summaries does not make TensorFlow reserve GPU memory
            the training backend needs. Only possible before TensorFlow has
            started its runtime; ignored after. Defaults to False.

    Returns:
        The `tensorflow.summary` module.

    Raises:
        ImportError: when TensorFlow or the `tensorboard` package is not
            installed (TensorFlow 2.16+ takes `tf.summary.scalar`/`image`
            from it).
    """
    import importlib.util

    hint = (
        "TensorBoard logs are written with TensorFlow's summary API (tf.summary) on every Keras "
        "backend, which needs the tensorflow and tensorboard packages; install them with: pip "
        'install tensorflow-cpu tensorboard (or "keras-gan-kit[tensorboard]")'
    )
    try:
        import tensorflow as tf
    except ImportError as e:
        raise ImportError(f"{hint}. The tensorflow package is not installed") from e
    if importlib.util.find_spec("tensorboard") is None:  # tf.summary.scalar/image live there
        raise ImportError(f"{hint}. The tensorboard package is not installed")
    if hide_gpus and keras.backend.backend() != "tensorflow":
        try:
            tf.config.set_visible_devices([], "GPU")
        except (RuntimeError, ValueError):  # the runtime already started: leave it
            pass
    return tf.summary


def _tag(path: str) -> str:
    """`samples` for `epoch_0003.png`, `samples/ab` for `epoch_0003_ab.png`, else the stem."""
    stem = os.path.splitext(os.path.basename(path))[0]
    if not _EPOCH.search(stem):
        return stem
    rest = _EPOCH.sub("", stem).strip("_")
    return f"samples/{rest}" if rest else "samples"


def _read_png(path: str) -> np.ndarray:
    """A saved grid as `uint8` `(1, h, w, c)`, c in {1, 3, 4}, as `tf.summary.image` takes it."""
    from PIL import Image

    with Image.open(path) as image:
        if image.mode not in ("L", "RGB", "RGBA"):
            image = image.convert("RGB")
        pixels = np.asarray(image, dtype="uint8")
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    return pixels[None]


class TensorBoardSampleGrids(keras.callbacks.Callback):
    """Writes the grids of sample savers into TensorBoard, as images with a step slider.

    After each epoch, every PNG that the `savers` wrote since the last epoch
    (their `saved_paths`) is read back and written with
    `tf.summary.image` to `log_dir/samples/`, so TensorBoard shows the very
    grids of the run folder, one step per epoch. The epoch grids of a saver
    are one image series: `epoch_0001.png`, `epoch_0002.png`, ... become the
    tag `samples` at steps 0, 1, ... (0-based epochs, the steps of Keras'
    `TensorBoard` scalars); `epoch_0001_ab.png` becomes `samples/ab`; other
    files keep their name (`reals.png` is `reals`, at the epoch it was
    written in). Put this callback after the savers in the `callbacks` list
    (Keras calls callbacks in list order), next to
    `keras.callbacks.TensorBoard(log_dir)`, which writes the losses to
    `log_dir/train/`; the event files go to their own sub-folder because
    TensorBoard reads only the newest event file of a folder.

    TensorBoard files are written by TensorFlow's summary API on every Keras
    backend (Keras' `TensorBoard` callback does the same), so TensorFlow and
    the `tensorboard` package must be installed (`pip install
    "keras-gan-kit[tensorboard]"`); `on_train_begin` raises an `ImportError`
    that says so when they are not. View with `tensorboard --logdir runs/`.

    Args:
        log_dir: str. The TensorBoard log folder (the images go to its
            `samples/` sub-folder). Defaults to `"logs"`.
        savers: list. The callbacks whose grids to write: objects with a
            `saved_paths` list, such as `ImageSampleSaver` and
            `TranslationSampleSaver`.

    Example:

    ```python
    saver = kgk.callbacks.ImageSampleSaver("runs/x/samples", real_images=x)
    callbacks = [
        saver,
        keras.callbacks.TensorBoard("runs/x/tensorboard"),
        kgk.callbacks.TensorBoardSampleGrids("runs/x/tensorboard", [saver]),
    ]
    gan.fit(x, epochs=20, callbacks=callbacks)
    ```
    """

    def __init__(self, log_dir="logs", savers=()):
        super().__init__()
        if not isinstance(log_dir, (str, os.PathLike)):
            raise ValueError(f"`log_dir` must be a str or path. Received: log_dir={log_dir!r}")
        savers = list(savers)
        for saver in savers:
            if not isinstance(getattr(saver, "saved_paths", None), list):
                raise ValueError(
                    "`savers` must hold callbacks that record the files they write in a "
                    "`saved_paths` list (ImageSampleSaver, TranslationSampleSaver). Received: "
                    f"an object of type {type(saver).__name__}"
                )
        if not savers:
            raise ValueError("`savers` must name at least one sample saver. Received: savers=[]")
        self.log_dir = os.fspath(log_dir)
        self.savers = savers
        self._written = [len(saver.saved_paths) for saver in savers]
        self._writer = None
        self._summary = None

    def on_train_begin(self, logs=None):
        self._summary = import_tf_summary()
        self._writer = self._summary.create_file_writer(os.path.join(self.log_dir, "samples"))

    def on_epoch_end(self, epoch, logs=None):
        if self._writer is None:
            self.on_train_begin()
        with self._writer.as_default():
            for i, saver in enumerate(self.savers):
                for path in saver.saved_paths[self._written[i] :]:
                    if os.path.exists(path):
                        self._summary.image(_tag(path), _read_png(path), step=epoch)
                self._written[i] = len(saver.saved_paths)
        self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
