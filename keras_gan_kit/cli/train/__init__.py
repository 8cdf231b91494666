"""`keras-gan-kit train [RECIPE]`: train a model and write a run folder.

Each recipe (`dcgan`, `pix2pix`, `cyclegan`, `r3gan`) is one module of this package
with its options, its defaults and its `build(config)` (see
`keras_gan_kit.cli.train.recipe`); every module here is imported when the
parser is built, so adding a file adds `train NAME`. Without a recipe name,
`train` trains `dcgan`, or with `--resume` the recipe of the run folder.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil

from keras_gan_kit.cli import run_folder
from keras_gan_kit.cli.common import (
    PROG,
    CLIError,
    add_backend_argument,
    check_tensorboard_installed,
    positive_float,
    positive_int,
)
from keras_gan_kit.cli.names import describe_names, loss_names
from keras_gan_kit.cli.train.recipe import Recipe, configure_keras, get_recipe, recipes

__all__ = ["DEFAULT_RECIPE", "check_unknown_options", "register", "resolve_config", "run"]

DEFAULT_RECIPE = "dcgan"


def _import_recipe_modules() -> None:
    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")


def _add_shared_arguments(parser, recipe: Recipe) -> None:
    """The options every recipe takes, with the recipe's defaults in their help."""
    defaults, notes = recipe.defaults, recipe.option_help

    def text(key, generic):
        default = defaults.get(key)
        shown = f"{default:g}" if isinstance(default, float) else default
        return f"{notes.get(key, generic)}. Default: {shown}"

    parser.add_argument("--image-size", type=positive_int, help=text("image_size", "pixels"))
    parser.add_argument("--epochs", type=positive_int, help=text("epochs", "epochs"))
    parser.add_argument("--batch-size", type=positive_int, help=text("batch_size", "batch size"))
    parser.add_argument("--width", type=positive_int, help=text("width", "base filters"))
    parser.add_argument(
        "--loss",
        help=text("loss", f"adversarial loss: {describe_names(loss_names())}"),
    )
    parser.add_argument(
        "--learning-rate",
        type=positive_float,
        help=text("learning_rate", "Adam (beta_1=0.5) rate of every network"),
    )
    add_backend_argument(parser)
    parser.add_argument(
        "--mixed-precision",
        choices=["none", "bfloat16", "float16"],
        help=text("mixed_precision", "dtype policy mixed_<value>"),
    )
    parser.add_argument("--seed", type=int, help=text("seed", "seed"))
    parser.add_argument(
        "--sample-every", type=positive_int, help=text("sample_every", "epochs between grids")
    )
    parser.add_argument(
        "--num-samples", type=positive_int, help=text("num_samples", "images per grid")
    )
    example = recipe.run_name({"model": recipe.name, **defaults})
    parser.add_argument("--output", help=f"run folder. Default: runs/{example}-<time>")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue the run in --output from its last completed epoch",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--tensorboard",
        action="store_true",
        help="also write TensorBoard logs (losses and sample grids) to <run folder>/"
        "tensorboard/ (needs tensorflow and tensorboard, on every backend); give it again "
        "with --resume",
    )
    parser.add_argument(
        "--distribute",
        action="store_true",
        help="data-parallel on all local devices (JAX DataParallel, TensorFlow "
        "MirroredStrategy); --batch-size is the global batch. Not on PyTorch",
    )


