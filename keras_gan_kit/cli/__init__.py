"""The `keras-gan-kit` command: `train`, `sample`, `evaluate` and `translate`.

One module per command (`keras_gan_kit.cli.train`, `.sample`, `.evaluate`,
`.translate`), each with `register(subparsers)` and `run(args)`; `train` has
one recipe module per model (`train dcgan|pix2pix|cyclegan`). `run_folder`
writes what a training run leaves behind:

```
runs/digits-YYYYmmdd-HHMMSS/
  config.json        the exact configuration (and versions) used
  samples/           DCGAN: reals.png, epoch_0001.png, ... from one fixed latent grid;
                     pix2pix: epoch_0001.png, ... (input | translation | target rows);
                     cyclegan: epoch_0001_ab.png, epoch_0001_ba.png, ...
  history.csv        the logged losses per epoch
  loss_plot.png      the curves of history.csv
  model.keras        the final model (also written on Ctrl-C)
  backup/            BackupAndRestore state, used by --resume
  tensorboard/       with --tensorboard: train/ (losses) and samples/ (the grids)
```

Building the parser imports no Keras and no backend: `--help` and
`--version` answer at once, and a backend that is not installed is reported
in one line before anything imports it.
"""

from __future__ import annotations

import argparse
import sys

from keras_gan_kit import __version__
from keras_gan_kit.cli import evaluate, sample, train, translate
from keras_gan_kit.cli.common import (
    PROG,
    CLIError,
    backend_of_import_error,
    check_backend_installed,
    chosen_backend,
    ensure_backend,
    missing_backend_message,
)
from keras_gan_kit.cli.run_folder import plot_history

__all__ = ["COMMANDS", "CLIError", "build_parser", "main", "plot_history"]

# The command modules, in help order: each has `register(subparsers)` and `run(args)`.
COMMANDS = (train, sample, evaluate, translate)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `keras-gan-kit` command (imports no Keras)."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Train GANs with Keras 3 on TensorFlow, JAX or PyTorch."
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv=None) -> int:
    """Entry point of `keras-gan-kit` and `python -m keras_gan_kit`.

    Args:
        argv: list of str. The arguments; defaults to `sys.argv[1:]`.

    Returns:
        The exit code: 0; 2 for a user error, an unreadable file or a diverged
        training run (reported in one line); 130 after Ctrl-C during training.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    try:
        if extras:
            check = getattr(args, "check_unknown_options", None)
            if check is not None:
                check(args, extras)
            parser.error(f"unrecognized arguments: {' '.join(extras)}")
        ensure_backend(args.backend, argv)
        check_backend_installed(chosen_backend())
        try:
            return args.run(args)
        except ImportError as e:
            backend = backend_of_import_error(e)
            if backend is None:
                raise
            raise CLIError(missing_backend_message(backend)) from e
    except (CLIError, ValueError, RuntimeError, OSError) as e:
        # One line: the first line of the message (Keras' messages can span several).
        text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        print(f"{PROG}: error: {text}", file=sys.stderr)
        return 2
