import numpy as np
import pytest

from keras_gan_kit import synthetic_data
from tests.synthetic_data.toy_models import class_one_probability, label_gan, threshold_classifier
from tests.test_case import small_gan


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"num_samples": 10}, [4, 3, 3]),
        ({"num_samples": 9}, [3, 3, 3]),
        ({"num_samples": 10, "class_weights": [2, 1, 1]}, [5, 3, 2]),  # tie -> lower id
        ({"num_samples": 7, "class_weights": {2: 1.0}}, [0, 0, 7]),
        ({"num_samples": 1000, "class_weights": np.array([0.1, 0.3, 0.6])}, [100, 300, 600]),
        ({"num_samples": 11, "class_weights": [1, 1, 2]}, [3, 3, 5]),
        ({"samples_per_class": 4}, [4, 4, 4]),
        ({"samples_per_class": [1, 0, 2]}, [1, 0, 2]),
        ({"samples_per_class": {1: 5}}, [0, 5, 0]),
    ],
)
def test_class_counts(kwargs, expected):
    counts = synthetic_data.class_counts(3, **kwargs)
    np.testing.assert_array_equal(counts, expected)


def test_class_counts_add_up_for_awkward_weights():
    rng = np.random.default_rng(0)
    for _ in range(50):
        weights = rng.uniform(0, 1, 7)
        n = int(rng.integers(0, 200))
        counts = synthetic_data.class_counts(7, num_samples=n, class_weights=weights)
        assert counts.sum() == n
        assert np.all(np.abs(counts - n * weights / weights.sum()) < 1)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({}, "exactly one of `num_samples` and `samples_per_class`"),
        ({"num_samples": 5, "samples_per_class": 2}, "exactly one"),
        ({"num_samples": -1}, r"Received: num_samples=-1"),
        ({"num_samples": 5, "class_weights": [1, 1]}, "one weight per class"),
        ({"num_samples": 5, "class_weights": [1, -1, 1]}, "must be finite, >= 0"),
        ({"num_samples": 5, "class_weights": [0, 0, 0]}, "not all zero"),
        ({"num_samples": 5, "class_weights": {3: 1}}, r"keys must be class ids in \[0, 3\)"),
        ({"samples_per_class": 2, "class_weights": [1, 1, 1]}, "applies to `num_samples`"),
        ({"samples_per_class": [1, 2]}, "3 counts"),
        ({"samples_per_class": 1.5}, "3 counts"),
    ],
)
def test_class_counts_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        synthetic_data.class_counts(3, **kwargs)


def test_synthesize_balanced_and_weighted_counts_and_labels():
    gan = label_gan(num_classes=3, noise=0.05)
    x, y = synthetic_data.synthesize(gan, num_samples=31, seed=0)
    assert x.shape == (31, 2) and x.dtype == np.float32 and y.dtype == np.int32
    np.testing.assert_array_equal(np.bincount(y, minlength=3), [11, 10, 10])
    np.testing.assert_array_equal(np.round(x[:, 0]), y)  # each sample is of its label's class
    assert not np.all(np.diff(y) >= 0)  # shuffled

    x, y = synthetic_data.synthesize(
        gan, num_samples=20, class_weights={0: 3, 2: 1}, shuffle=False, seed=1
    )
    np.testing.assert_array_equal(y, [0] * 15 + [2] * 5)
    np.testing.assert_array_equal(np.round(x[:, 0]), y)

    x, y = synthetic_data.synthesize(gan, samples_per_class=[2, 0, 1], one_hot=True, seed=0)
    assert y.shape == (3, 3) and y.dtype == np.float32
    np.testing.assert_array_equal(y.sum(axis=0), [2, 0, 1])


def test_synthesize_seed_is_reproducible():
    gan = label_gan()
    a = synthetic_data.synthesize(gan, num_samples=8, seed=3)
    b = synthetic_data.synthesize(gan, num_samples=8, seed=3)
    c = synthetic_data.synthesize(gan, num_samples=8, seed=4)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.allclose(a[0], c[0])


