"""`keras-gan-kit train dcgan` (also plain `train`): a DCGAN on the bundled digits by default.

The default run shows digits within a few minutes on a laptop CPU: 16x16
digits, non-saturating loss, Adam(4e-4, beta_1=0.5), a generator EMA. The
rate is twice the DCGAN paper's 2e-4: measured on the digits (FID and KID with
the real Inception weights, 3 seeds, `benchmarks/quality_digits.py`), 4e-4
beat 2e-4 on both, at the same cost; `--learning-rate 2e-4` is the recipe
this command used before 2026-12-01.
Penalties are given as `--penalty NAME[:STRENGTH[:INTERVAL]]` and stored in
`config.json` as serialized Keras objects.
"""

from __future__ import annotations

import argparse
import math
import os

from keras_gan_kit.cli import names
from keras_gan_kit.cli.common import CLIError, non_negative_float, positive_int
from keras_gan_kit.cli.train.recipe import Recipe, Training

__all__ = ["DCGANRecipe", "penalties_from_config", "penalty_spec"]


def _decay_epochs(config: dict) -> int:
    """The length in epochs of the `--learning-rate-decay` schedule, checked on `--resume`.

    The schedule is fixed by the run's first `--epochs` and recorded in
    `config.json` as `learning_rate_decay_epochs`: a resume that extends
    `--epochs` would otherwise stretch the decay, so that the rates jump back up
    from where they had decayed to. Such a resume is refused (before any
    training); one with fewer epochs keeps the schedule and stops early. Run
    folders written before the key existed resume as they did (stretched).
    """
    epochs = config["epochs"]
    decay = config.get("learning_rate_decay", "none")
    recorded = config.get("learning_rate_decay_epochs")
    if decay == "none" or recorded is None:
        return epochs
    if epochs > recorded:
        raise CLIError(
            f"--resume: this run decays its learning rates to 0 over its first {recorded} "
            f"epochs (--learning-rate-decay {decay}); --epochs {epochs} would stretch the "
            "decay so that the rates jump back up. Resume with --epochs "
            f"{recorded} at most, or start a new run with the longer --epochs "
            "(or with --learning-rate-decay none)"
        )
    return recorded


def penalty_spec(text: str) -> str:
    """The argparse type of `--penalty`: `NAME[:STRENGTH[:INTERVAL]]`, normalized.

    NAME is a registered penalty name or alias (`gp`, `r1`, `r2`, ...);
    STRENGTH is the penalty's first argument (`weight` of `gp`, `gamma` of
    `r1`/`r2`; the class default when omitted) and INTERVAL its lazy
    regularization interval. Keras is not imported.

    Args:
        text: str. The option's value, e.g. `"r1:1.0:16"`.

    Returns:
        The spec with the main name in lower case and numbers normalized:
        `"R1:1.0:16"` gives `"r1:1:16"`, `"gradient_penalty"` gives `"gp"`.
    """
    known = names.penalty_names()
    by_alias = {alias: name for name, aliases in known.items() for alias in (name, *aliases)}
    parts = text.split(":")
    key = parts[0].strip().lower().replace("-", "_")
    if key not in by_alias or len(parts) > 3:
        forms = " or ".join(f"{n}[:STRENGTH[:INTERVAL]]" for n in known)
        raise argparse.ArgumentTypeError(f"expected {forms}, got {text!r}")
    try:
        strength = float(parts[1]) if len(parts) > 1 else None
        interval = int(parts[2]) if len(parts) > 2 else 1
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad number in penalty {text!r}") from None
    if (strength is not None and not (math.isfinite(strength) and strength >= 0)) or interval < 1:
        raise argparse.ArgumentTypeError(
            f"penalty strength must be a finite number >= 0 and interval >= 1: {text!r}"
        )
    if strength is None:
        return by_alias[key]
    return f"{by_alias[key]}:{strength:g}:{interval}"


def penalties_from_config(entries) -> list:
    """The `Penalty` objects of a run's `penalty` entries.

    Args:
        entries: list. Serialized penalties (dicts, as written to `config.json`)
            or `--penalty` specs (strings, as in older run folders, e.g.
            `"r1:10:1"`).

    Returns:
        A list of `keras_gan_kit.losses.Penalty`.
    """
    from keras_gan_kit import losses

    penalties = []
    for entry in entries or []:
        if isinstance(entry, str):
            name, *numbers = penalty_spec(entry).split(":")
            penalty = losses.get_penalty(name)
            if numbers:
                penalty = type(penalty)(float(numbers[0]), interval=int(numbers[1]))
        else:
            penalty = losses.get_penalty(entry)
        penalties.append(penalty)
    return penalties


