"""Inception Score from class probabilities."""

from __future__ import annotations

import numpy as np

from keras_gan_kit.utils.validation import check_int

__all__ = ["inception_score"]


def inception_score(probabilities, splits: int = 10) -> tuple[float, float]:
    """Inception Score: `exp(E_x KL(p(y|x) || p(y)))`, mean and std over splits.

    The samples are cut into `splits` consecutive, (nearly) equal parts; in
    each, `p(y)` is the mean of the rows and the score is the exponential of
    the mean KL divergence of each row from it (`0 log 0 = 0`). The score is
    between 1 (every sample has the same class distribution) and the number of
    classes (confident predictions spread evenly over all classes). As in the
    original code, the std is over the splits (`ddof=0`).

    Args:
        probabilities: array `(n, num_classes)`. Class probabilities
            `p(y|x)` (softmax outputs; rows sum to 1).
        splits: int. Number of splits; at most `n`. Defaults to 10.

    Returns:
        tuple `(mean, std)` of floats.

    Example:

    ```python
    import numpy as np
    from keras_gan_kit.metrics import inception_score

    inception_score(np.eye(10)[np.arange(1000) % 10])  # (10.0, 0.0)
    ```

    References:
        - [Salimans et al., 2016](https://arxiv.org/abs/1606.03498)
        - [Barratt & Sharma, 2018](https://arxiv.org/abs/1801.01973)
    """
    p = np.asarray(probabilities, dtype="float64")
    if p.ndim != 2 or p.shape[1] < 1:
        raise ValueError(
            "`probabilities` must be 2-D, (num_samples, num_classes). Received: "
            f"probabilities.shape={p.shape}"
        )
    splits = check_int(splits, "splits", minimum=1)
    if splits > p.shape[0]:
        raise ValueError(
            "`splits` must not exceed the number of samples. Received: "
            f"splits={splits} with {p.shape[0]} samples"
        )
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("`probabilities` must be finite and non-negative.")
    row_sums = p.sum(axis=1)
    if not np.allclose(row_sums, 1.0, atol=1e-3):
        worst = float(row_sums[np.argmax(np.abs(row_sums - 1.0))])
        raise ValueError(
            "Each row of `probabilities` must sum to 1 (pass softmax outputs, not logits). "
            f"Received: a row summing to {worst:.6g}"
        )
    scores = []
    for part in np.array_split(p, splits):
        marginal = part.mean(axis=0, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(part > 0, part * (np.log(part) - np.log(marginal)), 0.0)
        scores.append(np.exp(terms.sum(axis=1).mean()))
    scores = np.asarray(scores)
    return float(scores.mean()), float(scores.std())
