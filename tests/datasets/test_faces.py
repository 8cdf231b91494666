import sys

import numpy as np
import pytest

from keras_gan_kit import datasets
from keras_gan_kit.datasets.faces import resize_images

skimage_data = pytest.importorskip("skimage.data")


@pytest.fixture(scope="module")
def raw_subset():
    return np.asarray(skimage_data.lfw_subset(), "float64")


def test_faces_are_the_first_hundred_scaled_to_tanh_range(raw_subset):
    assert raw_subset.shape == (200, 25, 25)
    faces, non_faces = datasets.load_lfw_faces(25, include_non_faces=True)
    assert faces.shape == (100, 25, 25, 1) and faces.dtype == np.float32
    # At the native size no resampling happens: exactly 2x - 1 of the raw [0, 1] pixels.
    np.testing.assert_allclose(faces[..., 0], raw_subset[:100] * 2 - 1, atol=1e-6)
    np.testing.assert_allclose(non_faces[..., 0], raw_subset[100:] * 2 - 1, atol=1e-6)
    assert datasets.LFW_NUM_FACES == 100


def test_resized_faces_keep_range_and_content(raw_subset):
    faces = datasets.load_lfw_faces()
    assert faces.shape == (100, 32, 32, 1) and faces.dtype == np.float32
    assert faces.min() >= -1.0 and faces.max() <= 1.0
    # Per-image brightness survives the 25 -> 32 resampling (a low-pass resize keeps the mean).
    np.testing.assert_allclose(
        faces.mean(axis=(1, 2, 3)), (raw_subset[:100] * 2 - 1).mean(axis=(1, 2)), atol=0.02
    )
    assert datasets.load("lfw-faces", image_size=16).shape == (100, 16, 16, 1)


def test_bicubic_resize_reproduces_a_linear_ramp_and_antialiases():
    ramp = np.tile(np.arange(25, dtype="float32"), (25, 1))[None]
    up = resize_images(ramp, 50)[0]
    # Cubic convolution reproduces linear functions: output pixel j sits at input
    # coordinate (j + 0.5) / 2 - 0.5 (pixel centres), away from the borders.
    expected = (np.arange(50) + 0.5) / 2 - 0.5
    np.testing.assert_allclose(up[10, 6:-6], expected[6:-6], atol=1e-3)
    # Shrinking a one-pixel checkerboard averages it out (antialiased), not aliasing it.
    checker = (np.indices((24, 24)).sum(0) % 2).astype("float32")[None]
    small = resize_images(checker, 6)[0]
    np.testing.assert_allclose(small[1:-1, 1:-1], 0.5, atol=0.02)


def test_missing_scikit_image_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "skimage", None)
    with pytest.raises(ImportError, match="pip install scikit-image"):
        datasets.load_lfw_faces()


def test_bad_arguments():
    with pytest.raises(ValueError, match="image_size"):
        datasets.load_lfw_faces(0)
    with pytest.raises(TypeError, match="include_non_faces"):
        datasets.load_lfw_faces(include_non_faces="yes")