@pytest.mark.parametrize("probabilities", [False, True])
def test_confidence_filter_keeps_only_confident_correct_samples(probabilities):
    gan = label_gan(noise=0.6)  # many samples land on the wrong side of x0 = 0.5
    classifier = threshold_classifier(probabilities=probabilities)
    keep = synthetic_data.ConfidenceFilter(classifier, threshold=0.9)
    x, y = synthetic_data.synthesize(gan, samples_per_class=200, filter=keep, seed=0)
    np.testing.assert_array_equal(np.bincount(y, minlength=2), [200, 200])
    p1 = class_one_probability(x)
    confidence = np.where(y == 1, p1, 1.0 - p1)
    assert np.all(confidence >= 0.9 - 1e-5)
    # without the filter a good share of the samples would fail
    x_raw, y_raw = synthetic_data.synthesize(gan, samples_per_class=200, seed=0)
    p1 = class_one_probability(x_raw)
    assert np.mean(np.where(y_raw == 1, p1, 1.0 - p1) < 0.9) > 0.15  # P(x0 < 0.61 | class 1) = 0.26


def test_confidence_filter_mask_and_detection():
    points = np.array([[1.0, 0.0], [0.55, 0.0], [0.0, 0.0], [1.0, 0.0]], "float32")
    labels = np.array([1, 1, 0, 0])
    for probabilities in (False, True):
        keep = synthetic_data.ConfidenceFilter(threshold_classifier(probabilities=probabilities))
        np.testing.assert_array_equal(keep(points, labels), [True, False, True, False])
        np.testing.assert_allclose(
            keep.probabilities(points)[:, 1], class_one_probability(points), rtol=1e-5
        )
    any_right = synthetic_data.ConfidenceFilter(threshold_classifier(), threshold=0.0)
    np.testing.assert_array_equal(any_right(points, labels), [True, True, True, False])


def test_filter_shortfall_raises_or_warns_and_oversampling_recovers():
    gan = label_gan(noise=0.6)
    # p >= 0.9 needs |x0 - 0.5| > 1.1 with sharpness 1: about 16% of the samples pass
    keep = synthetic_data.ConfidenceFilter(threshold_classifier(sharpness=1.0), threshold=0.9)
    with pytest.raises(RuntimeError, match=r"rejected too many samples: after max_tries=1"):
        synthetic_data.synthesize(gan, samples_per_class=300, filter=keep, max_tries=1, seed=0)
    with pytest.warns(UserWarning, match="Returning the samples kept so far"):
        x, y = synthetic_data.synthesize(
            gan, samples_per_class=300, filter=keep, max_tries=1, on_shortfall="warn", seed=0
        )
    counts = np.bincount(y, minlength=2)
    assert np.all(counts > 0) and np.all(counts < 150)
    x, y = synthetic_data.synthesize(gan, samples_per_class=300, filter=keep, seed=0)
    np.testing.assert_array_equal(np.bincount(y, minlength=2), [300, 300])
    assert np.all(np.abs(x[:, 0] - 0.5) > 1.09)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"num_samples": 4, "filter": "yes"}, "`filter` must be a callable"),
        ({"num_samples": 4, "on_shortfall": "ignore"}, "Received: on_shortfall='ignore'"),
        ({"num_samples": 4, "batch_size": 0}, "Received: batch_size=0"),
        ({"num_samples": 4, "seed": 1.5}, "Received: seed=1.5"),
        ({"num_samples": 4, "filter": lambda x, y: np.ones(2, bool)}, "one bool per sample"),
    ],
)
def test_synthesize_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        synthetic_data.synthesize(label_gan(), **kwargs)


def test_unconditional_gan_is_refused():
    with pytest.raises(ValueError, match="needs a class-conditional GAN"):
        synthetic_data.synthesize(small_gan(), num_samples=4)
    with pytest.raises(ValueError, match="needs a keras_gan_kit.GAN"):
        synthetic_data.synthesize("gan", num_samples=4)


def test_confidence_filter_errors():
    with pytest.raises(ValueError, match="Received: threshold=1.5"):
        synthetic_data.ConfidenceFilter(threshold_classifier(), threshold=1.5)
    with pytest.raises(ValueError, match="Received: from_logits='yes'"):
        synthetic_data.ConfidenceFilter(threshold_classifier(), from_logits="yes")
    with pytest.raises(ValueError, match="`classifier` must be"):
        synthetic_data.ConfidenceFilter(None)
    keep = synthetic_data.ConfidenceFilter(threshold_classifier())
    with pytest.raises(ValueError, match="scores 2 classes but `labels` holds class 2"):
        keep(np.zeros((2, 2), "float32"), [0, 2])
