"""`ImageHistoryBuffer`: fill, swap, state and serialization semantics."""

import keras
import numpy as np
import pytest

from keras_gan_kit.layers import ImageHistoryBuffer


def constant_images(values, shape=(2, 2, 1)):
    return np.stack([np.full(shape, v, "float32") for v in values])


def pixels(x):
    return keras.ops.convert_to_numpy(x)[:, 0, 0, 0]


def test_fill_then_swap_with_probability_one_half():
    pool = ImageHistoryBuffer(capacity=4, image_shape=(2, 2, 1))
    seed = keras.random.SeedGenerator(0)
    # Filling: every image is stored and returned as is, also across the boundary.
    np.testing.assert_array_equal(pixels(pool(constant_images([1, 2, 3]), seed=seed)), [1, 2, 3])
    out = pixels(pool(constant_images([4, 5]), seed=seed))
    assert out[0] == 4  # slot 3 was free
    assert out[1] in (1, 2, 3, 4, 5)
    assert int(keras.ops.convert_to_numpy(pool.count)) == 4
    # Full: about half of the returned images come from the pool, and each swapped-in
    # image now sits in the pool.
    returned_old = 0
    total = 0
    for step in range(50):
        new = 100.0 + 10 * step + np.arange(8)
        before = set(pixels(pool.images)[:4])
        out = pixels(pool(constant_images(new), seed=seed))
        after = set(pixels(pool.images)[:4])
        from_pool = [v for v in out if v not in new]
        assert set(from_pool) <= before
        returned_old += len(from_pool)
        total += len(out)
        assert after <= before | set(new)
    assert 0.35 < returned_old / total < 0.6


def test_capacity_zero_is_a_pass_through_and_seed_is_required():
    images = constant_images([1, 2])
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(ImageHistoryBuffer(0, (2, 2, 1))(images)), images
    )
    with pytest.raises(ValueError, match="Received: seed=None"):
        ImageHistoryBuffer(2, (2, 2, 1))(images)
    with pytest.raises(ValueError, match="Received: capacity=-1"):
        ImageHistoryBuffer(-1)
    with pytest.raises(ValueError, match="image_shape"):
        ImageHistoryBuffer(2).build((None, None, None, 3))


def test_builds_from_first_input_and_round_trips_config():
    pool = ImageHistoryBuffer(3)
    pool(constant_images([1, 2]), seed=keras.random.SeedGenerator(1))
    assert pool.image_shape == (2, 2, 1)
    restored = ImageHistoryBuffer.from_config(pool.get_config())
    assert restored.capacity == 3 and restored.image_shape == (2, 2, 1)
    assert [w.shape for w in restored.weights] == [w.shape for w in pool.weights]
