"""Adversarial losses, discriminator penalties and generator regularizers.

`get()` resolves a loss from a name, an alias, a config dict or an instance;
`get_penalty()` does the same for penalties, and `available()` lists the names:

```python
from keras_gan_kit import losses

losses.get("hinge")          # HingeLoss()
losses.get("wgan")           # WassersteinLoss()
losses.get(losses.HingeLoss())
losses.available()           # {"non_saturating": ("ns", "standard", "bce"), ...}
losses.available("penalties")  # {"gp": ("gradient_penalty",), "r1": (), "r2": ()}
```

The names live on the classes (`class HingeLoss(AdversarialLoss,
register_as="hinge")`); see `AdversarialLoss` and `Penalty` to register your own.
Generator regularizers (`PathLengthRegularizer`) are passed as instances to
`compile(generator_regularizers=[...])`.
"""

from __future__ import annotations

import keras

from keras_gan_kit.losses import adversarial, penalties, regularizers
from keras_gan_kit.losses.adversarial import *  # noqa: F403 - classes and pure functions
from keras_gan_kit.losses.adversarial import AdversarialLoss
from keras_gan_kit.losses.penalties import *  # noqa: F403 - penalty classes
from keras_gan_kit.losses.penalties import Penalty
from keras_gan_kit.losses.registry import LOSSES, PENALTIES
from keras_gan_kit.losses.regularizers import *  # noqa: F403 - generator regularizers

__all__ = [
    *adversarial.__all__,
    *penalties.__all__,
    *regularizers.__all__,
    "available",
    "get",
    "get_penalty",
]

_REGISTRIES = {"losses": LOSSES, "penalties": PENALTIES}


def available(kind: str = "losses") -> dict[str, tuple[str, ...]]:
    """The registered names of losses or penalties, with their aliases.

    Args:
        kind: str. `"losses"` (adversarial losses, for `get`) or
            `"penalties"` (for `get_penalty`). Defaults to `"losses"`.

    Returns:
        A dict `{name: aliases}` in registration order, e.g.
        `{"wasserstein": ("wgan", "w"), "hinge": (), ...}`. Any of these names
        (in any case, with `-` or spaces for `_`) resolves.

    Raises:
        ValueError: for another `kind`.

    Example:

    ```python
    for name, aliases in kgk.losses.available().items():
        print(name, aliases)
    ```
    """
    if kind not in _REGISTRIES:
        raise ValueError(f"`kind` must be one of {sorted(_REGISTRIES)}. Received: kind={kind!r}")
    return _REGISTRIES[kind].names()


def _deserialize_dict(identifier):
    """Deserializes a config dict; returns anything else unchanged."""
    if isinstance(identifier, dict):
        return keras.saving.deserialize_keras_object(identifier)
    return identifier


def get(identifier) -> AdversarialLoss:
    """Resolves an adversarial loss.

    Args:
        identifier: str, dict, or `AdversarialLoss`. A registered name or
            alias (see `available()`: `"non_saturating"`, `"minimax"`,
            `"wasserstein"`, `"hinge"`, `"least_squares"`,
            `"relativistic_average"`, `"rpgan"`, `"ns"`, `"wgan"`, `"lsgan"`, ...), a
            config dict as written by `keras.saving.serialize_keras_object`,
            or an instance (returned as is).

    Returns:
        An `AdversarialLoss` instance.

    Raises:
        ValueError: for an unknown name or an object that is not a loss.
    """
    identifier = _deserialize_dict(identifier)
    if isinstance(identifier, AdversarialLoss):
        return identifier
    if isinstance(identifier, str):
        cls = LOSSES.lookup(identifier)
        if cls is not None:
            return cls()
        raise ValueError(
            f"Unknown adversarial loss. Received: loss={identifier!r}. Expected one "
            f"of {LOSSES.describe()} or an instance of "
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
        identifier: str, dict, or `Penalty`. A registered name or alias (see
            `available("penalties")`: `"gp"` is `GradientPenalty()` with its
            default weight, `"r1"` and `"r2"` have `gamma=10`), a config dict
            or an instance (returned as is).

    Returns:
        A `Penalty` instance.

    Raises:
        ValueError: for an unknown name or an object that is not a penalty.
    """
    identifier = _deserialize_dict(identifier)
    if isinstance(identifier, Penalty):
        return identifier
    cls = PENALTIES.lookup(identifier) if isinstance(identifier, str) else None
    if cls is not None:
        return cls()
    names = ", ".join(cls.__name__ for cls in PENALTIES.classes())
    raise ValueError(
        f"Unknown penalty. Received: {identifier!r}. Expected one of "
        f"{PENALTIES.describe()} or an instance of keras_gan_kit.losses.Penalty "
        f"({names})."
    )
