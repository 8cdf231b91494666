"""Classifier-based measures of a conditional GAN: CAS and label agreement."""

from __future__ import annotations

import numpy as np
from keras import ops

from keras_gan_kit.metrics.classifier import build_classifier, predict_scores
from keras_gan_kit.utils.validation import (
    check_conditional_gan,
    check_int,
    check_labels,
    check_positive_int,
    check_seed,
)

__all__ = ["classification_accuracy_score", "label_agreement"]


def _per_class_accuracy(predictions, labels, num_classes):
    """Accuracy within each true class; NaN for classes with no samples."""
    correct = np.bincount(labels[predictions == labels], minlength=num_classes)
    total = np.bincount(labels, minlength=num_classes)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, correct / np.maximum(total, 1), np.nan)


def _check_real(gan, x, y, num_classes, arg_x, arg_y):
    x = np.asarray(ops.convert_to_numpy(x), dtype="float32")
    if x.ndim < 1 or len(x) == 0 or tuple(x.shape[1:]) != tuple(gan.sample_shape):
        raise ValueError(
            f"`{arg_x}` must be a non-empty array of the GAN's samples, shape "
            f"(n, {', '.join(map(str, gan.sample_shape))}). Received: {arg_x}.shape={x.shape}"
        )
    return x, check_labels(y, num_classes, num_samples=len(x), arg=arg_y)


def _class_balanced_samples(
    gan, num_classes, num_samples, samples_per_class, default_per_class, batch_size, seed, shuffle
):
    """Labelled samples of `gan`, split equally over the classes.

    The same draw as `keras_gan_kit.synthetic_data.synthesize(gan, ...)`
    without a filter, for the same counts and seed: latents from a NumPy
    generator seeded by `seed`, then (with `shuffle`) a permutation from it.
    Written here so that the metrics need nothing from `synthetic_data`,
    which sits above them.
    """
    if num_samples is None and samples_per_class is None:
        samples_per_class = default_per_class
    if num_samples is not None and samples_per_class is not None:
        raise ValueError(
            "Give exactly one of `num_samples` and `samples_per_class`. Received: "
            f"num_samples={num_samples!r}, samples_per_class={samples_per_class!r}"
        )
    if samples_per_class is not None:
        counts = np.full(num_classes, check_int(samples_per_class, "samples_per_class", 0))
    else:
        num_samples = check_int(num_samples, "num_samples", 0)
        counts = np.full(num_classes, num_samples // num_classes)
        counts[: num_samples % num_classes] += 1  # as class_counts: ties go to low ids
    if counts.sum() == 0:
        raise ValueError(
            "No samples to generate: give num_samples or samples_per_class > 0. Received: "
            f"num_samples={num_samples}, samples_per_class={samples_per_class}"
        )
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(num_classes), counts).astype("int32")
    latents = rng.standard_normal((len(labels),) + tuple(gan.latent_shape), dtype="float32")
    samples = gan.generate(latents=latents, labels=labels, batch_size=batch_size)
    if shuffle:
        order = rng.permutation(len(labels))
        samples, labels = samples[order], labels[order]
    return samples, labels


def classification_accuracy_score(
    gan,
    x_test,
    y_test,
    classifier_fn=None,
    num_samples=None,
    samples_per_class=None,
    epochs: int = 10,
    batch_size: int = 64,
    seed=None,
    verbose: int = 0,
) -> dict:
    """Classification Accuracy Score: train on generated data, test on real data.

    Trains a fresh classifier on class-balanced samples of the conditional
    GAN only (labels = the requested classes), then measures its accuracy
    on real test data. A GAN whose samples carry the class information of
    the real data scores near a classifier trained on real data; one that
    ignores labels, drops modes or makes unrecognisable samples scores near
    chance (Ravuri & Vinyals 2019). Use test data the GAN never saw.

    Args:
        gan: a class-conditional `keras_gan_kit.GAN`.
        x_test: array `(n, *gan.sample_shape)`. Real test samples.
        y_test: array `(n,)` of class ids (or one-hot). Real test labels.
        classifier_fn: callable `(input_shape, num_classes) -> keras.Model`
            or None. Builds the classifier: compiled, trained with integer
            labels, returning class scores (logits or probabilities; the
            argmax is the prediction). Defaults to
            `keras_gan_kit.synthetic_data.build_classifier`.
        num_samples: int or None. Synthetic training samples, split equally
            over the classes.
        samples_per_class: int or None. Synthetic samples per class. When
            neither is given, 500 per class.
        epochs: int. Training epochs of the classifier. Defaults to 10.
        batch_size: int. Batch size of training and generation.
            Defaults to 64.
        seed: int or None. Seeds the latents and, through
            `keras.utils.set_random_seed` (global: Python, NumPy, backend),
            the classifier's initial weights and shuffling. Defaults to None
            (nothing is seeded).
        verbose: int. `fit()` verbosity. Defaults to 0.

    Returns:
        dict with `accuracy` (float, on the real test data),
        `per_class_accuracy` (float array `(num_classes,)`, NaN for classes
        absent from `y_test`), `num_train_samples` (int) and `classifier`
        (the trained model).

    Example:

    ```python
    cas = kgk.metrics.classification_accuracy_score(
        gan, x_test, y_test, samples_per_class=500, epochs=10, seed=0
    )
    print(f"CAS {cas['accuracy']:.3f}", cas["per_class_accuracy"].round(2))
    ```

    References:
        Ravuri & Vinyals, "Classification Accuracy Score for Conditional
        Generative Models", NeurIPS 2019.
    """
    import keras

    num_classes = check_conditional_gan(gan, "classification_accuracy_score()")
    x_test, y_test = _check_real(gan, x_test, y_test, num_classes, "x_test", "y_test")
    check_positive_int(epochs, "epochs")
    check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed)
    if classifier_fn is not None and not callable(classifier_fn):
        raise ValueError(
            "`classifier_fn` must be a callable (input_shape, num_classes) -> compiled "
            f"keras.Model. Received: classifier_fn of type {type(classifier_fn).__name__}"
        )
    x_train, y_train = _class_balanced_samples(
        gan,
        num_classes,
        num_samples,
        samples_per_class,
        500,
        batch_size=max(batch_size, 256),
        seed=seed,
        shuffle=True,
    )
    if seed is not None:
        keras.utils.set_random_seed(seed)
    classifier = (classifier_fn or build_classifier)(tuple(gan.sample_shape), num_classes)
    if not isinstance(classifier, keras.Model):
        raise ValueError(
            "`classifier_fn` must return a compiled keras.Model. Received: an object of type "
            f"{type(classifier).__name__}"
        )
    classifier.fit(x_train, y_train, epochs=epochs, batch_size=batch_size, verbose=verbose)
    predictions = predict_scores(classifier, x_test, max(batch_size, 256)).argmax(axis=1)
    return {
        "accuracy": float(np.mean(predictions == y_test)),
        "per_class_accuracy": _per_class_accuracy(predictions, y_test, num_classes),
        "num_train_samples": len(x_train),
        "classifier": classifier,
    }


