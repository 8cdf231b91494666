import keras
import numpy as np
import pytest

from keras_gan_kit.metrics import FeatureExtractor
from keras_gan_kit.metrics.feature_extractor import resize_matrix


def tiny_model(size=16, channels=3):
    inputs = keras.Input((size, size, channels))
    x = keras.layers.Conv2D(4, 3, strides=2, padding="same")(inputs)
    outputs = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, outputs)


def test_features_shape_dtype_and_batching():
    model = tiny_model()
    images = np.random.default_rng(0).uniform(-1, 1, size=(10, 16, 16, 3)).astype("float32")
    features = FeatureExtractor(model, batch_size=3)(images)
    assert features.shape == (10, 4) and features.dtype == np.float64
    direct = keras.ops.convert_to_numpy(model(images))
    np.testing.assert_allclose(features, direct, rtol=1e-5, atol=1e-6)


def test_value_range_mapping_and_resize_and_gray_to_rgb():
    model = tiny_model()
    rng = np.random.default_rng(1)
    gray = rng.integers(0, 256, size=(4, 8, 8, 1)).astype("uint8")
    features = FeatureExtractor(model, value_range=(0, 255))(gray)
    expected_inputs = keras.ops.image.resize(
        np.repeat(gray.astype("float32") / 127.5 - 1.0, 3, axis=-1),
        (16, 16),
        interpolation="bilinear",
        antialias=False,
    )
    np.testing.assert_allclose(
        features, keras.ops.convert_to_numpy(model(expected_inputs)), rtol=1e-5, atol=1e-6
    )
    # The model's range is honoured too.
    identity = FeatureExtractor(lambda x: x, value_range=(0, 255), model_value_range=(0, 1))
    np.testing.assert_allclose(identity(np.full((2, 3), 255.0)), np.ones((2, 3)), rtol=1e-6)


def test_iterable_of_batches_and_vectors():
    identity = FeatureExtractor(lambda x: x, batch_size=4)
    x = np.arange(30, dtype="float32").reshape(10, 3)
    batches = [(x[:7], None), x[7:]]
    np.testing.assert_array_equal(identity(batches), x)


def test_errors():
    with pytest.raises(ValueError, match="value_range=\\(1, 0\\)"):
        FeatureExtractor(lambda x: x, value_range=(1, 0))
    with pytest.raises(ValueError, match="image_size=\\(0, 4\\)"):
        FeatureExtractor(lambda x: x, image_size=(0, 4))
    with pytest.raises(ValueError, match="model of type int"):
        FeatureExtractor(3)
    with pytest.raises(ValueError, match="empty"):
        FeatureExtractor(lambda x: x)(np.zeros((0, 2)))


@pytest.mark.parametrize("size,new_size", [(8, 37), (37, 8), (32, 299), (5, 5)])
def test_bilinear_resize_matrix_equals_keras_resize(size, new_size):
    rng = np.random.default_rng(size)
    images = rng.uniform(-1, 1, size=(2, size, size + 1, 3)).astype("float32")
    extractor = FeatureExtractor(lambda x: x, image_size=(new_size, new_size + 2))
    got = keras.ops.convert_to_numpy(extractor.preprocess(images))
    expected = keras.ops.convert_to_numpy(
        keras.ops.image.resize(
            images, (new_size, new_size + 2), interpolation="bilinear", antialias=False
        )
    )
    # float32 sampling coordinates in the backends: differences of a few 1e-6.
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_tf1_bilinear_resize_matrix_closed_form():
    # TF1 resize_bilinear(align_corners=False): output j samples input j * in / out.
    matrix = resize_matrix(4, 8, "tf1_bilinear")
    expected = np.zeros((8, 4))
    for j in range(8):
        src = j * 0.5
        lower = int(np.floor(src))
        upper = min(lower + 1, 3)
        expected[j, lower] += 1 - (src - lower)
        expected[j, upper] += src - lower
    np.testing.assert_allclose(matrix, expected)
    assert matrix[0, 0] == 1.0 and matrix[1].tolist() == [0.5, 0.5, 0.0, 0.0]
    assert matrix[-1].tolist() == [0.0, 0.0, 0.0, 1.0]  # clamped at the edge
    np.testing.assert_allclose(resize_matrix(7, 299).sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="method"):
        resize_matrix(4, 8, "bicubic")


def test_quantize_rounds_to_8_bit_levels():
    identity = FeatureExtractor(
        lambda x: x, value_range=(-1, 1), model_value_range=(0, 255), quantize=True
    )
    images = np.array([[-1.0, -0.999, 0.0, 0.5, 1.0, 1.5]], dtype="float32")
    got = keras.ops.convert_to_numpy(identity.preprocess(images))
    # (x + 1) * 127.5 rounded half up and clipped: StyleGAN's uint8 conversion.
    np.testing.assert_allclose(got, [[0, 0, 128, 191, 255, 255]])
    with pytest.raises(ValueError, match="resize_method"):
        FeatureExtractor(lambda x: x, resize_method="area")
