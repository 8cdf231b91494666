"""Name registries of adversarial losses and penalties.

A loss or penalty class registers itself with class keywords:

```python
class HingeLoss(AdversarialLoss, register_as="hinge"):
    ...

class WassersteinLoss(AdversarialLoss, register_as="wasserstein", aliases=("wgan", "w")):
    ...
```

`losses.get()`, `losses.get_penalty()`, `losses.available()`, the package's
`__all__` and the `keras-gan-kit train --loss/--penalty` help all read these
registries, so the names are written once, on the class.
"""

from __future__ import annotations

__all__ = ["Registry", "normalize_name"]


def normalize_name(name: str) -> str:
    """The registry key of a name: lower case, `-` and spaces as `_`.

    Args:
        name: str. A loss or penalty name or alias, e.g. `"Non-Saturating"`.

    Returns:
        The normalized name, e.g. `"non_saturating"`.
    """
    return name.strip().lower().replace("-", "_").replace(" ", "_")


class Registry:
    """Classes of one kind (losses or penalties) by name, with aliases.

    Args:
        kind: str. What the registry holds, for error messages (e.g.
            `"adversarial loss"`).
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._classes: dict[str, type] = {}
        self._aliases: dict[str, tuple[str, ...]] = {}
        self._targets: dict[str, str] = {}  # every name and alias -> its name

    def register(self, cls: type, name: str, aliases: tuple[str, ...] | list[str] = ()) -> type:
        """Registers `cls` under `name` and `aliases`.

        Registering the same class again (a reloaded module) replaces it; a
        name or alias held by another class is refused.

        Args:
            cls: type. The class; `get` calls it with no arguments.
            name: str. Its main name.
            aliases: tuple of str. Other names it answers to.

        Returns:
            `cls`.

        Raises:
            ValueError: for an empty name, a bare string as `aliases`, or a
                name or alias already held by another class.
        """
        if not isinstance(name, str) or not normalize_name(name):
            raise ValueError(
                f"A registered {self.kind} needs a non-empty name. Received: register_as={name!r}"
            )
        if isinstance(aliases, str):
            raise ValueError(
                f"`aliases` must be a tuple of names, not a string. Received: aliases={aliases!r}"
            )
        key = normalize_name(name)
        keys = (key, *(normalize_name(alias) for alias in aliases))
        for k in keys:
            holder = self._classes.get(self._targets.get(k))
            if holder is not None and _qualified(holder) != _qualified(cls):
                raise ValueError(
                    f"The {self.kind} name {k!r} is already registered by "
                    f"{_qualified(holder)}. Received: {_qualified(cls)} with "
                    f"register_as={name!r}, aliases={tuple(aliases)!r}"
                )
        self._classes[key] = cls
        self._aliases[key] = tuple(keys[1:])
        for k in keys:
            self._targets[k] = key
        return cls

    def lookup(self, name: str) -> type | None:
        """The class registered under a name or alias (any case), or None."""
        return self._classes.get(self._targets.get(normalize_name(name)))

    def names(self) -> dict[str, tuple[str, ...]]:
        """`{name: aliases}` in registration order."""
        return dict(self._aliases)

    def classes(self) -> list[type]:
        """The registered classes in registration order."""
        return list(self._classes.values())

    def describe(self) -> str:
        """`"['a', 'b'] (aliases: ['x'])"`, for error messages."""
        aliases = sorted(a for values in self._aliases.values() for a in values)
        text = f"{sorted(self._classes)}"
        return f"{text} (aliases: {aliases})" if aliases else text


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


LOSSES = Registry("adversarial loss")
PENALTIES = Registry("penalty")
