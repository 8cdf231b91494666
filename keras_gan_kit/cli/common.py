"""What every command shares: the program name, one-line errors, argument types, the backend.

Nothing here imports Keras: `keras-gan-kit --help` and `--version` must start
without loading a backend.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import sys

__all__ = [
    "BACKENDS",
    "PROG",
    "CLIError",
    "add_backend_argument",
    "backend_of_import_error",
    "chosen_backend",
    "check_backend_installed",
    "check_tensorboard_installed",
    "load_saved_model",
    "ensure_backend",
    "missing_backend_message",
    "non_negative_float",
    "non_negative_int",
    "positive_float",
    "positive_int",
]

PROG = "keras-gan-kit"
# Keras backend -> (the module it imports, the extra of keras-gan-kit that installs it).
_BACKEND_PACKAGES = {
    "tensorflow": ("tensorflow", "tensorflow"),
    "jax": ("jax", "jax"),
    "torch": ("torch", "torch"),
}
BACKENDS = tuple(_BACKEND_PACKAGES)


class CLIError(Exception):
    """A user error, reported as one line (`keras-gan-kit: error: ...`, exit code 2)."""


def _number_parser(cast, low, inclusive, description):
    """An argparse type: `cast(text)` that is above `low` (or equal, if `inclusive`)."""

    def parse(text):
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {description}, got {text!r}") from None
        if not math.isfinite(value) or not (value >= low if inclusive else value > low):
            raise argparse.ArgumentTypeError(f"expected {description}, got {text!r}")
        return value

    return parse


positive_int = _number_parser(int, 1, True, "a positive integer")
positive_float = _number_parser(float, 0, False, "a finite positive number")
non_negative_int = _number_parser(int, 0, True, "an integer >= 0")
non_negative_float = _number_parser(float, 0, True, "a finite number >= 0")


def add_backend_argument(parser: argparse.ArgumentParser) -> None:
    """Adds `--backend {tensorflow,jax,torch}` to a command's parser.

    Args:
        parser: `argparse.ArgumentParser`. The command's parser.
    """
    parser.add_argument("--backend", choices=BACKENDS, help="Keras backend (else KERAS_BACKEND)")


def ensure_backend(backend: str | None, argv: list[str]) -> None:
    """Selects `backend` for Keras; re-executes the command if Keras runs another one.

    Args:
        backend: str or None. The `--backend` option; None keeps Keras' choice.
        argv: list of str. The command's arguments, for the re-execution.
    """
    if backend is None:
        return
    if sys.modules.get("keras") is not None:
        import keras

        if keras.backend.backend() == backend:
            return
        os.environ["KERAS_BACKEND"] = backend
        sys.stdout.flush()
        os.execv(sys.executable, [sys.executable, "-m", "keras_gan_kit", *argv])
    os.environ["KERAS_BACKEND"] = backend


def chosen_backend() -> str:
    """The backend Keras will use, read as Keras reads it, without importing Keras.

    Returns:
        The running backend if Keras is imported; else `KERAS_BACKEND`, else
        the `backend` of Keras' config file (`$KERAS_HOME/keras.json` or
        `~/.keras/keras.json`), else `"tensorflow"`.
    """
    if sys.modules.get("keras") is not None:
        return sys.modules["keras"].backend.backend()
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    try:
        with open(os.path.join(home, "keras.json")) as f:
            return json.load(f).get("backend") or "tensorflow"
    except (OSError, ValueError, AttributeError):
        return "tensorflow"


def missing_backend_message(backend: str) -> str:
    """One line: the backend is not installed, and the extra that installs it.

    Args:
        backend: str. A Keras backend name.
    """
    _, extra = _BACKEND_PACKAGES[backend]
    return (
        f"the Keras backend {backend!r} is not installed; install it with: "
        f'pip install "keras-gan-kit[{extra}]" (or choose another with --backend or '
        "KERAS_BACKEND)"
    )


def check_backend_installed(backend: str) -> None:
    """Raises `CLIError` (one line naming the extra to install) if `backend` is missing.

    Looks the backend's package up without importing it. Backends other than
    TensorFlow, JAX and PyTorch are left to Keras.

    Args:
        backend: str. A Keras backend name.
    """
    if backend not in _BACKEND_PACKAGES:
        return
    module, _ = _BACKEND_PACKAGES[backend]
    if sys.modules.get(module) is not None:
        return
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise CLIError(missing_backend_message(backend))


def check_tensorboard_installed() -> None:
    """Raises `CLIError` when `--tensorboard` cannot write: TensorFlow or TensorBoard is missing.

    TensorBoard event files are written with TensorFlow's summary API
    (`tf.summary`) on every Keras backend (Keras' own
    `keras.callbacks.TensorBoard` imports it), and TensorFlow 2.16+ takes
    `tf.summary.scalar`/`image` from the `tensorboard` package. Looks both up
    without importing them, so the error comes before any data is loaded or
    any network built.

    Raises:
        CLIError: one line naming `--tensorboard` and what to install.
    """
    missing = [name for name in ("tensorflow", "tensorboard") if not _installed(name)]
    if missing:
        packages = " ".join("tensorflow-cpu" if m == "tensorflow" else m for m in missing)
        raise CLIError(
            "--tensorboard writes TensorBoard logs with TensorFlow's summary API (tf.summary) "
            f"on every Keras backend, and {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not installed; install with: pip install "
            f'{packages} (or "keras-gan-kit[tensorboard]"), or drop --tensorboard'
        )


def _installed(module: str) -> bool:
    """Whether `module` is imported or importable, without importing it."""
    if sys.modules.get(module) is not None:
        return True
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def backend_of_import_error(error: ImportError) -> str | None:
    """The backend whose package failed to import in `error`, or None.

    Args:
        error: `ImportError`. An error raised while importing Keras.
    """
    root = (error.name or "").split(".")[0]
    for backend, (module, _) in _BACKEND_PACKAGES.items():
        if root == module or (backend == "jax" and root == "jaxlib"):
            return backend
    return None


def load_saved_model(path: str, argument: str = "MODEL"):
    """Loads a `.keras` file, turning every way it can fail into one `CLIError` line.

    Args:
        path: str. The file given on the command line.
        argument: str. How the command names it, for the message. Defaults
            to `"MODEL"`.

    Returns:
        The loaded Keras model.

    Raises:
        CLIError: for a missing file, a folder, a file that is not a complete
            `.keras` archive (e.g. truncated by a kill) or any load failure.
    """
    import zipfile

    if os.path.isdir(path):
        raise CLIError(
            f"{argument} {path!r} is a folder; give the .keras file (e.g. {path.rstrip('/')}/"
            "model.keras)"
        )
    if not os.path.exists(path):
        raise CLIError(f"no such model file: {path!r}")
    if not zipfile.is_zipfile(path):
        raise CLIError(
            f"{path!r} is not a complete .keras file (a .keras file is a zip archive; this one "
            "is truncated or of another kind)"
        )
    import keras

    try:
        return keras.models.load_model(path)
    except Exception as e:  # noqa: BLE001 - report any load failure in one line
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CLIError(f"could not load {path!r}: {first}") from e
