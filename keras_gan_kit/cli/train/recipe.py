"""The base of `keras-gan-kit train` recipes, and their registry.

A recipe is one model that `train` can build: its name (`train NAME`), its
own options, its defaults, and `build(config)`, which returns the compiled
model with its data and callbacks. A recipe registers itself by subclassing
`Recipe` with a `name`; any module in `keras_gan_kit/cli/train/` is imported
when the parser is built, so a new recipe is one file there:

```python
# keras_gan_kit/cli/train/wgan.py
from keras_gan_kit.cli.train.recipe import Recipe, Training

class WGANRecipe(Recipe):
    name = "wgan"
    help = "a WGAN-GP on the bundled digits"
    defaults = {**COMMON_DEFAULTS, "dataset": "digits", ...}

    def add_arguments(self, parser):
        parser.add_argument("--dataset", help="...")

    def build(self, config):
        import keras_gan_kit as kgk
        ...
        return Training(model, (images,), callbacks, config["epochs"], "training ...", config)
```

Recipe modules import Keras only inside `build`, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from typing import Any, ClassVar

__all__ = ["Recipe", "Training", "configure_keras", "get_recipe", "recipes"]

_RECIPES: dict[str, type[Recipe]] = {}


@dataclasses.dataclass
class Training:
    """What a recipe's `build(config)` returns: everything `fit` needs, and the record.

    Args:
        model: A compiled Keras model.
        data: tuple. The positional arguments of `model.fit`.
        callbacks: list. Callbacks of the recipe (sample savers, EMA, ...).
        epochs: int. Total epochs to train.
        summary: str. One line printed before training ("training a DCGAN on ...").
        config: dict. The configuration to write to `config.json` (JSON-serializable).
    """

    model: Any
    data: tuple
    callbacks: list
    epochs: int
    summary: str
    config: dict


class Recipe:
    """A model that `keras-gan-kit train NAME` builds and trains.

    Subclasses set the class attributes and implement `build`; a subclass
    with a `name` is registered under it.

    Attributes:
        name: str. The sub-command, `keras-gan-kit train NAME`.
        order: int. Position in the help and in messages (lower first).
        help: str. One line for `keras-gan-kit train --help`.
        description: str. The text of `keras-gan-kit train NAME --help`.
        defaults: dict. Every configuration key and its default value; the
            options shared by all recipes (`--epochs`, `--loss`, ...) and the
            recipe's own fill it.
        option_help: dict. Recipe-specific help for shared options, by key.
        data_option: str. The recipe's option for its training data.
        extendable: tuple of str. Keys that `--resume` may change (the
            schedule); every other key comes from the run's `config.json`.
    """

    name: ClassVar[str | None] = None
    order: ClassVar[int] = 100
    help: ClassVar[str] = ""
    description: ClassVar[str] = ""
    defaults: ClassVar[dict] = {}
    option_help: ClassVar[dict] = {}
    data_option: ClassVar[str] = "--data"
    extendable: ClassVar[tuple[str, ...]] = ("epochs",)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("name"):
            _RECIPES[cls.name] = cls

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Adds the recipe's own options (the shared ones are added for it).

        Args:
            parser: `argparse.ArgumentParser`. The parser of `train NAME`.
        """

    def prepare(self, config: dict) -> None:
        """Fills defaults that depend on other options (in place), before `build`.

        Args:
            config: dict. The configuration of a new run.
        """

    def run_name(self, config: dict) -> str:
        """The name of a new run folder, `runs/<run_name>-<time>`.

        Args:
            config: dict. The configuration of the run.
        """
        data = config.get(self.data_option.lstrip("-"), "images")
        return os.path.basename(os.path.normpath(str(data))) or "images"

    def build(self, config: dict) -> Training:
        """Builds the compiled model, its data and callbacks from `config`.

        Args:
            config: dict. The full configuration (`output` included).

        Returns:
            A `Training`.
        """
        raise NotImplementedError

    def own_options(self) -> set[str]:
        """The option strings that `add_arguments` adds."""
        parser = _RecordingParser(add_help=False)
        self.add_arguments(parser)
        return parser.options


class _RecordingParser(argparse.ArgumentParser):
    """A parser that records the option strings added to it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = set()

    def add_argument(self, *args, **kwargs):
        action = super().add_argument(*args, **kwargs)
        self.options.update(action.option_strings)
        return action


def recipes() -> list[type[Recipe]]:
    """The registered recipe classes, in help order."""
    return sorted(_RECIPES.values(), key=lambda cls: (cls.order, cls.name))


def get_recipe(name: str) -> Recipe:
    """An instance of the recipe registered as `name`.

    Args:
        name: str. A recipe name, e.g. `"dcgan"`.

    Raises:
        ValueError: for an unknown name.
    """
    if name not in _RECIPES:
        raise ValueError(
            f"Unknown recipe. Received: model={name!r}. Expected one of "
            f"{[cls.name for cls in recipes()]}"
        )
    return _RECIPES[name]()


def configure_keras(config: dict) -> None:
    """Sets the dtype policy (`mixed_precision`) and the global seed (`seed`) of a run.

    Args:
        config: dict. A configuration with `mixed_precision` and `seed`.
    """
    import keras

    if config.get("mixed_precision", "none") != "none":
        keras.config.set_dtype_policy(f"mixed_{config['mixed_precision']}")
    keras.utils.set_random_seed(config["seed"])
