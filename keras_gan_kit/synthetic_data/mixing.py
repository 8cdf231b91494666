"""`mix`: real and synthetic data in one array pair, at a chosen ratio."""

from __future__ import annotations

import math

import numpy as np

from keras_gan_kit.synthetic_data.synthesis import encode_labels
from keras_gan_kit.utils.validation import check_fraction, check_int, check_labeled_pair, check_seed

__all__ = ["mix"]


def _num_classes(num_classes, *label_arrays, raw=()):
    if num_classes is not None:
        num_classes = check_int(num_classes, "num_classes", minimum=2)
        top = max((int(y.max()) for y in label_arrays if y.size), default=-1)
        if top >= num_classes:
            raise ValueError(
                f"Labels go up to {top}, beyond num_classes={num_classes}. Received: "
                f"num_classes={num_classes}"
            )
        return num_classes
    widths = [np.shape(y)[1] for y in raw if np.ndim(y) == 2 and np.shape(y)[1] > 1]
    if widths:
        return int(max(widths))
    return max(int(y.max()) + 1 for y in label_arrays if y.size)


def mix(
    real,
    synthetic,
    synthetic_fraction=None,
    one_hot: bool = False,
    num_classes=None,
    shuffle: bool = True,
    seed=None,
):
    """Joins real and synthetic `(samples, labels)` so that synthetic samples make up a share.

    All real samples are kept; the number of synthetic samples is
    `round(n_real * f / (1 - f))` for `synthetic_fraction=f` (taken from the
    start of `synthetic`, which `synthesize` returns shuffled), so the
    synthetic share of the result is `f` up to rounding. For
    `synthetic_fraction=1` the result is `synthetic` alone. Labels may be
    integer ids or one-hot on either side.

    Args:
        real: tuple `(x, y)`. The real samples and labels.
        synthetic: tuple `(x, y)`. Synthetic samples and labels, e.g. from
            `synthesize`; same sample shape as `real`.
        synthetic_fraction: float in [0, 1], or None. Share of synthetic
            samples in the result. None uses all of `synthetic`.
            Defaults to None.
        one_hot: bool. Return one-hot `float32` labels instead of `int32`
            ids. Defaults to False.
        num_classes: int or None. Width of one-hot labels. Defaults to the
            width of one-hot inputs, else the largest label + 1.
        shuffle: bool. Shuffle the result (with `seed`); otherwise real
            samples come first. Defaults to True.
        seed: int or None. Seed of the shuffle. Defaults to None.

    Returns:
        Tuple `(x, y)` of NumPy arrays.

    Raises:
        ValueError: `synthetic` holds fewer samples than the fraction needs
            (the message says how many), or shapes differ.

    Example:

    ```python
    x_syn, y_syn = kgk.synthetic_data.synthesize(gan, samples_per_class=100, seed=0)
    x, y = kgk.synthetic_data.mix((x_real, y_real), (x_syn, y_syn), synthetic_fraction=0.5)
    classifier.fit(x, y, epochs=30)
    ```
    """
    x_real, y_real = check_labeled_pair(real, "real")
    x_syn, y_syn = check_labeled_pair(synthetic, "synthetic")
    seed = check_seed(seed)
    if x_real.shape[1:] != x_syn.shape[1:]:
        raise ValueError(
            "`real` and `synthetic` samples must have the same shape. Received: real "
            f"samples of shape {x_real.shape[1:]}, synthetic samples of shape {x_syn.shape[1:]}"
        )
    if synthetic_fraction is None:
        n_syn = len(x_syn)
    else:
        fraction = check_fraction(synthetic_fraction, "synthetic_fraction")
        if fraction == 1.0:
            x_real, y_real = x_real[:0], y_real[:0]
            n_syn = len(x_syn)
        else:
            n_syn = int(math.floor(len(x_real) * fraction / (1.0 - fraction) + 0.5))
        if n_syn > len(x_syn):
            raise ValueError(
                f"synthetic_fraction={synthetic_fraction} with {len(x_real)} real samples needs "
                f"{n_syn} synthetic samples. Received: {len(x_syn)} synthetic samples. "
                "Generate more (synthesize(num_samples=...)) or lower the fraction."
            )
    classes = _num_classes(num_classes, y_real, y_syn[:n_syn], raw=(real[1], synthetic[1]))
    x = np.concatenate([x_real, x_syn[:n_syn]], axis=0)
    y = np.concatenate([y_real, y_syn[:n_syn]], axis=0)
    if shuffle:
        order = np.random.default_rng(seed).permutation(len(x))
        x, y = x[order], y[order]
    return x, encode_labels(y, one_hot, classes)
