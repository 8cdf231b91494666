"""The registered loss and penalty names, read from the source without importing Keras.

`keras_gan_kit.losses` imports Keras (and so a backend); the help of
`keras-gan-kit train` must not. The loss and penalty classes register their
names with class keywords (`register_as="wasserstein", aliases=("wgan", "w")`),
so the names can be read from the modules' syntax trees instead. A test checks
that this agrees with `keras_gan_kit.losses.available()`.
"""

from __future__ import annotations

import ast
import functools
import os

__all__ = ["loss_names", "penalty_names", "describe_names"]

_LOSSES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "losses")


@functools.cache
def _scan() -> dict[str, dict[str, tuple[str, ...]]]:
    bases, registered = {}, []
    for filename in sorted(os.listdir(_LOSSES_DIR)):
        if not filename.endswith(".py"):
            continue
        with open(os.path.join(_LOSSES_DIR, filename), encoding="utf-8") as f:
            tree = ast.parse(f.read(), filename)
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            bases[node.name] = [b.id for b in node.bases if isinstance(b, ast.Name)]
            keywords = {k.arg: k.value for k in node.keywords}
            if "register_as" in keywords:
                name = ast.literal_eval(keywords["register_as"])
                aliases = ast.literal_eval(keywords["aliases"]) if "aliases" in keywords else ()
                registered.append((filename, node.lineno, node.name, name, tuple(aliases)))

    def kind(cls, seen=()):
        if cls == "AdversarialLoss":
            return "losses"
        if cls == "Penalty":
            return "penalties"
        for base in bases.get(cls, ()):
            if base not in seen:
                found = kind(base, (*seen, cls))
                if found:
                    return found
        return None

    # The package imports adversarial before penalties: the registration order.
    order = {"adversarial.py": 0, "penalties.py": 1}
    names = {"losses": {}, "penalties": {}}
    for _, _, cls, name, aliases in sorted(
        registered, key=lambda r: (order.get(r[0], 2), r[0], r[1])
    ):
        found = kind(cls)
        if found:
            names[found][name] = aliases
    return names


def loss_names() -> dict[str, tuple[str, ...]]:
    """`{name: aliases}` of the built-in adversarial losses, as `losses.available()`."""
    return dict(_scan()["losses"])


def penalty_names() -> dict[str, tuple[str, ...]]:
    """`{name: aliases}` of the built-in penalties, as `losses.available("penalties")`."""
    return dict(_scan()["penalties"])


def describe_names(names: dict[str, tuple[str, ...]]) -> str:
    """`"a, b (alias), c"`: names with their aliases in brackets, for help texts.

    Args:
        names: dict. `{name: aliases}`.
    """
    return ", ".join(f"{n} ({', '.join(a)})" if a else n for n, a in names.items())
