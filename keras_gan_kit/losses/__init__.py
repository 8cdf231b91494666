"""Adversarial losses and penalties.

`get()` resolves a loss from a name, an alias, a config dict or an instance:

```python
from keras_gan_kit import losses

losses.get("hinge")          # HingeLoss()
losses.get("wgan")           # WassersteinLoss()
losses.get(losses.HingeLoss())
```
"""

from __future__ import annotations

import keras

from keras_gan_kit.losses.adversarial import (
    AdversarialLoss,
    HingeLoss,
    LeastSquaresLoss,
    MinimaxLoss,
    NonSaturatingLoss,
    RelativisticAverageLoss,
    WassersteinLoss,
    hinge_discriminator_loss,
    hinge_generator_loss,
    least_squares_discriminator_loss,
    least_squares_generator_loss,
    minimax_discriminator_loss,
    minimax_generator_loss,
    non_saturating_discriminator_loss,
    non_saturating_generator_loss,
    relativistic_average_discriminator_loss,
    relativistic_average_generator_loss,
    wasserstein_discriminator_loss,
    wasserstein_generator_loss,
)
from keras_gan_kit.losses.penalties import (
    GradientPenalty,
    Penalty,
    R1Penalty,
    R2Penalty,
)

__all__ = [
    "AdversarialLoss",
    "NonSaturatingLoss",
    "MinimaxLoss",
    "WassersteinLoss",
    "HingeLoss",
    "LeastSquaresLoss",
    "RelativisticAverageLoss",
    "Penalty",
    "GradientPenalty",
    "R1Penalty",
    "R2Penalty",
    "get",
    "get_penalty",
    "non_saturating_discriminator_loss",
    "non_saturating_generator_loss",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "wasserstein_discriminator_loss",
    "wasserstein_generator_loss",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "relativistic_average_discriminator_loss",
    "relativistic_average_generator_loss",
]

_LOSSES = {
    "non_saturating": NonSaturatingLoss,
    "minimax": MinimaxLoss,
    "wasserstein": WassersteinLoss,
    "hinge": HingeLoss,
    "least_squares": LeastSquaresLoss,
    "relativistic_average": RelativisticAverageLoss,
}
_ALIASES = {
    "ns": "non_saturating",
    "standard": "non_saturating",
    "bce": "non_saturating",
    "saturating": "minimax",
    "wgan": "wasserstein",
    "w": "wasserstein",
    "lsgan": "least_squares",
    "mse": "least_squares",
    "rasgan": "relativistic_average",
    "relativistic": "relativistic_average",
}
_PENALTIES = {
    "gp": GradientPenalty,
    "gradient_penalty": GradientPenalty,
    "r1": R1Penalty,
    "r2": R2Penalty,
}


def _normalize(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def _deserialize_dict(identifier):
    """Deserializes a config dict; returns anything else unchanged."""
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    return identifier


def get(identifier) -> AdversarialLoss:
    """Resolves an adversarial loss.

    Args:
        identifier: str, dict, or `AdversarialLoss`. A name (`"non_saturating"`,
            `"minimax"`, `"wasserstein"`, `"hinge"`, `"least_squares"`,
            `"relativistic_average"`) or alias (`"ns"`, `"wgan"`, `"lsgan"`,
            `"rasgan"`, ...), a config dict as written by
            `keras.saving.serialize_keras_object`, or an instance (returned
            as is).

    Returns:
        An `AdversarialLoss` instance.

    Raises:
        ValueError: for an unknown name or an object that is not a loss.
    """
    identifier = _deserialize_dict(identifier)
    if isinstance(identifier, AdversarialLoss):
        return identifier
    if isinstance(identifier, str):
        key = _normalize(identifier)
        key = _ALIASES.get(key, key)
        if key in _LOSSES:
            return _LOSSES[key]()
        raise ValueError(
            f"Unknown adversarial loss. Received: loss={identifier!r}. Expected one "
            f"of {sorted(_LOSSES)} (aliases: {sorted(_ALIASES)}) or an instance of "
            "keras_gan_kit.losses.AdversarialLoss."
        )
    raise ValueError(
        "Could not interpret the adversarial loss. Received: "
        f"loss={identifier!r} of type {type(identifier).__name__}. Expected a name "
        "such as 'hinge' or an instance of keras_gan_kit.losses.AdversarialLoss."
    )


def get_penalty(identifier) -> Penalty:
    """Resolves a discriminator penalty.

    Args:
        identifier: str, dict, or `Penalty`. `"gp"` (`GradientPenalty()` with
            its default weight), `"r1"`, `"r2"` (`gamma=10`), a config dict
            or an instance (returned as is).

    Returns:
        A `Penalty` instance.

    Raises:
        ValueError: for an unknown name or an object that is not a penalty.
    """
    identifier = _deserialize_dict(identifier)
    if isinstance(identifier, Penalty):
        return identifier
    if isinstance(identifier, str) and _normalize(identifier) in _PENALTIES:
        return _PENALTIES[_normalize(identifier)]()
    raise ValueError(
        f"Unknown penalty. Received: {identifier!r}. Expected one of "
        f"{sorted(_PENALTIES)} or an instance of keras_gan_kit.losses.Penalty "
        "(GradientPenalty, R1Penalty, R2Penalty)."
    )
