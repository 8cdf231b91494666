"""The shared argument checks: good values pass (in the returned form), bad ones name the
argument and what was received."""

import re

import numpy as np
import pytest
from keras import ops

from keras_gan_kit.utils import validation as v


@pytest.mark.parametrize(
    "check, good, bad",
    [
        (v.check_positive_int, [1, 7], [0, -1, 1.0, True, "2", None]),
        (v.check_non_negative_int, [0, 3], [-1, 0.5, False, None]),
        (v.check_positive_number, [1e-9, 2, 3.5], [0, -1.0, float("nan"), True, "1"]),
        (v.check_non_negative_number, [0, 0.0, 2.5], [-1e-9, float("nan"), True, None]),
        (v.check_fraction, [0, 0.5, 1, np.float32(0.25)], [-0.1, 1.01, float("nan"), True, "x"]),
        (v.check_int, [0, -3, np.int64(5)], [1.0, True, np.bool_(True), "1", None]),
    ],
)
def test_number_checks(check, good, bad):
    for value in good:
        assert check(value, "alpha") == value
    for value in bad:
        with pytest.raises(
            ValueError, match=rf"`alpha` .*Received: alpha={re.escape(repr(value))}"
        ):
            check(value, "alpha")


def test_number_checks_return_types_and_bounds():
    assert type(v.check_int(np.int64(3), "n")) is int
    assert v.check_int(2, "n", minimum=2) == 2
    with pytest.raises(ValueError, match=r"`n` must be an int >= 2. Received: n=1"):
        v.check_int(1, "n", minimum=2)
    assert type(v.check_fraction(1, "p")) is float
    assert v.check_fraction(0.5, "p", low_open=True, high_open=True) == 0.5
    with pytest.raises(ValueError, match=r"in \(0, 1\]. Received: p=0"):
        v.check_fraction(0, "p", low_open=True)
    with pytest.raises(ValueError, match=r"in \[0, 1\). Received: p=1"):
        v.check_fraction(1, "p", high_open=True)


def test_check_seed():
    assert v.check_seed(None) is None
    assert v.check_seed(0) == 0
    assert type(v.check_seed(np.int32(4))) is int
    for bad in (1.5, "0", True, [1]):
        with pytest.raises(ValueError, match=r"`seed` must be an int or None. Received: seed="):
            v.check_seed(bad)
    with pytest.raises(ValueError, match=r"Received: data_seed=2.0"):
        v.check_seed(2.0, arg="data_seed")


def test_check_image_size():
    assert [v.check_image_size(s) for s in (8, 16, 32, 256)] == [1, 2, 3, 6]
    for bad in (4, 12, 0, -8, 8.0, True, "8", np.int64(16)):
        with pytest.raises(
            ValueError, match=rf"power of two >= 8.*Received: image_size={re.escape(repr(bad))}"
        ):
            v.check_image_size(bad)


def test_check_labels_accepts_ids_columns_one_hot_and_tensors():
    expected = np.array([0, 2, 1], "int32")
    for labels in (
        [0, 2, 1],
        np.array([[0], [2], [1]]),
        np.eye(3)[expected],
        np.array([0.0, 2.0, 1.0]),
        ops.convert_to_tensor(np.array([0, 2, 1], "int32")),
    ):
        out = v.check_labels(labels, 3, num_samples=3)
        assert out.dtype == np.int32
        np.testing.assert_array_equal(out, expected)
    # Without num_classes: any id >= 0, one-hot of any width.
    np.testing.assert_array_equal(v.check_labels([5, 0], None), [5, 0])
    np.testing.assert_array_equal(v.check_labels(np.eye(4)[[3, 1]], None), [3, 1])


@pytest.mark.parametrize(
    "labels, num_classes, num_samples, match",
    [
        (
            np.zeros((3, 2)),
            3,
            None,
            r"`y` must have shape \(n,\) .*\(n, 3\) one-hot. "
            r"Received: y.shape=\(3, 2\)",
        ),
        (np.zeros((2, 2, 2)), None, None, r"Received: y.shape=\(2, 2, 2\)"),
        ([0.5, 1.0], 3, None, "`y` must hold integer class ids. Received non-integers"),
        ([0.0, np.nan], 3, None, "Received non-integers"),
        (np.array(["a", "b"]), 3, None, "Received dtype <U1"),
        ([0, 3], 3, None, r"`y` must lie in \[0, 3\). Received values from 0 to 3"),
        ([-1, 0], 3, None, r"must lie in \[0, 3\). Received values from -1 to 0"),
        ([-1, 0], None, None, "`y` must hold class ids >= 0. Received: min -1"),
        ([0, 1], 3, 3, "`y` must have one label per sample: expected 3, received 2"),
    ],
)
def test_check_labels_rejects(labels, num_classes, num_samples, match):
    with pytest.raises(ValueError, match=match):
        v.check_labels(labels, num_classes, num_samples=num_samples, arg="y")


