import numpy as np
import pytest

from keras_gan_kit.metrics import inception_score


def test_uniform_probabilities_score_one():
    mean, std = inception_score(np.full((100, 7), 1 / 7), splits=5)
    assert mean == pytest.approx(1.0, abs=1e-12)
    assert std == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("classes", [2, 10])
def test_confident_even_predictions_score_num_classes(classes):
    probabilities = np.eye(classes)[np.arange(50 * classes) % classes]
    mean, std = inception_score(probabilities, splits=5)
    assert mean == pytest.approx(classes, rel=1e-12)
    assert std == pytest.approx(0.0, abs=1e-9)


def test_matches_direct_formula():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(40, 6)) * 2
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    py = p.mean(0)
    expected = np.exp(np.mean(np.sum(p * (np.log(p) - np.log(py)), axis=1)))
    assert inception_score(p, splits=1) == pytest.approx((expected, 0.0), rel=1e-12)


def test_errors():
    with pytest.raises(ValueError, match="sum to 1"):
        inception_score(np.ones((10, 3)), splits=1)
    with pytest.raises(ValueError, match="splits=20 with 10 samples"):
        inception_score(np.full((10, 2), 0.5), splits=20)
    with pytest.raises(ValueError, match="non-negative"):
        inception_score(np.array([[1.5, -0.5]]), splits=1)
