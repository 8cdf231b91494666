import numpy as np
import pytest
from PIL import Image

from keras_gan_kit.datasets import to_uint8_images
from keras_gan_kit.utils import make_image_grid, save_image_grid


def test_value_mapping_and_layout():
    images = np.stack([np.full((2, 2, 3), v, "float32") for v in (-1.0, 0.0, 1.0)])
    grid = make_image_grid(images, columns=3, padding=1)
    assert grid.shape == (2, 8, 3) and grid.dtype == np.uint8
    assert grid[0, 0, 0] == 0 and grid[0, 3, 0] == 128 and grid[0, 6, 0] == 255
    assert grid[0, 2, 0] == 0  # padding
    assert make_image_grid(images[..., :1]).ndim == 2  # greyscale stays 2-D


def test_to_uint8_clips_and_respects_range():
    out = to_uint8_images(np.array([-3.0, 0.5, 2.0]), value_range=(0.0, 1.0))
    np.testing.assert_array_equal(out, [0, 128, 255])


def test_save_scaled(tmp_path):
    path = save_image_grid(tmp_path / "a" / "g.png", np.zeros((4, 3, 3, 1)), scale=2)
    assert Image.open(path).size == (14, 14)


def test_errors():
    with pytest.raises(ValueError, match=r"images.shape=\(2, 3, 3, 2\)"):
        make_image_grid(np.zeros((2, 3, 3, 2)))
    with pytest.raises(ValueError, match="value_range"):
        to_uint8_images(np.zeros(2), value_range=(1, 1))
