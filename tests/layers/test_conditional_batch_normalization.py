import keras
import numpy as np
import pytest

from keras_gan_kit.layers import ConditionalBatchNormalization
from tests.test_case import (
    assert_serialization_round_trip,
    run_layer_test,
    run_model_saving_test,
)


def numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def data(seed=0, shape=(6, 4, 4, 3)):
    rng = np.random.default_rng(seed)
    x = rng.normal(1.5, 2.0, size=shape).astype("float32")
    labels = np.array([0, 1, 1, 0, 1, 0], "int32")[: shape[0]]
    return x, labels


def built_layer(channels=3, num_classes=2, **kwargs):
    layer = ConditionalBatchNormalization(num_classes, **kwargs)
    layer.build([(None, 4, 4, channels), (None,)])
    rng = np.random.default_rng(1)
    gamma = rng.uniform(0.5, 2.0, (num_classes, channels)).astype("float32")
    beta = rng.normal(size=(num_classes, channels)).astype("float32")
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    return layer, gamma, beta


def test_initial_parameters_are_plain_batch_norm():
    x, labels = data()
    layer = ConditionalBatchNormalization(2)
    y = numpy(layer([x, labels], training=True))
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-5), atol=1e-4)
    np.testing.assert_array_equal(numpy(layer.gamma), np.ones((2, 3)))
    np.testing.assert_array_equal(numpy(layer.beta), np.zeros((2, 3)))
    assert len(layer.trainable_weights) == 2 and len(layer.non_trainable_weights) == 2


def test_training_uses_batch_statistics_and_per_class_affine():
    x, labels = data()
    layer, gamma, beta = built_layer(momentum=0.8)
    y = numpy(layer([x, labels], training=True))
    mean, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))
    normalized = (x - mean) / np.sqrt(var + 1e-5)
    ref = gamma[labels][:, None, None, :] * normalized + beta[labels][:, None, None, :]
    np.testing.assert_allclose(y, ref, atol=1e-4)
    # same image, different class: output differs exactly by the class parameters
    y_swapped = numpy(layer([x, 1 - labels], training=True))
    ref_swapped = (
        gamma[1 - labels][:, None, None, :] * normalized + beta[1 - labels][:, None, None, :]
    )
    np.testing.assert_allclose(y_swapped, ref_swapped, atol=1e-4)
    assert not np.allclose(y, y_swapped)
    # moving statistics: two updates of momentum 0.8 from (0, 1)
    np.testing.assert_allclose(numpy(layer.moving_mean), (1 - 0.8**2) * mean, atol=1e-4)
    np.testing.assert_allclose(
        numpy(layer.moving_variance), 0.8**2 * 1 + (1 - 0.8**2) * var, atol=1e-4
    )


def test_inference_uses_moving_statistics():
    x, labels = data()
    layer, gamma, beta = built_layer()
    moving_mean = np.array([0.5, -1.0, 2.0], "float32")
    moving_var = np.array([4.0, 0.25, 1.0], "float32")
    layer.moving_mean.assign(moving_mean)
    layer.moving_variance.assign(moving_var)
    y = numpy(layer([x, labels]))  # training=None: inference
    ref = (x - moving_mean) / np.sqrt(moving_var + 1e-5)
    ref = gamma[labels][:, None, None, :] * ref + beta[labels][:, None, None, :]
    np.testing.assert_allclose(y, ref, atol=1e-4)
    np.testing.assert_array_equal(numpy(layer.moving_mean), moving_mean)  # not updated
    # a single sample normalizes the same way in inference (no batch dependence)
    np.testing.assert_allclose(numpy(layer([x[:1], labels[:1]])), y[:1], atol=1e-5)


def test_labels_of_shape_batch_by_one_and_2d_features():
    layer, gamma, beta = built_layer(channels=5, num_classes=3)
    x = np.random.default_rng(2).normal(size=(4, 5)).astype("float32")
    labels = np.array([[2], [0], [1], [2]], "int32")
    y = numpy(layer([x, labels], training=True))
    normalized = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)
    np.testing.assert_allclose(y, gamma[labels[:, 0]] * normalized + beta[labels[:, 0]], atol=1e-4)


def test_layer_contract():
    x, y = data()
    run_layer_test(
        ConditionalBatchNormalization,
        {"num_classes": 2},
        [x, y],
        (6, 4, 4, 3),
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=2,
    )


def test_in_a_functional_model_saved_and_loaded_with_trained_state():
    features = keras.Input((4, 4, 3))
    labels = keras.Input((), dtype="int32")
    out = ConditionalBatchNormalization(2, name="cbn")([features, labels])
    model = keras.Model([features, labels], out)
    x, y = data()
    model([x, y], training=True)  # move the statistics away from (0, 1)
    model.get_layer("cbn").gamma.assign(np.array([[1, 2, 3], [3, 2, 1]], "float32"))
    loaded = run_model_saving_test(model, [x, y])
    np.testing.assert_allclose(
        numpy(loaded.get_layer("cbn").moving_mean), numpy(model.get_layer("cbn").moving_mean)
    )
    assert not np.allclose(numpy(loaded.get_layer("cbn").moving_mean), 0.0)


def test_config_and_bad_arguments():
    restored = assert_serialization_round_trip(ConditionalBatchNormalization(7, momentum=0.5))
    assert restored.num_classes == 7 and restored.momentum == 0.5
    with pytest.raises(ValueError, match="num_classes=0"):
        ConditionalBatchNormalization(0)
    with pytest.raises(ValueError, match="momentum=1.0"):
        ConditionalBatchNormalization(2, momentum=1.0)
    with pytest.raises(ValueError, match="epsilon=-1"):
        ConditionalBatchNormalization(2, epsilon=-1)
    with pytest.raises(ValueError, match=r"\[x, labels\]"):
        ConditionalBatchNormalization(2)(np.zeros((2, 3), "float32"))
