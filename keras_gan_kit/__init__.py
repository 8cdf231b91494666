"""keras_gan_kit: reusable GAN components for Keras 3.

One adversarial `train_step` that runs under `fit()` on TensorFlow, JAX and
PyTorch; swappable losses and penalties; networks, callbacks and data.

Importing the package is cheap: its subpackages (`keras_gan_kit.models`,
`.losses`, ...) and `keras_gan_kit.GAN` are imported on first use (PEP 562),
so `keras-gan-kit --help` starts without loading Keras or a backend. As soon as
Keras is imported (before or after this package), every subpackage is
imported too, so that the classes saved in `.keras` files are registered
with Keras and `keras.models.load_model` finds them, as with an eager import.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys


def _installed_version() -> str:
    """The version from the installed metadata; `pyproject.toml` is its one source."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("keras-gan-kit")
    except PackageNotFoundError:  # a source tree on sys.path, never installed
        return "0+unknown"


__version__ = _installed_version()

_SUBPACKAGES = (
    "augment",
    "callbacks",
    "datasets",
    "layers",
    "losses",
    "metrics",
    "models",
    "networks",
    "optimizers",
    "synthetic_data",
    "trainers",
    "utils",
)
_FROM_MODELS = ("GAN",)

__all__ = ["GAN", *_SUBPACKAGES, "__version__"]


def __getattr__(name: str):
    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _FROM_MODELS:
        value = getattr(importlib.import_module(f"{__name__}.models"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


def _import_all() -> None:
    """Imports every subpackage: registers the package's Keras-serializable classes."""
    for name in _SUBPACKAGES:
        importlib.import_module(f"{__name__}.{name}")


class _ImportAllAfterKeras(importlib.abc.MetaPathFinder):
    """Imports every subpackage once `keras` is imported and no import of this
    package's modules is under way.

    Keras may be imported first by one of this package's own modules (say
    `import keras_gan_kit.layers` before anything imported Keras). Importing every
    subpackage at that moment would run into `keras_gan_kit.layers` half
    initialized, so the import-all waits until the outermost of this package's
    module imports has finished: this finder also wraps the loaders of the
    package's modules and checks after each one.
    """

    def __init__(self):
        self.keras_imported = False

    def find_spec(self, fullname, path=None, target=None):
        is_keras = fullname == "keras"
        if not (is_keras or fullname.startswith(__name__ + ".")):
            return None
        sys.meta_path.remove(self)  # the other finders find it, not this one again
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def exec_then_check(module):
            exec_module(module)
            self.keras_imported = self.keras_imported or is_keras
            if self.keras_imported and not _own_import_under_way(except_for=fullname):
                if self in sys.meta_path:
                    sys.meta_path.remove(self)
                _import_all()

        spec.loader.exec_module = exec_then_check
        return spec


def _own_import_under_way(except_for: str) -> bool:
    """Whether one of this package's modules (other than `except_for`) is still
    being executed by an import statement."""
    for name, module in list(sys.modules.items()):
        if name == except_for or not name.startswith(__name__ + "."):
            continue
        if getattr(getattr(module, "__spec__", None), "_initializing", False):
            return True
    return False


if "keras" in sys.modules:
    _import_all()
elif not any(isinstance(finder, _ImportAllAfterKeras) for finder in sys.meta_path):
    sys.meta_path.insert(0, _ImportAllAfterKeras())
