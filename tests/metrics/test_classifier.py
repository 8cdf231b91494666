import numpy as np
import pytest

from keras_gan_kit import synthetic_data
from keras_gan_kit.metrics.classifier import build_classifier, predict_scores


@pytest.mark.parametrize("shape", [(8, 8, 1), (5,)])
def test_build_classifier(shape):
    model = build_classifier(shape, 4, width=8)
    x = np.random.default_rng(0).uniform(-1, 1, (6,) + shape).astype("float32")
    history = model.fit(x, np.arange(6) % 4, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert model.predict(x, verbose=0).shape == (6, 4)
    with pytest.raises(ValueError, match=r"Received: input_shape=\(4, 4\)"):
        build_classifier((4, 4), 3)
    with pytest.raises(ValueError, match="Received: num_classes=1"):
        build_classifier(shape, 1)


def test_synthetic_data_exports_the_same_classifier():
    assert synthetic_data.build_classifier is build_classifier


def test_predict_scores_batches_in_inference_mode():
    calls = []

    class Probe:
        def __call__(self, batch):
            calls.append(len(batch))
            return np.asarray(batch)[:, :2] * 2.0

    samples = np.arange(14, dtype="float32").reshape(7, 2)
    scores = predict_scores(Probe(), samples, batch_size=3)
    assert calls == [3, 3, 1]
    assert scores.dtype == np.float64
    np.testing.assert_allclose(scores, samples * 2.0)