def _beta(text: str) -> float:
    """The argparse type of `--beta-1`/`--beta-2`: a number in [0, 1)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), got {text!r}")
    return value


# DiffAugment's transforms, written here because `--help` must not import Keras
# (`keras_gan_kit.augment` does); a test checks them against DiffAugment's own list.
_DIFFAUGMENT_TRANSFORMS = ("color", "translation", "cutout")


def _augment_policy(text: str) -> str:
    """The argparse type of `--augment`: `none` or a DiffAugment policy, normalized."""
    parts = [p.strip().lower() for p in text.split(",") if p.strip()]
    if parts == ["none"]:
        return "none"
    known = _DIFFAUGMENT_TRANSFORMS
    if not parts or any(p not in known for p in parts) or len(set(parts)) != len(parts):
        raise argparse.ArgumentTypeError(
            f"expected none or DiffAugment transforms among {', '.join(known)} joined by "
            f"commas, got {text!r}"
        )
    return ",".join(parts)


class DCGANRecipe(Recipe):
    """`train dcgan`: `DCGANGenerator`/`DCGANDiscriminator` in a `GAN` (conditional with labels)."""

    name = "dcgan"
    order = 0
    help = "a DCGAN (default: the bundled 16x16 digits, under a minute on a 2-core CPU)"
    description = (
        "Train a DCGAN (DCGANGenerator and DCGANDiscriminator in a keras_gan_kit.GAN) and "
        "write a run folder with sample grids from one fixed latent grid, history.csv, a "
        "loss plot, the model and its configuration. Default: the bundled 16x16 digits, "
        "offline, under a minute on TensorFlow on a 2-core CPU. `keras-gan-kit train` "
        "without a model name trains this recipe."
    )
    data_option = "--dataset"
    defaults = {
        "dataset": "digits",
        "image_size": 16,
        "epochs": 30,
        "batch_size": 64,
        "latent_dim": 64,
        "width": 32,
        "loss": "non_saturating",
        "penalty": [],
        "discriminator_normalization": "batch",
        "spectral_norm": False,
        "learning_rate": 4e-4,
        "discriminator_steps": 1,
        "mixed_precision": "none",
        "ema_half_life": 5000.0,
        "ema_rampup": 0.0,
        "beta_1": 0.5,
        "beta_2": 0.999,
        "discriminator_learning_rate": 0.0,
        "learning_rate_decay": "none",
        "augment": "none",
        "seed": 0,
        "conditional": False,
        "sample_every": 1,
        "num_samples": 64,
    }
    option_help = {
        "image_size": "power of two >= 8",
        "learning_rate": "Adam rate of every network (the DCGAN paper and this recipe before "
        "2026-12-01: 2e-4)",
        "width": "base filters of both networks (the paper: 64)",
        "num_samples": "images per grid",
    }

    def add_arguments(self, parser):
        parser.add_argument(
            "--dataset",
            help="digits (bundled, offline), mnist, fashion_mnist, cifar10 (downloaded "
            "through keras.datasets), or a folder of images. Default: digits",
        )
        parser.add_argument("--latent-dim", type=positive_int, help="Default: 64")
        parser.add_argument(
            "--penalty",
            type=penalty_spec,
            action="append",
            help="NAME[:STRENGTH[:INTERVAL]], NAME one of "
            f"{names.describe_names(names.penalty_names())}; STRENGTH is the penalty's first "
            "argument (gp: weight, r1/r2: gamma; default 10), INTERVAL its lazy "
            "regularization interval (default 1); repeatable",
        )
        parser.add_argument(
            "--discriminator-normalization",
            choices=["batch", "layer", "none"],
            help="Default: batch (use none or layer with penalties)",
        )
        parser.add_argument(
            "--spectral-norm", action="store_true", default=None, help="spectral norm in D"
        )
        parser.add_argument("--discriminator-steps", type=positive_int, help="Default: 1")
        parser.add_argument(
            "--ema-half-life",
            type=non_negative_float,
            help="generator EMA half-life in images; 0 disables. Default: 5000",
        )
        parser.add_argument(
            "--ema-rampup",
            type=non_negative_float,
            help="limit the EMA half-life to this fraction of the images seen (StyleGAN2-ADA's "
            "ema_rampup, e.g. 0.05); 0: no ramp-up. Default: 0",
        )
        parser.add_argument(
            "--beta-1", type=_beta, help="Adam beta_1 of both networks. Default: 0.5"
        )
        parser.add_argument(
            "--beta-2", type=_beta, help="Adam beta_2 of both networks. Default: 0.999"
        )
        parser.add_argument(
            "--discriminator-learning-rate",
            type=non_negative_float,
            help="Adam rate of the discriminator (two time-scale updates); 0: the same as "
            "--learning-rate. Default: 0",
        )
        parser.add_argument(
            "--learning-rate-decay",
            choices=["none", "linear", "cosine"],
            help="decay both learning rates to 0 over the run's --epochs (linear or half-cosine "
            "ramp); the length is fixed by the first run, so --resume cannot extend --epochs. "
            "Default: none",
        )
        parser.add_argument(
            "--augment",
            type=_augment_policy,
            help="DiffAugment of every discriminator input (real and generated, also in "
            "penalties): none, or a policy of color, translation, cutout joined by commas, "
            "e.g. translation. Default: none",
        )
        parser.add_argument(
            "--conditional",
            action="store_true",
            default=None,
            help="class-conditional DCGAN on the data set's labels (digits, mnist, "
            "fashion_mnist, cifar10, or a folder whose sub-folders are classes)",
        )

    def build(self, config):
        import keras

        import keras_gan_kit as kgk

        decay = config.get("learning_rate_decay", "none")
        decay_epochs = _decay_epochs(config)

        labels, num_classes, stream = None, None, None
        if os.path.isdir(config["dataset"]):  # streamed: big folders do not fit in memory
            stream = kgk.datasets.ImageFolderDataset(
                config["dataset"],
                image_size=config["image_size"],
                batch_size=config["batch_size"],
                seed=config["seed"],
                return_labels=bool(config.get("conditional")),
            )
            images = stream.take(config["num_samples"])  # for reals.png
            if config.get("conditional"):
                num_classes = len(stream.class_names)
                if num_classes < 2:
                    raise CLIError(
                        f"--conditional needs at least 2 classes; {config['dataset']!r} has "
                        f"{num_classes} (for a folder, put each class in its own sub-folder)"
                    )
        elif config.get("conditional"):
            loaded = kgk.datasets.load(
                config["dataset"], image_size=config["image_size"], return_labels=True
            )
            images, labels = loaded[0], loaded[1]
            num_classes = len(loaded[2]) if len(loaded) == 3 else int(labels.max()) + 1
            if num_classes < 2:
                raise CLIError(
                    f"--conditional needs at least 2 classes; {config['dataset']!r} has "
                    f"{num_classes} (for a folder, put each class in its own sub-folder)"
                )
        else:
            images = kgk.datasets.load(config["dataset"], image_size=config["image_size"])
        channels = images.shape[-1]
        generator = kgk.networks.DCGANGenerator(
            image_size=config["image_size"],
            channels=channels,
            latent_dim=config["latent_dim"],
            base_filters=config["width"],
            num_classes=num_classes,
        )
        discriminator = kgk.networks.DCGANDiscriminator(
            image_size=config["image_size"],
            channels=channels,
            base_filters=config["width"],
            normalization=config["discriminator_normalization"],
            spectral_norm=config["spectral_norm"],
            num_classes=num_classes,
        )
        # Run folders written before an option existed resume with its behaviour then.
        augment = config.get("augment", "none")
        augmentation = None
        if augment != "none":
            augmentation = kgk.augment.DiffAugment(augment, seed=config["seed"])
        gan = kgk.GAN(
            generator,
            discriminator,
            seed=config["seed"],
            num_classes=num_classes,
            augmentation=augmentation,
        )
        penalties = penalties_from_config(config["penalty"])
        num_images = len(images) if stream is None else stream.num_images
        steps = decay_epochs * math.ceil(num_images / config["batch_size"])

        def adam(rate, updates_per_step=1):
            if decay != "none":
                ramps = {
                    "linear": kgk.optimizers.LinearSchedule,
                    "cosine": kgk.optimizers.CosineSchedule,
                }
                rate = ramps[decay](rate, 0.0, steps * updates_per_step)
            return keras.optimizers.Adam(
                rate, beta_1=config.get("beta_1", 0.5), beta_2=config.get("beta_2", 0.999)
            )

        d_rate = config.get("discriminator_learning_rate") or config["learning_rate"]
        gan.compile(
            generator_optimizer=adam(config["learning_rate"]),
            discriminator_optimizer=adam(d_rate, config["discriminator_steps"]),
            loss=config["loss"],
            penalties=penalties,
            discriminator_steps=config["discriminator_steps"],
        )
        callbacks = []
        if config["ema_half_life"] and config["ema_half_life"] > 0:
            rampup = config.get("ema_rampup") or None
            callbacks.append(kgk.callbacks.GeneratorEMA(config["ema_half_life"], rampup=rampup))
        callbacks.append(
            kgk.callbacks.ImageSampleSaver(
                os.path.join(config["output"], "samples"),
                num_samples=config["num_samples"],
                every_n_epochs=config["sample_every"],
                seed=config["seed"],
                real_images=images,
                scale=max(1, 64 // config["image_size"]),
            )
        )
        classes = f", {gan.num_classes} classes" if gan.conditional else ""
        summary = (
            f"training a DCGAN on {config['dataset']} "
            f"({len(images) if stream is None else stream.num_images} images, "
            f"{images.shape[1]}x{images.shape[2]}x{images.shape[3]}{classes}) for "
            f"{config['epochs']} epochs on {keras.backend.backend()}; run folder: "
            f"{config['output']}"
        )
        record = {
            **config,
            "penalty": [keras.saving.serialize_keras_object(p) for p in penalties],
        }
        if decay != "none":
            record["learning_rate_decay_epochs"] = decay_epochs
        data = (images, labels) if stream is None else (stream,)
        return Training(gan, data, callbacks, config["epochs"], summary, record)
