import keras
import numpy as np
import pytest
from PIL import Image

from keras_gan_kit import datasets


@pytest.mark.parametrize("size", [8, 16, 32])
def test_bundled_digits(size):
    images, labels = datasets.load_digits(size, return_labels=True)
    assert images.shape == (1797, size, size, 1) and images.dtype == np.float32
    assert images.min() == -1.0 and images.max() == 1.0
    assert np.bincount(labels).tolist()[:3] == [178, 182, 177]
    # background black, strokes white: the border is mostly at -1
    assert np.mean(images[:, :, 0, 0] < -0.9) > 0.8  # left edge: black background


def test_digits_at_native_size_are_the_raw_levels():
    images = datasets.load_digits(8)
    levels = np.unique(np.round((images + 1.0) * 8.0))
    assert set(levels.tolist()) <= set(range(17))


def write_images(folder, sizes, mode="RGB"):
    folder.mkdir(parents=True, exist_ok=True)
    for i, (w, h) in enumerate(sizes):
        array = np.zeros((h, w, 3), "uint8")
        array[:, : w // 2] = 255  # left half white
        Image.fromarray(array).convert(mode).save(folder / f"img_{i}.png")


def test_image_folder_resize_crop_and_labels(tmp_path):
    write_images(tmp_path / "cats", [(40, 20), (20, 40)])
    write_images(tmp_path / "dogs", [(16, 16)])
    images, labels, names = datasets.load_image_folder(tmp_path, image_size=8, return_labels=True)
    assert images.shape == (3, 8, 8, 3) and names == ["cats", "dogs"]
    assert labels.tolist() == [0, 0, 1]
    assert images.min() >= -1.0 and images.max() <= 1.0
    # the 40x20 image is centre-cropped: its middle column is the white/black edge
    assert images[0, 4, 0, 0] == 1.0 and images[0, 4, 7, 0] == -1.0
    grey = datasets.load_image_folder(tmp_path, image_size=8, channels=1)
    assert grey.shape == (3, 8, 8, 1)


def test_image_folder_errors(tmp_path):
    with pytest.raises(ValueError, match="not a folder"):
        datasets.load_image_folder(tmp_path / "missing")
    with pytest.raises(ValueError, match="No images found"):
        datasets.load_image_folder(tmp_path)
    with pytest.raises(ValueError, match="channels=2"):
        datasets.load_image_folder(tmp_path, channels=2)


def test_keras_datasets_are_scaled_and_resized(monkeypatch):
    train = (np.full((3, 28, 28), 255, "uint8"), np.arange(3))
    test = (np.zeros((2, 28, 28), "uint8"), np.arange(2))
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: (train, test))
    images, labels = datasets.load_mnist(32, split="all", return_labels=True)
    assert images.shape == (5, 32, 32, 1)
    np.testing.assert_allclose(images[0], 1.0, atol=1e-5)
    np.testing.assert_allclose(images[-1], -1.0, atol=1e-5)
    assert labels.tolist() == [0, 1, 2, 0, 1]


def test_offline_download_gives_clear_error(monkeypatch):
    def offline():
        raise OSError("network unreachable")

    monkeypatch.setattr(keras.datasets.cifar10, "load_data", offline)
    with pytest.raises(RuntimeError, match=r"Could not load CIFAR-10.*load_digits"):
        datasets.load_cifar10()


def test_load_by_name(tmp_path):
    assert datasets.load("digits", image_size=8).shape == (1797, 8, 8, 1)
    write_images(tmp_path / "x", [(8, 8)])
    assert datasets.load(str(tmp_path), image_size=4).shape == (1, 4, 4, 3)
    with pytest.raises(ValueError, match="dataset='celeba'"):
        datasets.load("celeba")
