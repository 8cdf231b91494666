import glob
import io
import os
import sys

import numpy as np
import pytest
from PIL import Image

import keras_gan_kit as kgk
from keras_gan_kit.callbacks.tensorboard_sample_grids import _tag, import_tf_summary
from keras_gan_kit.utils import save_image_grid


def read_events(folder):
    """`[(step, tag, value)]` of the event files in `folder`: floats, or images as arrays."""
    pytest.importorskip("tensorboard")
    import tensorflow as tf

    found = []
    for path in sorted(glob.glob(os.path.join(folder, "events.out.tfevents.*"))):
        for record in tf.data.TFRecordDataset(path):
            event = tf.compat.v1.Event.FromString(record.numpy())
            for value in event.summary.value:
                plugin = value.metadata.plugin_data.plugin_name
                if plugin == "images":  # string_val: width, height, PNG bytes
                    width, height, png = value.tensor.string_val
                    image = np.asarray(Image.open(io.BytesIO(png)))
                    assert image.shape[:2] == (int(height), int(width))
                    found.append((event.step, value.tag, image))
                else:
                    found.append((event.step, value.tag, float(tf.make_ndarray(value.tensor))))
    return found


class FakeSaver:
    """What the callback relies on: a `saved_paths` list of PNG files."""

    def __init__(self):
        self.saved_paths = []

    def save(self, path, images):
        save_image_grid(path, images)
        self.saved_paths.append(str(path))


def test_new_grids_are_written_once_per_epoch_with_stable_tags(tmp_path):
    rng = np.random.default_rng(0)
    gray, color = FakeSaver(), FakeSaver()
    callback = kgk.callbacks.TensorBoardSampleGrids(tmp_path / "tb", [gray, color])
    callback.on_train_begin()
    gray.save(tmp_path / "reals.png", rng.uniform(-1, 1, (4, 8, 8, 1)))
    gray.save(tmp_path / "epoch_0001.png", rng.uniform(-1, 1, (4, 8, 8, 1)))
    color.save(tmp_path / "epoch_0001_ab.png", rng.uniform(-1, 1, (2, 6, 6, 3)))
    callback.on_epoch_end(0)
    callback.on_epoch_end(1)  # nothing new: nothing written
    gray.save(tmp_path / "epoch_0003.png", rng.uniform(-1, 1, (4, 8, 8, 1)))
    callback.on_epoch_end(2)
    callback.on_train_end()

    events = read_events(tmp_path / "tb" / "samples")
    assert [(step, tag) for step, tag, _ in events] == [
        (0, "reals"),
        (0, "samples"),
        (0, "samples/ab"),
        (2, "samples"),
    ]
    files = ["reals.png", "epoch_0001.png", "epoch_0001_ab.png", "epoch_0003.png"]
    for (_, _, image), name in zip(events, files):
        saved = np.asarray(Image.open(tmp_path / name))
        np.testing.assert_array_equal(image.reshape(saved.shape), saved)  # the same pixels


def test_tags():
    assert _tag("runs/x/samples/epoch_0012.png") == "samples"
    assert _tag("epoch_0012_ba.png") == "samples/ba"
    assert _tag("reals.png") == "reals"


@pytest.mark.parametrize(
    "savers, match",
    [([], "savers=\\[\\]"), ([object()], "type object"), (["a.png"], "type str")],
)
def test_bad_savers(savers, match):
    with pytest.raises(ValueError, match=match):
        kgk.callbacks.TensorBoardSampleGrids("logs", savers)


@pytest.mark.parametrize("missing", ["tensorflow", "tensorboard"])
def test_missing_package_says_what_to_install(monkeypatch, missing):
    monkeypatch.setitem(sys.modules, missing, None)  # `import missing` raises ImportError
    with pytest.raises(ImportError, match=f"pip install tensorflow-cpu tensorboard.*{missing}"):
        import_tf_summary()
