"""`ConfidenceFilter`: keep the synthetic samples a classifier is sure about."""

from __future__ import annotations

import numpy as np
from keras import ops

from keras_gan_kit.metrics.classifier import predict_scores
from keras_gan_kit.utils.validation import check_fraction, check_labels, check_positive_int

__all__ = ["ConfidenceFilter"]


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def _ends_in_softmax(model) -> bool:
    layers = getattr(model, "layers", None)
    if not layers:
        return False
    activation = getattr(layers[-1], "activation", None)
    return getattr(activation, "__name__", None) == "softmax"


class ConfidenceFilter:
    """Keeps generated samples that a classifier assigns, confidently, to their label.

    A sample generated for class `k` passes when the classifier's most likely
    class is `k` and its probability for `k` is at least `threshold`. Pass it
    as `filter=` to `synthesize` or `MixedDataset`, which then generate
    more samples until each class has its requested count. The classifier is
    usually trained on the real training data (the same data the GAN was
    trained on, never the test data).

    Any callable `filter(samples, labels) -> bool array (n,)` works in the same
    place; this class is the common case.

    Args:
        classifier: `keras.Model` or callable. Maps a batch of samples to
            scores `(n, num_classes)`: logits or probabilities.
        threshold: float in [0, 1]. Minimum probability of the requested
            class. 0 keeps every sample whose predicted class is right.
            Defaults to 0.9.
        from_logits: bool or `"auto"`. Whether the classifier returns logits
            (a softmax is then applied). `"auto"` treats the output as
            probabilities when the model's last layer has a softmax
            activation, or when every row of a call's scores lies in [0, 1]
            and sums to 1; as logits otherwise. Defaults to `"auto"`.
        batch_size: int. Classifier batch size. Defaults to 256.

    Example:

    ```python
    classifier = kgk.synthetic_data.build_classifier((16, 16, 1), 10)
    classifier.fit(x_real, y_real, epochs=30)
    keep = kgk.synthetic_data.ConfidenceFilter(classifier, threshold=0.9)
    x_syn, y_syn = kgk.synthetic_data.synthesize(gan, samples_per_class=100, filter=keep)
    ```

    References:
        Ravuri & Vinyals, "Classification Accuracy Score for Conditional
        Generative Models", NeurIPS 2019 (the classifier-based view of
        sample quality this filter puts to use).
    """

    def __init__(self, classifier, threshold: float = 0.9, from_logits="auto", batch_size=256):
        if not callable(classifier):
            raise ValueError(
                "`classifier` must be a keras.Model or a callable returning class scores. "
                f"Received: classifier of type {type(classifier).__name__}"
            )
        if from_logits not in (True, False, "auto"):
            raise ValueError(
                "`from_logits` must be True, False or 'auto'. Received: "
                f"from_logits={from_logits!r}"
            )
        self.classifier = classifier
        self.threshold = check_fraction(threshold, "threshold")
        self.from_logits = from_logits
        self.batch_size = check_positive_int(batch_size, "batch_size")

    def probabilities(self, samples) -> np.ndarray:
        """Class probabilities `(n, num_classes)` (float64) of `samples`."""
        samples = np.asarray(ops.convert_to_numpy(samples), dtype="float32")
        if len(samples) == 0:
            return np.zeros((0, 0))
        scores = predict_scores(self.classifier, samples, self.batch_size)
        if scores.ndim != 2 or scores.shape[1] < 2 or scores.shape[0] != len(samples):
            raise ValueError(
                "The classifier must return scores of shape (n, num_classes) with "
                f"num_classes >= 2. Received scores of shape {scores.shape} for {len(samples)} "
                "samples."
            )
        from_logits = self.from_logits
        if from_logits == "auto":
            looks_like_probabilities = (
                scores.min() >= 0.0
                and scores.max() <= 1.0
                and np.allclose(scores.sum(axis=1), 1.0, atol=1e-4)
            )
            from_logits = not (_ends_in_softmax(self.classifier) or looks_like_probabilities)
        return _softmax(scores) if from_logits else scores

    def __call__(self, samples, labels) -> np.ndarray:
        """Boolean mask `(n,)`: which samples pass.

        Args:
            samples: array `(n, ...)`. Generated samples.
            labels: int array `(n,)` (or one-hot). The classes they were
                generated for.

        Returns:
            bool array `(n,)`.
        """
        labels = check_labels(labels, None, num_samples=len(samples))
        if len(labels) == 0:
            return np.zeros((0,), bool)
        probabilities = self.probabilities(samples)
        if labels.max() >= probabilities.shape[1]:
            raise ValueError(
                f"The classifier scores {probabilities.shape[1]} classes but `labels` holds "
                f"class {labels.max()}. Received: labels up to {labels.max()}"
            )
        confidence = probabilities[np.arange(len(labels)), labels]
        return (probabilities.argmax(axis=1) == labels) & (confidence >= self.threshold)

    def __repr__(self):
        return f"ConfidenceFilter(threshold={self.threshold}, from_logits={self.from_logits!r})"
