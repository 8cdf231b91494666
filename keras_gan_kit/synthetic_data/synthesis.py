"""`synthesize` and `class_counts`: labelled synthetic data from a conditional GAN."""

from __future__ import annotations

import warnings

import numpy as np

from keras_gan_kit.utils.validation import (
    check_conditional_gan,
    check_int,
    check_positive_int,
    check_seed,
)

__all__ = ["class_counts", "synthesize"]


def encode_labels(labels: np.ndarray, one_hot: bool, num_classes: int) -> np.ndarray:
    """Class ids as `int32` `(n,)`, or as one-hot `float32` `(n, num_classes)`.

    Args:
        labels: int array `(n,)`. Class ids in `[0, num_classes)`.
        one_hot: bool. Return one-hot rows instead of ids.
        num_classes: int. Width of the one-hot rows.

    Returns:
        The encoded labels.
    """
    if not one_hot:
        return labels.astype("int32")
    return np.eye(num_classes, dtype="float32")[labels]


def _weights_array(class_weights, num_classes: int) -> np.ndarray:
    if isinstance(class_weights, dict):
        weights = np.zeros(num_classes)
        for key, value in class_weights.items():
            if (
                not isinstance(key, (int, np.integer))
                or isinstance(key, bool)
                or not 0 <= key < num_classes
            ):
                raise ValueError(
                    f"`class_weights` keys must be class ids in [0, {num_classes}). "
                    f"Received: class_weights key {key!r}"
                )
            weights[int(key)] = value
    else:
        try:
            weights = np.asarray(class_weights, dtype="float64")
        except (TypeError, ValueError) as e:
            raise ValueError(
                "`class_weights` must be a dict {class_id: weight} or a sequence of "
                f"{num_classes} weights. Received: class_weights={class_weights!r}"
            ) from e
        if weights.shape != (num_classes,):
            raise ValueError(
                f"`class_weights` must hold one weight per class ({num_classes}). Received: "
                f"class_weights of shape {weights.shape}"
            )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise ValueError(
            "`class_weights` must be finite, >= 0 and not all zero. Received: "
            f"class_weights={class_weights!r}"
        )
    return weights / weights.sum()


def class_counts(
    num_classes: int, num_samples=None, samples_per_class=None, class_weights=None
) -> np.ndarray:
    """How many samples of each class to generate; the counts add up exactly.

    Give exactly one of `num_samples` (split over the classes in proportion to
    `class_weights`, equal shares by default) and `samples_per_class`.
    Fractional shares are rounded with the largest-remainder method, so the
    counts sum to `num_samples` and differ from the exact shares by less than
    one (ties go to the lower class id).

    Args:
        num_classes: int >= 2. Number of classes.
        num_samples: int or None. Total number of samples.
        samples_per_class: int, or a sequence / dict of per-class ints, or None.
            Exact counts: an int for every class, or one count per class (a
            dict leaves missing classes at 0).
        class_weights: dict `{class_id: weight}`, a sequence of `num_classes`
            weights, or None (equal). Relative class frequencies (normalised;
            >= 0, not all zero). Only with `num_samples`.

    Returns:
        `int64` array `(num_classes,)`.

    Example:

    ```python
    class_counts(3, num_samples=10)                          # [4, 3, 3]
    class_counts(3, num_samples=10, class_weights=[2, 1, 1]) # [5, 3, 2]
    class_counts(3, samples_per_class={0: 5})                # [5, 0, 0]
    ```
    """
    check_positive_int(num_classes, "num_classes")
    if (num_samples is None) == (samples_per_class is None):
        raise ValueError(
            "Give exactly one of `num_samples` and `samples_per_class`. Received: "
            f"num_samples={num_samples!r}, samples_per_class={samples_per_class!r}"
        )
    if samples_per_class is not None:
        if class_weights is not None:
            raise ValueError(
                "`class_weights` applies to `num_samples`; with `samples_per_class` give the "
                f"counts directly. Received: class_weights={class_weights!r}"
            )
        if isinstance(samples_per_class, (int, np.integer)) and not isinstance(
            samples_per_class, bool
        ):
            return np.full(num_classes, check_int(samples_per_class, "samples_per_class", 0))
        if isinstance(samples_per_class, dict):
            counts = np.zeros(num_classes, "int64")
            for key, value in samples_per_class.items():
                if not isinstance(key, (int, np.integer)) or not 0 <= key < num_classes:
                    raise ValueError(
                        f"`samples_per_class` keys must be class ids in [0, {num_classes}). "
                        f"Received: samples_per_class key {key!r}"
                    )
                counts[int(key)] = check_int(value, f"samples_per_class[{key}]", minimum=0)
            return counts
        values = list(np.asarray(samples_per_class).reshape(-1).tolist())
        if len(values) != num_classes or np.ndim(samples_per_class) != 1:
            raise ValueError(
                f"`samples_per_class` must be an int, a dict or {num_classes} counts. "
                f"Received: samples_per_class={samples_per_class!r}"
            )
        return np.array(
            [check_int(v, f"samples_per_class[{i}]", 0) for i, v in enumerate(values)],
            "int64",
        )
    num_samples = check_int(num_samples, "num_samples", minimum=0)
    weights = (
        np.full(num_classes, 1.0 / num_classes)
        if class_weights is None
        else _weights_array(class_weights, num_classes)
    )
    shares = weights * num_samples
    counts = np.floor(shares).astype("int64")
    remainders = shares - counts
    order = np.lexsort((np.arange(num_classes), -remainders))  # largest first, then low id
    counts[order[: num_samples - counts.sum()]] += 1
    return counts


