"""`keras_gan_kit.augment.transforms` against closed forms with known parameters."""

import math

import numpy as np
import pytest

from keras_gan_kit.augment import transforms
from tests.test_case import to_numpy


def images(batch=3, size=8, channels=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (batch, size, size, channels)).astype("float32")


def reflect(index, size):
    period = 2 * (size - 1)
    index = np.abs(index) % period
    return np.where(index >= size, period - index, index)


def np_shift(image, dy, dx, padding):
    """`out[y, x] = image[y - dy, x - dx]` with zero or mirrored borders."""
    h, w = image.shape[:2]
    rows, cols = np.arange(h) - dy, np.arange(w) - dx
    if padding == "reflect":
        return image[reflect(rows, h)][:, reflect(cols, w)]
    out = np.zeros_like(image)
    valid_r, valid_c = (rows >= 0) & (rows < h), (cols >= 0) & (cols < w)
    out[np.ix_(valid_r, valid_c)] = image[np.ix_(rows[valid_r], cols[valid_c])]
    return out


def affine(rows):
    return np.asarray(rows, "float32")[None]


@pytest.mark.parametrize("padding", ["zeros", "reflect"])
def test_translate_matches_a_known_integer_shift(padding):
    x = images()
    shifts = np.asarray([[0, 0], [2, -1], [-3, 5]], "int32")
    out = to_numpy(transforms.translate(x, shifts, padding=padding))
    for i, (dy, dx) in enumerate(shifts):
        np.testing.assert_array_equal(out[i], np_shift(x[i], dy, dx, padding))
    np.testing.assert_array_equal(out[0], x[0])
    with pytest.raises(ValueError, match="Received: padding='wrap'"):
        transforms.translate(x, shifts, padding="wrap")


def test_cutout_zeroes_the_given_rectangle_clipped_at_the_border():
    x = np.ones((3, 8, 8, 1), "float32")
    centers = np.asarray([[4.0, 4.0], [0.0, 8.0], [4.0, 4.0]], "float32")
    sizes = np.asarray([[4.0, 2.0], [4.0, 4.0], [0.0, 0.0]], "float32")
    out = to_numpy(transforms.cutout(x, centers, sizes))[..., 0]
    expected = np.ones((3, 8, 8), "float32")
    expected[0, 2:6, 3:5] = 0.0  # rows 2..5, columns 3..4
    expected[1, 0:2, 6:8] = 0.0  # a 4x4 square centred on the top-right corner
    np.testing.assert_array_equal(out, expected)


def test_affine_transform_identity_is_exact_and_integer_moves_match_the_gathers():
    x = images()
    batch = x.shape[0]
    eye = np.repeat(np.eye(3, dtype="float32")[None], batch, axis=0)
    np.testing.assert_array_equal(to_numpy(transforms.affine_transform(x, eye)), x)
    # Output pixel (x, y) reads input pixel (x - 2, y + 1): content moves by (dy, dx) = (-1, 2).
    move = np.repeat(affine([[1, 0, -2], [0, 1, 1], [0, 0, 1]]), batch, axis=0)
    np.testing.assert_allclose(
        to_numpy(transforms.affine_transform(x, move)),
        np.stack([np_shift(image, -1, 2, "reflect") for image in x]),
        atol=1e-6,
    )
    flip = np.repeat(affine([[-1, 0, 0], [0, 1, 0], [0, 0, 1]]), batch, axis=0)
    np.testing.assert_allclose(
        to_numpy(transforms.affine_transform(x, flip)), x[:, :, ::-1], atol=1e-6
    )
    # x_in = -y_out, y_in = x_out: a quarter turn, as numpy's rot90 on (rows, columns).
    turn = np.repeat(affine([[0, -1, 0], [1, 0, 0], [0, 0, 1]]), batch, axis=0)
    np.testing.assert_allclose(
        to_numpy(transforms.affine_transform(x, turn)),
        np.rot90(x, k=1, axes=(1, 2)),
        atol=1e-5,
    )


def test_affine_transform_interpolates_bilinearly_and_keeps_constants():
    x = images(batch=1)
    half = affine([[1, 0, 0.5], [0, 1, 0], [0, 0, 1]])  # reads halfway to the right neighbour
    out = to_numpy(transforms.affine_transform(x, half))
    np.testing.assert_allclose(out[0, :, :-1], (x[0, :, :-1] + x[0, :, 1:]) / 2, atol=1e-6)
    angle = 0.3
    c, s = math.cos(angle), math.sin(angle)
    rotation = affine([[1.3 * c, -s, 0.7], [s, 0.8 * c, -1.2], [0, 0, 1]])
    constant = np.full((1, 8, 8, 2), 0.25, "float32")
    np.testing.assert_allclose(
        to_numpy(transforms.affine_transform(constant, rotation)), constant, atol=1e-6
    )


def test_color_transform_affine_map_on_rgb_groups_and_luma_on_gray():
    rgb = images(batch=2, channels=6)
    matrix = np.eye(4, dtype="float32")
    matrix[:3, :3] = [[0.5, 0.1, 0.0], [0.2, 1.0, 0.3], [0.0, -0.4, 2.0]]
    matrix[:3, 3] = [0.1, -0.2, 0.3]
    matrices = np.repeat(matrix[None], 2, axis=0)
    out = to_numpy(transforms.color_transform(rgb, matrices))
    for group in (slice(0, 3), slice(3, 6)):
        expected = rgb[..., group] @ matrix[:3, :3].T + matrix[:3, 3]
        np.testing.assert_allclose(out[..., group], expected, atol=1e-6)
    gray = images(batch=2, channels=1)
    scale = matrix[:3, :3].sum(axis=1).mean()
    np.testing.assert_allclose(
        to_numpy(transforms.color_transform(gray, matrices)),
        gray * scale + matrix[:3, 3].mean(),
        atol=1e-6,
    )
    with pytest.raises(ValueError, match="Received: images with 2 channels"):
        transforms.color_transform(images(channels=2), np.repeat(matrix[None], 3, axis=0))


def test_diffaugment_color_functions_closed_forms():
    x = images(batch=2)
    amounts = np.asarray([0.3, -0.2], "float32")
    np.testing.assert_allclose(
        to_numpy(transforms.adjust_brightness(x, amounts)),
        x + amounts[:, None, None, None],
        atol=1e-6,
    )
    pixel_mean = x.mean(axis=-1, keepdims=True)
    np.testing.assert_allclose(
        to_numpy(transforms.adjust_saturation(x, amounts)),
        (x - pixel_mean) * amounts[:, None, None, None] + pixel_mean,
        atol=1e-6,
    )
    image_mean = x.mean(axis=(1, 2, 3), keepdims=True)
    np.testing.assert_allclose(
        to_numpy(transforms.adjust_contrast(x, amounts)),
        (x - image_mean) * amounts[:, None, None, None] + image_mean,
        atol=1e-6,
    )
    # One channel: every pixel is its own channel mean, saturation changes nothing.
    np.testing.assert_allclose(
        to_numpy(transforms.adjust_saturation(x[..., :1], amounts)), x[..., :1], atol=1e-6
    )