class _RecipeParser(argparse.ArgumentParser):
    """A recipe's parser; records its options that take a value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.value_options = set()

    def add_argument(self, *args, **kwargs):
        action = super().add_argument(*args, **kwargs)
        if action.nargs != 0:
            self.value_options.update(action.option_strings)
        return action


class _TrainParser(argparse.ArgumentParser):
    """The `train` parser: a missing recipe name means `dcgan` (or the resumed run's)."""

    recipe_parsers: dict[str, _RecipeParser] = {}

    def parse_known_args(self, args=None, namespace=None):
        args = list(args or [])
        names = [cls.name for cls in recipes()]
        explicit = True
        if not args or (args[0].startswith("-") and args[0] not in ("-h", "--help")):
            takes_value = set().union(*(p.value_options for p in self.recipe_parsers.values()))
            index = _recipe_position(args, names, takes_value)
            if index is not None:  # `train --epochs 2 pix2pix`, the old order
                args = [args[index], *args[:index], *args[index + 1 :]]
            else:
                args, explicit = [_default_recipe(args, names), *args], False
        namespace, extras = super().parse_known_args(args, namespace)
        namespace.model = namespace.recipe if explicit else None
        return namespace, extras


def _recipe_position(args, names, takes_value) -> int | None:
    """Where a recipe name stands after options (`train --epochs 2 pix2pix`), or None."""
    skip = False
    for i, token in enumerate(args):
        if skip:
            skip = False
        elif token.startswith("-"):
            skip = "=" not in token and token in takes_value
        else:
            return i if token in names else None
    return None


def _default_recipe(args, names) -> str:
    """`dcgan`, or with `--resume --output RUN` the recipe recorded in RUN/config.json."""
    peek = argparse.ArgumentParser(add_help=False, allow_abbrev=False, exit_on_error=False)
    peek.add_argument("--output")
    peek.add_argument("--resume", action="store_true")
    try:
        known, _ = peek.parse_known_args(args)
    except argparse.ArgumentError:  # e.g. --output without a value: the recipe reports it
        return DEFAULT_RECIPE
    if known.resume and known.output:
        try:
            with open(os.path.join(known.output, run_folder.CONFIG_FILE)) as f:
                model = json.load(f)["train"].get("model", DEFAULT_RECIPE)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            model = DEFAULT_RECIPE  # resolve_config reports the problem
        if model in names:
            return model
    return DEFAULT_RECIPE


def register(subparsers) -> argparse.ArgumentParser:
    """Adds `train` and its recipes to the `keras-gan-kit` sub-commands.

    Args:
        subparsers: The object returned by `parser.add_subparsers()`.

    Returns:
        The `train` parser.
    """
    _import_recipe_modules()
    available = recipes()
    listing = "; ".join(f"{cls.name}: {cls.help}" for cls in available)
    parser = subparsers.add_parser(
        "train",
        help=f"train a {', '.join(cls.name for cls in available)} (defaults: offline data, "
        "minutes on CPU)",
        description="Train a model and write a run folder with sample grids, history.csv, "
        f"a loss plot, the model and its configuration. RECIPE is one of: {listing}. "
        f"Without RECIPE, `{PROG} train [options]` trains {DEFAULT_RECIPE} (with --resume: "
        f"the run's recipe). `{PROG} train RECIPE --help` lists the recipe's options.",
        usage=f"{PROG} train [RECIPE] [options]",
    )
    parser.__class__ = _TrainParser  # add_parser makes the parent's class
    parser.recipe_parsers = {}
    sub = parser.add_subparsers(
        dest="recipe", metavar="RECIPE", required=True, parser_class=_RecipeParser
    )
    for cls in available:
        recipe = cls()
        # No abbreviations: `--data` must not stand for dcgan's `--dataset`.
        recipe_parser = sub.add_parser(
            cls.name,
            help=cls.help,
            description=cls.description,
            prog=f"{PROG} train {cls.name}",
            usage="%(prog)s [options]",
            allow_abbrev=False,
        )
        _add_shared_arguments(recipe_parser, recipe)
        recipe.add_arguments(recipe_parser)
        parser.recipe_parsers[cls.name] = recipe_parser
    parser.set_defaults(run=run, check_unknown_options=check_unknown_options)
    return parser


def check_unknown_options(args, extras) -> None:
    """Refuses, in one line, options of another recipe (`train cyclegan --l1-weight 10`).

    Args:
        args: The parsed namespace.
        extras: list of str. The arguments the recipe's parser did not know.

    Raises:
        CLIError: when an unknown option belongs to other recipes.
    """
    current = get_recipe(args.recipe)
    for token in extras:
        if not token.startswith("--"):
            continue
        option = token.split("=", 1)[0]
        owners = [cls for cls in recipes() if option in cls().own_options()]
        if not owners:
            continue
        hint = ""
        if option in {cls.data_option for cls in owners} and option != current.data_option:
            users = [cls.name for cls in recipes() if cls.data_option == current.data_option]
            hint = f"; use {current.data_option} for {' and '.join(users)}"
        raise CLIError(
            f"{option} applies to {' and '.join(cls.name for cls in owners)} only, not to "
            f"`train {current.name}`{hint}"
        )


def resolve_config(args) -> dict:
    """The configuration of a new run, or of the run `--resume` continues.

    Args:
        args: The parsed namespace of `train`.

    Returns:
        The configuration dict, with `model` and `output`.
    """
    if args.resume:
        if not args.output:
            raise CLIError("--resume needs --output, the run folder to continue")
        config = run_folder.read_config(args.output)
        model = config["model"]
        if args.model is not None and args.model != model:
            raise CLIError(
                f"--resume: {args.output!r} holds a {model} run; got `train {args.model}`"
            )
        config["output"] = args.output  # the folder may have moved since
        recipe = get_recipe(model)
        differing = []
        for key in recipe.defaults:
            value = getattr(args, key, None)
            if value is None or key in recipe.extendable:
                continue
            if value != config.get(key):
                option = "--" + key.replace("_", "-")
                differing.append(f"{option} (run: {config.get(key)!r}, given: {value!r})")
        if differing:
            raise CLIError(
                "--resume continues a run with the options recorded in its config.json; "
                f"these differ: {'; '.join(differing)}. Drop them, or start a new run "
                f"(only {', '.join('--' + k.replace('_', '-') for k in recipe.extendable)} "
                "may change on --resume)"
            )
        for key in recipe.extendable:
            if getattr(args, key, None) is not None:
                config[key] = getattr(args, key)
        return config
    recipe = get_recipe(args.recipe)
    config = {"model": recipe.name, **recipe.defaults}
    for key in recipe.defaults:
        value = getattr(args, key, None)
        if value is not None:
            config[key] = value
    if args.output:
        run_folder.check_new_output(args.output)
    recipe.prepare(config)
    config["output"] = args.output or run_folder.default_output(recipe.run_name(config))
    return config


def run(args) -> int:
    """Runs `keras-gan-kit train`.

    Args:
        args: The parsed namespace.

    Returns:
        The exit code.
    """
    config = resolve_config(args)
    if getattr(args, "tensorboard", False):
        check_tensorboard_installed()
    backup = None
    if args.resume:
        backup = run_folder.find_backup(config["output"])
        if backup is None:
            raise CLIError(
                f"--resume: {config['output']!r} holds no readable backup of a finished epoch "
                f"(in {run_folder.BACKUP_DIR}/); there is nothing to continue, start the run "
                "again without --resume"
            )
    os.makedirs(config["output"], exist_ok=True)
    recipe = get_recipe(config["model"])
    configure_keras(config)
    if getattr(args, "distribute", False):
        import keras

        from keras_gan_kit import trainers

        if keras.backend.backend() == "torch":
            raise CLIError(
                "--distribute is not available on PyTorch from the command line (it needs "
                "one process per device under torchrun); use the Python recipe in the guide "
                "'Multiple GPUs and hosts', or the jax or tensorflow backend"
            )
        # JAX shards each batch evenly over the devices; TensorFlow's strategy splits any.
        jax = keras.backend.backend() == "jax"
        devices = len(keras.distribution.list_devices()) if jax else 1
        if config["batch_size"] % devices:
            raise CLIError(
                f"--distribute splits each batch over {devices} devices; --batch-size must "
                f"be a multiple of {devices}, got {config['batch_size']}"
            )
        with trainers.data_parallel_scope():
            training = recipe.build(config)
        if jax:
            # JAX shards every batch evenly over the devices: trim the arrays so that
            # the epoch's last, partial batch splits evenly too (drops < devices images).
            arrays = [d for d in training.data if hasattr(d, "shape") and d is not None]
            if arrays and all(len(a) == len(arrays[0]) for a in arrays):
                keep = len(arrays[0]) - (len(arrays[0]) % config["batch_size"]) % devices
                training.data = tuple(
                    d[:keep] if hasattr(d, "shape") and d is not None else d for d in training.data
                )
    else:
        training = recipe.build(config)
    if backup is not None:
        if training.epochs <= backup.epoch:
            raise CLIError(
                f"--resume: the run has finished {backup.epoch} epochs and would train "
                f"{training.epochs} in all; give a larger --epochs to train more"
            )
        print(
            f"{PROG}: resuming {config['output']} from epoch {backup.epoch} (of {training.epochs})"
        )
    print(f"{PROG}: {training.summary}")
    return run_folder.run_training(
        training.config,
        training.model,
        training.data,
        training.callbacks,
        training.epochs,
        resume=backup,
        quiet=args.quiet,
        tensorboard=getattr(args, "tensorboard", False),
    )