def _latents(rng, n, latent_shape):
    return rng.standard_normal((n,) + tuple(latent_shape), dtype="float32")


def synthesize(
    gan,
    num_samples=None,
    samples_per_class=None,
    class_weights=None,
    filter=None,  # noqa: A002 - the natural name; shadows the builtin only here
    one_hot: bool = False,
    shuffle: bool = True,
    batch_size: int = 256,
    seed=None,
    max_tries: int = 10,
    on_shortfall: str = "raise",
):
    """Generates a labelled synthetic data set from a class-conditional GAN.

    Each class gets its count from `class_counts` (equal shares by default,
    or `class_weights`, or exact `samples_per_class`). Latents are standard
    normal draws from a NumPy generator seeded by `seed`, so a seed gives the
    same latents on every backend, and samples are made by
    `gan.generate(latents=..., labels=...)` (the EMA generator if enabled).

    With a `filter`, rejected samples are replaced: each round generates, for
    every class still short, the missing count divided by that class's
    acceptance rate so far (with 10% extra), for at most `max_tries` rounds.

    Args:
        gan: a class-conditional `keras_gan_kit.GAN` (`num_classes` set).
        num_samples: int. Total number of samples, split over the classes.
        samples_per_class: int, sequence or dict. Exact per-class counts
            (see `class_counts`). Give exactly one of the two.
        class_weights: dict, sequence or None. Relative class frequencies
            for `num_samples`; normalised. Defaults to None (balanced).
        filter: callable `filter(samples, labels) -> bool (n,)` or None,
            e.g. a `ConfidenceFilter`. Keeps only the samples it accepts.
            Defaults to None.
        one_hot: bool. Return one-hot `float32` labels `(n, num_classes)`
            instead of `int32` class ids `(n,)`. Defaults to False.
        shuffle: bool. Shuffle the output (with `seed`); otherwise samples
            come grouped by class in class order. Defaults to True.
        batch_size: int. Generator (and filter) batch size. Defaults to 256.
        seed: int or None. Seed of the latents, the order and nothing else.
            Defaults to None (fresh randomness).
        max_tries: int. Generation rounds allowed when filtering.
            Defaults to 10.
        on_shortfall: `"raise"` or `"warn"`. What to do when the filter still
            leaves a class short after `max_tries` rounds: raise a
            `RuntimeError`, or warn and return the samples kept so far.
            Defaults to `"raise"`.

    Returns:
        Tuple `(samples, labels)` of NumPy arrays: `float32` samples
        `(n, *gan.sample_shape)` and labels as above.

    Example:

    ```python
    x_syn, y_syn = kgk.synthetic_data.synthesize(gan, samples_per_class=100, seed=0)
    x_syn, y_syn = kgk.synthetic_data.synthesize(
        gan, num_samples=1000, class_weights={0: 3, 1: 1}, seed=0
    )  # 750 of class 0, 250 of class 1 (a 2-class GAN)
    ```

    References:
        Antoniou et al., "Data Augmentation Generative Adversarial Networks",
        2017; Ravuri & Vinyals, "Classification Accuracy Score for
        Conditional Generative Models", NeurIPS 2019.
    """
    num_classes = check_conditional_gan(gan, "synthesize()")
    counts = class_counts(num_classes, num_samples, samples_per_class, class_weights)
    check_positive_int(batch_size, "batch_size")
    check_positive_int(max_tries, "max_tries")
    seed = check_seed(seed)
    if filter is not None and not callable(filter):
        raise ValueError(
            "`filter` must be a callable filter(samples, labels) -> bool mask, e.g. a "
            f"ConfidenceFilter. Received: filter of type {type(filter).__name__}"
        )
    if on_shortfall not in ("raise", "warn"):
        raise ValueError(
            f"`on_shortfall` must be 'raise' or 'warn'. Received: on_shortfall={on_shortfall!r}"
        )
    rng = np.random.default_rng(seed)
    kept = [[] for _ in range(num_classes)]
    have = np.zeros(num_classes, "int64")
    generated = np.zeros(num_classes, "int64")
    accepted = np.zeros(num_classes, "int64")
    for _ in range(max_tries if filter is not None else 1):
        need = counts - have
        if not np.any(need > 0):
            break
        if filter is None:
            ask = need
        else:
            # Acceptance rate so far (optimistic 1 before any data; floor 2%).
            rate = np.where(generated > 0, accepted / np.maximum(generated, 1), 1.0)
            ask = np.where(
                need > 0, np.ceil(need / np.maximum(rate, 0.02) * 1.1).astype("int64"), 0
            )
        labels = np.repeat(np.arange(num_classes), ask).astype("int32")
        samples = gan.generate(
            latents=_latents(rng, len(labels), gan.latent_shape),
            labels=labels,
            batch_size=batch_size,
        )
        if filter is not None:
            mask = np.asarray(filter(samples, labels)).astype(bool).reshape(-1)
            if mask.shape != (len(labels),):
                raise ValueError(
                    f"`filter` must return one bool per sample ({len(labels)}). Received an "
                    f"output of shape {mask.shape}"
                )
            np.add.at(generated, labels, 1)
            np.add.at(accepted, labels[mask], 1)
            samples, labels = samples[mask], labels[mask]
        for k in np.flatnonzero(need > 0):
            chosen = samples[labels == k][: need[k]]
            kept[k].append(chosen)
            have[k] += len(chosen)
    short = np.flatnonzero(have < counts)
    if len(short):
        rates = ", ".join(
            f"class {k}: {have[k]}/{counts[k]} kept, acceptance "
            f"{accepted[k] / max(generated[k], 1):.1%}"
            for k in short
        )
        message = (
            f"The filter rejected too many samples: after max_tries={max_tries} rounds "
            f"({rates}). Lower the filter's threshold, raise `max_tries`, or train the GAN "
            "longer."
        )
        if on_shortfall == "raise":
            raise RuntimeError(message)
        warnings.warn(message + " Returning the samples kept so far.", stacklevel=2)
    sample_shape = tuple(gan.sample_shape)
    samples = np.concatenate(
        [np.zeros((0,) + sample_shape, "float32")] + [part for parts in kept for part in parts],
        axis=0,
    )
    labels = np.repeat(np.arange(num_classes), have).astype("int32")
    if shuffle:
        order = rng.permutation(len(labels))
        samples, labels = samples[order], labels[order]
    return samples, encode_labels(labels, one_hot, num_classes)
