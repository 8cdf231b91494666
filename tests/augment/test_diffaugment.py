"""`DiffAugment`: identity cases, closed forms of each transform, gradients, config."""

import itertools

import numpy as np
import pytest
from keras import ops

import keras_gan_kit as kgk
from keras_gan_kit.augment import DiffAugment
from tests.augment.test_transforms import images, np_shift
from tests.test_case import to_numpy


def input_gradient(layer, x, seed=0):
    """`d sum(layer(x) * w) / dx` for a fixed random `w` (the vector-Jacobian product)."""
    w = ops.convert_to_tensor(np.random.default_rng(seed).normal(size=x.shape), "float32")
    _, grads = kgk.trainers.input_gradients(
        lambda t: ops.sum(layer(t, training=True) * w, axis=(1, 2, 3)), x
    )
    return to_numpy(grads)


def test_empty_policy_and_inference_are_the_identity():
    x = images(batch=16)
    np.testing.assert_array_equal(to_numpy(DiffAugment("", seed=0)(x, training=True)), x)
    np.testing.assert_array_equal(to_numpy(DiffAugment(seed=0)(x, training=False)), x)
    np.testing.assert_array_equal(to_numpy(DiffAugment(seed=0)(x)), x)


def test_translation_is_a_zero_padded_integer_shift_within_an_eighth():
    x = images(batch=16)
    out = to_numpy(DiffAugment("translation", seed=3)(x, training=True))
    limit = 1  # round(8 / 8)
    found = set()
    for i in range(len(x)):
        matches = [
            (dy, dx)
            for dy, dx in itertools.product(range(-limit, limit + 1), repeat=2)
            if np.array_equal(out[i], np_shift(x[i], dy, dx, "zeros"))
        ]
        assert len(matches) == 1, f"sample {i} is no shift by at most {limit} pixels"
        found.add(matches[0])
    assert len(found) > 4  # per-sample draws


def expected_cutout_fraction(size, cut):
    """Mean zeroed fraction of the reference's cutout, enumerating its offsets exactly."""
    lengths = []
    for offset in range(size + 1 - cut % 2):
        start = offset - cut // 2
        lengths.append(min(start + cut, size) - max(start, 0))
    mean_length = np.mean(lengths)
    return (mean_length / size) ** 2


def test_cutout_zeroes_one_square_and_the_expected_fraction():
    size, cut = 8, 4
    layer, x = DiffAugment("cutout", seed=5), np.ones((16, size, size, 3), "float32")
    out = np.concatenate([to_numpy(layer(x, training=True))[..., 0] for _ in range(16)])
    for mask in out[:32]:
        rows, cols = np.nonzero(mask == 0)
        assert mask.min() == 0.0 and set(np.unique(mask)) <= {0.0, 1.0}
        height, width = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
        assert height <= cut and width <= cut and len(rows) == height * width  # a rectangle
    fraction = float(np.mean(out == 0))
    assert fraction == pytest.approx(expected_cutout_fraction(size, cut), abs=0.015)


def test_color_shifts_a_constant_image_by_the_brightness_only():
    # On a constant image saturation and contrast have nothing to scale: the
    # output is the constant plus DiffAugment's brightness, uniform in [-0.5, 0.5).
    x = np.full((16, 8, 8, 3), 0.2, "float32")
    out = to_numpy(DiffAugment("color", seed=1)(x, training=True))
    per_image = out.reshape(16, -1)
    np.testing.assert_allclose(per_image, per_image[:, :1] * np.ones_like(per_image), atol=1e-6)
    delta = per_image[:, 0] - 0.2
    assert delta.min() >= -0.5 - 1e-6 and delta.max() < 0.5
    assert delta.std() > 0.2  # uniform on a unit interval: std 0.29


@pytest.mark.parametrize("policy", ["color", "translation", "cutout", "color,translation,cutout"])
def test_gradients_flow_through_every_transform(policy):
    x = images(batch=16)
    layer = DiffAugment(policy, seed=2)
    grads = input_gradient(layer, x)
    assert np.all(np.isfinite(grads)) and np.abs(grads).max() > 0.0


def test_gradient_of_translation_is_the_adjoint_shift():
    # sum(shift(x)) counts each input pixel that lands inside the image once.
    x = images(batch=16)
    layer = DiffAugment("translation", seed=4)
    _, grads = kgk.trainers.input_gradients(
        lambda t: ops.sum(layer(t, training=True), axis=(1, 2, 3)), x
    )
    grads = to_numpy(grads)
    assert set(np.unique(grads)) <= {0.0, 1.0}
    kept = grads.reshape(16, -1).sum(axis=1) / 3
    assert np.all(kept >= 7 * 7) and np.any(kept < 64)  # at most one pixel each way at 8 px


def test_config_round_trip_and_bad_arguments():
    layer = DiffAugment("translation, cutout", translation_ratio=0.25, cutout_ratio=0.3, seed=7)
    clone = DiffAugment.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    x = images(batch=16)
    np.testing.assert_array_equal(
        to_numpy(clone(x, training=True)), to_numpy(layer(x, training=True))
    )
    with pytest.raises(ValueError, match=r"Unknown DiffAugment transform\(s\) \['rotate'\]"):
        DiffAugment("color,rotate")
    with pytest.raises(ValueError, match="Received: policy=3"):
        DiffAugment(3)
    with pytest.raises(ValueError, match="translation_ratio"):
        DiffAugment(translation_ratio=1.5)
    with pytest.raises(ValueError, match="Received: input_shape=\\(None, 8\\)"):
        DiffAugment().build((None, 8))


def test_channels_first_images_get_the_same_transforms():
    x = images(batch=16)
    last = to_numpy(DiffAugment(seed=6)(x, training=True))
    first = DiffAugment(seed=6, data_format="channels_first")
    out = to_numpy(first(np.transpose(x, (0, 3, 1, 2)), training=True))
    np.testing.assert_allclose(np.transpose(out, (0, 2, 3, 1)), last, atol=1e-6)
    with pytest.raises(ValueError, match="Received: data_format='nhwc'"):
        DiffAugment(data_format="nhwc")