def test_check_labeled_pair():
    x, y = v.check_labeled_pair((np.zeros((2, 3)), [1, 0]), "real")
    assert x.shape == (2, 3) and y.tolist() == [1, 0]
    with pytest.raises(ValueError, match="`real` must be a pair .*Received: real of type ndarray"):
        v.check_labeled_pair(np.zeros((2, 3)), "real")
    with pytest.raises(ValueError, match=r"`real` samples must have a batch axis"):
        v.check_labeled_pair((np.float32(1.0), [0]), "real")
    with pytest.raises(ValueError, match=r"`real\[1\]` must have one label per sample"):
        v.check_labeled_pair((np.zeros((2, 3)), [0]), "real")
    with pytest.raises(ValueError, match=r"`real\[1\]` must lie in \[0, 2\)"):
        v.check_labeled_pair((np.zeros((2, 3)), [0, 2]), "real", num_classes=2)


def test_check_conditional_gan():
    class Conditional:
        latent_shape, num_classes = (2,), 4

        def generate(self):
            pass

    class Unconditional(Conditional):
        num_classes = None

    assert v.check_conditional_gan(Conditional(), "f()") == 4
    with pytest.raises(ValueError, match=r"f\(\) needs a class-conditional GAN.*num_classes=None"):
        v.check_conditional_gan(Unconditional(), "f()")
    with pytest.raises(ValueError, match=r"f\(\) needs a keras_gan_kit.GAN. Received: gan of type"):
        v.check_conditional_gan(object(), "f()")


def test_check_image_array():
    images = np.zeros((2, 4, 4, 3), "float64")
    out = v.check_image_array(images, "x")
    assert out.dtype == np.float32 and out.shape == images.shape
    float32 = np.zeros((1, 4, 4, 1), "float32")
    assert v.check_image_array(float32, "x") is float32  # no copy
    assert v.check_image_array(np.full((1, 4, 4, 1), 200.0), "x", in_tanh_range=False).max() == 200
    assert v.check_image_array(np.zeros((2, 4, 4)), "x", image_rank=2).shape == (2, 4, 4)
    for bad, match in [
        (np.zeros((4, 4, 3)), r"`x` must be a batch .*Received: x.shape=\(4, 4, 3\)"),
        (np.zeros((1, 4, 4, 3), "uint8"), "`x` holds uint8 values. Scale images"),
        (np.zeros((0, 4, 4, 3)), r"`x` is empty. Received: x.shape=\(0, 4, 4, 3\)"),
        (np.full((1, 4, 4, 3), np.inf), "`x` contains NaN or inf"),
        (np.full((1, 4, 4, 3), 1.5), r"`x` spans \[1.5, 1.5\]; images must lie in \[-1, 1\]"),
    ]:
        with pytest.raises(ValueError, match=match):
            v.check_image_array(bad, "x")


def test_check_features():
    out = v.check_features([[1, 2], [3, 4]], "real")
    assert out.dtype == np.float64 and out.shape == (2, 2)
    assert v.check_features(np.ones((1, 3)), "real", min_samples=1).shape == (1, 3)
    for bad, match in [
        ([["a"], ["b"]], "`real` must be an array of shape .*Received: real of type list"),
        (np.ones(4), r"`real` must be 2-D.*Received: real.shape=\(4,\)"),
        (np.ones((1, 3)), r"`real` needs at least 2 samples. Received: real.shape=\(1, 3\)"),
        (np.ones((2, 0)), r"`real` has no features. Received: real.shape=\(2, 0\)"),
        (np.array([[1.0], [np.nan]]), "`real` contains NaN or infinite values"),
    ]:
        with pytest.raises(ValueError, match=match):
            v.check_features(bad, "real")
    v.check_same_feature_dim(np.ones((2, 3)), np.ones((5, 3)), "real", "fake")
    with pytest.raises(ValueError, match="Received: real with 3 features, fake with 4 features"):
        v.check_same_feature_dim(np.ones((2, 3)), np.ones((2, 4)), "real", "fake")


def test_utils_imports_nothing_above_it():
    import ast
    import pathlib

    import keras_gan_kit.utils

    for path in pathlib.Path(keras_gan_kit.utils.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("keras_gan_kit") or node.module.startswith(
                    "keras_gan_kit.utils"
                ), (path.name, node.module)