def label_agreement(
    gan,
    classifier,
    num_samples=None,
    samples_per_class=None,
    batch_size: int = 256,
    seed=None,
) -> dict:
    """How often a classifier trained on real data recognises the requested class.

    Generates class-balanced samples, classifies them, and reports the share
    whose predicted class is the class they were generated for: overall and
    per class. Near 1 when the GAN follows its labels and the samples look
    like the real classes; near chance (`1 / num_classes`) when it ignores
    them. Unlike CAS it cannot see a lack of diversity: one perfect sample
    per class repeated scores 1.

    Args:
        gan: a class-conditional `keras_gan_kit.GAN`.
        classifier: `keras.Model` or callable. Maps samples to class scores
            `(n, num_classes)` (logits or probabilities); trained on real
            data.
        num_samples: int or None. Samples, split equally over the classes.
        samples_per_class: int or None. Samples per class. When neither is
            given, 200 per class.
        batch_size: int. Generation and classification batch size.
            Defaults to 256.
        seed: int or None. Seed of the latents. Defaults to None.

    Returns:
        dict with `accuracy` (float), `per_class_accuracy` (float array
        `(num_classes,)`, NaN for classes with no samples) and
        `confusion_matrix` (int array `(num_classes, num_classes)`: rows are
        requested classes, columns predicted ones).

    Example:

    ```python
    classifier = kgk.synthetic_data.build_classifier((16, 16, 1), 10)
    classifier.fit(x_real, y_real, epochs=30, verbose=0)
    agreement = kgk.metrics.label_agreement(gan, classifier, samples_per_class=200, seed=0)
    print(f"{agreement['accuracy']:.1%} of the samples show the digit they were asked for")
    ```

    References:
        Odena et al., "Conditional Image Synthesis with Auxiliary Classifier
        GANs", ICML 2017 (the classifier-agreement measure); Ravuri &
        Vinyals 2019.
    """
    num_classes = check_conditional_gan(gan, "label_agreement()")
    if not callable(classifier):
        raise ValueError(
            "`classifier` must be a keras.Model or a callable returning class scores. "
            f"Received: classifier of type {type(classifier).__name__}"
        )
    check_positive_int(batch_size, "batch_size")
    seed = check_seed(seed)
    samples, labels = _class_balanced_samples(
        gan,
        num_classes,
        num_samples,
        samples_per_class,
        200,
        batch_size=batch_size,
        seed=seed,
        shuffle=False,
    )
    scores = predict_scores(classifier, samples, batch_size)
    if scores.ndim != 2 or scores.shape != (len(samples), num_classes):
        raise ValueError(
            f"The classifier must return scores of shape (n, {num_classes}) (the GAN's "
            f"classes). Received scores of shape {scores.shape} for {len(samples)} samples."
        )
    predictions = scores.argmax(axis=1)
    confusion = np.zeros((num_classes, num_classes), "int64")
    np.add.at(confusion, (labels, predictions), 1)
    return {
        "accuracy": float(np.mean(predictions == labels)),
        "per_class_accuracy": _per_class_accuracy(predictions, labels, num_classes),
        "confusion_matrix": confusion,
    }
