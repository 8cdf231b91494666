"""`utils.resize.resize_images` against PIL's float resize (the loops it replaced)."""

from importlib import resources

import keras
import numpy as np
import pytest
from PIL import Image

from keras_gan_kit.datasets.faces import resize_images as resize_faces
from keras_gan_kit.datasets.loaders import load_digits, scale_to_tanh_range
from keras_gan_kit.models.translation import translate_images
from keras_gan_kit.utils.resize import resize_images

FILTERS = {"bilinear": Image.Resampling.BILINEAR, "bicubic": Image.Resampling.BICUBIC}


def pil_resize(images, size, interpolation):
    """The replaced reference: PIL's float ("F" mode) resize, channel by channel."""
    out = np.empty((len(images), size[0], size[1], images.shape[3]), "float32")
    for i, image in enumerate(images):
        for c in range(image.shape[2]):
            channel = Image.fromarray(np.ascontiguousarray(image[:, :, c], dtype="float32"))
            out[i, :, :, c] = np.asarray(channel.resize((size[1], size[0]), FILTERS[interpolation]))
    return out


@pytest.fixture(scope="module")
def photos():
    rng = np.random.default_rng(0)
    # Smooth content plus sharp edges and noise: overshoot, borders and aliasing all matter.
    yy, xx = np.mgrid[0:40, 0:40] / 40.0
    smooth = 0.5 + 0.4 * np.sin(6 * xx + 3 * yy)[..., None] * np.array([1.0, 0.5, -0.7])
    edges = ((xx > 0.5) ^ (yy > 0.3))[..., None] * np.ones(3)
    noise = rng.uniform(size=(40, 40, 3))
    return np.stack([smooth, edges, noise]).astype("float32")


@pytest.mark.parametrize("interpolation", ["bilinear", "bicubic"])
@pytest.mark.parametrize("size", [(80, 80), (13, 13), (24, 56)], ids=["up", "down", "mixed"])
def test_matches_pil_float_resize(photos, interpolation, size):
    expected = pil_resize(photos, size, interpolation)
    np.testing.assert_allclose(resize_images(photos, size, interpolation), expected, atol=2e-5)


def test_chunked_calls_give_the_same_numbers(photos):
    whole = resize_images(photos, (13, 13), "bicubic")
    np.testing.assert_allclose(resize_images(photos, (13, 13), "bicubic", batch_size=2), whole)


def test_bundled_digits_are_unchanged():
    # The quality numbers in the docs were measured on digits resized by PIL.
    path = resources.files("keras_gan_kit.datasets").joinpath("data/digits.npz")
    with resources.as_file(path) as file, np.load(file) as data:
        raw = data["images"][..., None].astype("float32")
    expected = np.clip(scale_to_tanh_range(pil_resize(raw, (16, 16), "bilinear"), 16.0), -1, 1)
    np.testing.assert_allclose(load_digits(16), expected, atol=1e-6)


def test_faces_resize_matches_pil():
    rng = np.random.default_rng(1)
    images = rng.uniform(size=(2, 25, 25)).astype("float32")
    for size in (16, 32):
        expected = pil_resize(images[..., None], (size, size), "bicubic")[..., 0]
        np.testing.assert_allclose(resize_faces(images, size), expected, atol=2e-6)


def test_translate_images_resize_mode_matches_pil(photos):
    inputs = keras.Input((16, 16, 3))
    identity = keras.Model(inputs, keras.layers.Activation("linear")(inputs))
    images = photos * 2 - 1
    there = np.clip(pil_resize(images, (16, 16), "bicubic"), -1, 1)
    back = np.clip(pil_resize(there, (40, 40), "bicubic"), -1, 1)
    np.testing.assert_allclose(translate_images(identity, images, mode="resize"), back, atol=2e-5)


def test_same_size_is_returned_and_bad_arguments_are_named(photos):
    np.testing.assert_array_equal(resize_images(photos, 40), photos)
    assert resize_images(photos[:0], 8).shape == (0, 8, 8, 3)
    with pytest.raises(ValueError, match="interpolation='nearest'"):
        resize_images(photos, 8, "nearest")
    with pytest.raises(ValueError, match=r"images.shape=\(40, 40, 3\)"):
        resize_images(photos[0], 8)
