"""The `keras-gan-kit` command: `train`, `sample`, `evaluate` and `translate`.

`keras-gan-kit train` with no options trains a DCGAN on the bundled digits;
`keras-gan-kit train pix2pix` and `keras-gan-kit train cyclegan` train
image-to-image models (on offline demo sets by default). Each writes a run
folder:

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
```

`keras-gan-kit translate MODEL INPUT OUTPUT` runs a saved Pix2Pix or
CycleGAN on an image or a folder of images of any sizes.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import math
import os
import sys

PROG = "keras-gan-kit"
BACKENDS = ("tensorflow", "jax", "torch")

# Defaults of `train`: a DCGAN on the bundled 16x16 digits that shows digits
# within a few minutes on a laptop CPU.
TRAIN_DEFAULTS = {
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
    "learning_rate": 2e-4,
    "discriminator_steps": 1,
    "mixed_precision": "none",
    "ema_half_life": 5000.0,
    "seed": 0,
    "conditional": False,
    "sample_every": 1,
    "num_samples": 64,
}

MODELS = ("dcgan", "pix2pix", "cyclegan")

# Defaults of `train pix2pix` / `train cyclegan`: small networks on the offline
# 64x64 demo sets, sized to finish within a few minutes on a 2-core CPU.
PIX2PIX_DEFAULTS = {
    "model": "pix2pix",
    "data": "demo",
    "image_size": 64,
    "direction": None,
    "num_images": None,
    "epochs": 6,
    "decay_epochs": 0,
    "batch_size": 4,
    "width": 32,
    "loss": "non_saturating",
    "learning_rate": 2e-4,
    "l1_weight": 100.0,
    "mixed_precision": "none",
    "seed": 0,
    "sample_every": 1,
    "num_samples": 4,
}
CYCLEGAN_DEFAULTS = {
    "model": "cyclegan",
    "data": "demo",
    "image_size": 64,
    "direction": None,
    "num_images": None,
    "epochs": 6,
    "decay_epochs": 0,
    "batch_size": 1,
    "width": 16,
    "loss": "least_squares",
    "learning_rate": 2e-4,
    "cycle_weight": 10.0,
    "identity_weight": 0.5,
    "residual_blocks": None,
    "mixed_precision": "none",
    "seed": 0,
    "sample_every": 1,
    "num_samples": 4,
}
# Images drawn from the demo sets when --num-images is not given.
DEMO_NUM_IMAGES = {"pix2pix": 400, "cyclegan": 128}

# Options that only some models take; every other option applies to all.
MODEL_OPTIONS = {
    "dataset": ("dcgan",),
    "latent_dim": ("dcgan",),
    "penalty": ("dcgan",),
    "discriminator_normalization": ("dcgan",),
    "spectral_norm": ("dcgan",),
    "discriminator_steps": ("dcgan",),
    "ema_half_life": ("dcgan",),
    "conditional": ("dcgan",),
    "data": ("pix2pix", "cyclegan"),
    "direction": ("pix2pix", "cyclegan"),
    "num_images": ("pix2pix", "cyclegan"),
    "decay_epochs": ("pix2pix", "cyclegan"),
    "l1_weight": ("pix2pix",),
    "cycle_weight": ("cyclegan",),
    "identity_weight": ("cyclegan",),
    "residual_blocks": ("cyclegan",),
}


class CLIError(Exception):
    """A user error, reported as one line."""


def _number_parser(cast, low, inclusive, description):
    """An argparse type: `cast(text)` that is above `low` (or equal, if `inclusive`)."""

    def parse(text):
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {description}, got {text!r}") from None
        if not (value >= low if inclusive else value > low):
            raise argparse.ArgumentTypeError(f"expected {description}, got {text!r}")
        return value

    return parse


_positive_int = _number_parser(int, 1, True, "a positive integer")
_positive_float = _number_parser(float, 0, False, "a positive number")
_non_negative_int = _number_parser(int, 0, True, "an integer >= 0")
_non_negative_float = _number_parser(float, 0, True, "a number >= 0")


def _penalty(text):
    """`gp`, `r1:GAMMA`, `r2:GAMMA:INTERVAL`, `gp:WEIGHT`."""
    parts = text.split(":")
    name = parts[0].lower()
    if name not in ("gp", "r1", "r2") or len(parts) > 3:
        raise argparse.ArgumentTypeError(
            f"expected gp[:WEIGHT[:INTERVAL]], r1[:GAMMA[:INTERVAL]] or r2[...], got {text!r}"
        )
    try:
        strength = float(parts[1]) if len(parts) > 1 else 10.0
        interval = int(parts[2]) if len(parts) > 2 else 1
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad number in penalty {text!r}") from None
    if strength < 0 or interval < 1:
        raise argparse.ArgumentTypeError(
            f"penalty strength must be >= 0 and interval >= 1: {text!r}"
        )
    return f"{name}:{strength:g}:{interval}"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `keras-gan-kit` command."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Train GANs with Keras 3 on TensorFlow, JAX or PyTorch."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser(
        "train",
        help="train a DCGAN, pix2pix or CycleGAN (defaults: offline data, minutes on CPU)",
        description="Train a model and write a run folder with sample grids, history.csv, "
        "a loss plot, the model and its configuration. MODEL is dcgan (default: the bundled "
        "digits, 16x16, under a minute on TensorFlow on a 2-core CPU), pix2pix (paired "
        "translation; default: the offline 64x64 label-map -> photo demo set, 400 images, "
        "6 epochs, about 2 minutes) or cyclegan (unpaired translation; default: the offline "
        "64x64 photo <-> painting demo set, 128 images per domain, 6 epochs, about 2 "
        "minutes). Options marked [dcgan], [pix2pix], [cyclegan] or [translation] apply "
        "to those models only.",
    )
    train.add_argument(
        "model",
        nargs="?",
        choices=MODELS,
        default=None,
        metavar="MODEL",
        help="dcgan (default), pix2pix or cyclegan",
    )
    train.add_argument(
        "--dataset",
        default=None,
        help="[dcgan] digits (bundled, offline), mnist, fashion_mnist, cifar10 (downloaded "
        "through keras.datasets), or a folder of images. Default: digits",
    )
    train.add_argument(
        "--data",
        help="[translation] demo (offline), a public set (pix2pix: facades, cityscapes, maps, "
        "edges2shoes, night2day; cyclegan: horse2zebra, monet2photo, ...; downloaded once) "
        "or a folder. Default: demo",
    )
    train.add_argument(
        "--direction",
        choices=["AtoB", "BtoA"],
        help="[translation] pix2pix: which side is the input (default: the set's usual one); "
        "cyclegan: BtoA swaps the two domains. Default: AtoB",
    )
    train.add_argument(
        "--num-images",
        type=_positive_int,
        help="[translation] use at most this many training images (per domain). "
        "Default: all (demo: 400 for pix2pix, 128 for cyclegan)",
    )
    train.add_argument(
        "--image-size",
        type=_positive_int,
        help="dcgan: power of two >= 8, default 16; translation: default 64 (the papers: 256)",
    )
    train.add_argument(
        "--epochs",
        type=_positive_int,
        help="dcgan: default 30; translation: epochs at the initial learning rate, default 6",
    )
    train.add_argument(
        "--decay-epochs",
        type=_non_negative_int,
        help="[translation] then this many epochs with the learning rate decaying linearly "
        "to 0 (the papers: 100 + 100). Default: 0",
    )
    train.add_argument(
        "--batch-size",
        type=_positive_int,
        help="Default: 64 (dcgan), 4 (pix2pix), 1 (cyclegan, the paper's)",
    )
    train.add_argument("--latent-dim", type=_positive_int, help="[dcgan] Default: 64")
    train.add_argument(
        "--width",
        type=_positive_int,
        help="base filters of the networks. Default: 32 (dcgan, pix2pix), 16 (cyclegan); "
        "the papers: 64",
    )
    train.add_argument(
        "--loss",
        help="non_saturating, minimax, wasserstein, hinge, least_squares, "
        "relativistic_average. Default: non_saturating (dcgan, pix2pix), least_squares "
        "(cyclegan)",
    )
    train.add_argument(
        "--l1-weight",
        type=_non_negative_float,
        help="[pix2pix] weight of the L1 term (lambda). Default: 100",
    )
    train.add_argument(
        "--cycle-weight",
        type=_non_negative_float,
        help="[cyclegan] weight of the cycle-consistency terms (lambda). Default: 10",
    )
    train.add_argument(
        "--identity-weight",
        type=_non_negative_float,
        help="[cyclegan] identity term, relative to --cycle-weight; 0 disables. Default: 0.5",
    )
    train.add_argument(
        "--residual-blocks",
        type=_positive_int,
        help="[cyclegan] residual blocks of the generators. Default: 6 up to 128 px, "
        "9 above (the paper's)",
    )
    train.add_argument(
        "--penalty",
        type=_penalty,
        action="append",
        help="[dcgan] gp[:WEIGHT[:INTERVAL]], r1[:GAMMA[:INTERVAL]] or r2[...]; repeatable",
    )
    train.add_argument(
        "--discriminator-normalization",
        choices=["batch", "layer", "none"],
        help="[dcgan] Default: batch (use none or layer with penalties)",
    )
    train.add_argument(
        "--spectral-norm", action="store_true", default=None, help="[dcgan] spectral norm in D"
    )
    train.add_argument(
        "--learning-rate", type=_positive_float, help="Adam lr of all networks. Default: 2e-4"
    )
    train.add_argument("--discriminator-steps", type=_positive_int, help="[dcgan] Default: 1")
    train.add_argument("--backend", choices=BACKENDS, help="Keras backend (else KERAS_BACKEND)")
    train.add_argument(
        "--mixed-precision", choices=["none", "bfloat16", "float16"], help="Default: none"
    )
    train.add_argument(
        "--ema-half-life",
        type=float,
        help="[dcgan] generator EMA half-life in images; 0 disables. Default: 5000",
    )
    train.add_argument("--seed", type=int, help="Default: 0")
    train.add_argument(
        "--conditional",
        action="store_true",
        default=None,
        help="[dcgan] class-conditional DCGAN on the data set's labels (digits, mnist, "
        "fashion_mnist, cifar10, or a folder whose sub-folders are classes)",
    )
    train.add_argument(
        "--sample-every", type=_positive_int, help="epochs between grids. Default: 1"
    )
    train.add_argument(
        "--num-samples",
        type=_positive_int,
        help="images per grid (dcgan, default 64); held-out rows per grid (translation, default 4)",
    )
    train.add_argument(
        "--output", help="run folder. Default: runs/<dataset>-<time> or runs/<model>-<data>-<time>"
    )
    train.add_argument(
        "--resume",
        action="store_true",
        help="continue the run in --output from its last completed epoch",
    )
    train.add_argument("--quiet", action="store_true", help="no progress bar")

    sample = sub.add_parser(
        "sample",
        help="write a grid (or image files) from a saved .keras model",
        description="Generate images from a saved model.",
    )
    sample.add_argument("model", help="a .keras file written by `train` or GAN.save")
    sample.add_argument("--num-samples", type=_positive_int, default=64, help="Default: 64")
    sample.add_argument("--output", default=None, help="grid PNG path. Default: samples.png")
    sample.add_argument(
        "--individual",
        metavar="DIR",
        default=None,
        help="write each image as DIR/sample_0000.png instead of a grid",
    )
    sample.add_argument("--seed", type=int, default=0, help="latent seed. Default: 0")
    sample.add_argument(
        "--label",
        type=int,
        default=None,
        help="class to generate (conditional models). Default: every class, one per column",
    )
    sample.add_argument("--no-ema", action="store_true", help="use the raw generator")
    sample.add_argument("--scale", type=_positive_int, default=1, help="upscale the grid")
    sample.add_argument("--backend", choices=BACKENDS, help="Keras backend (else KERAS_BACKEND)")

    evaluate = sub.add_parser(
        "evaluate",
        help="FID (and KID) of a saved model or an image folder against a reference",
        description="Compute FID (and optionally KID) between generated or given images "
        "and a reference data set, folder or statistics file.",
    )
    evaluate.add_argument("source", help="a .keras GAN, or a folder of images")
    evaluate.add_argument(
        "--reference",
        required=True,
        help="digits, mnist, fashion_mnist, cifar10, a folder of images, or a statistics "
        ".npz (FeatureStatistics.save or pytorch-fid's format)",
    )
    evaluate.add_argument(
        "--num-samples", type=_positive_int, default=10_000, help="generated images. Default: 10000"
    )
    evaluate.add_argument(
        "--feature-extractor",
        default="inception",
        help="'inception' (FIDInceptionV3, the published-FID network) or a .keras model "
        "mapping images in [-1, 1] to features. Default: inception",
    )
    evaluate.add_argument(
        "--inception-weights",
        help="pytorch-fid weight file (.pth or .npz); default: download once and cache",
    )
    evaluate.add_argument(
        "--image-size", type=_positive_int, help="size to load folders/data sets at"
    )
    evaluate.add_argument("--kid", action="store_true", help="also compute KID")
    evaluate.add_argument("--batch-size", type=_positive_int, default=64, help="Default: 64")
    evaluate.add_argument("--seed", type=int, default=0, help="latent seed. Default: 0")
    evaluate.add_argument("--save-reference-stats", help="write the reference statistics .npz")
    evaluate.add_argument("--backend", choices=BACKENDS, help="Keras backend (else KERAS_BACKEND)")

    translate = sub.add_parser(
        "translate",
        help="translate an image or a folder of images with a saved Pix2Pix or CycleGAN",
        description="Translate images of any size (PNG, JPEG, ...) with a saved Pix2Pix or "
        "CycleGAN; each result is written to OUTPUT as a PNG named after its input.",
    )
    translate.add_argument("model", help="a .keras Pix2Pix or CycleGAN (e.g. run/model.keras)")
    translate.add_argument("input", help="an image file or a folder of images")
    translate.add_argument("output", help="output folder (created)")
    translate.add_argument(
        "--direction",
        choices=["ab", "ba"],
        help="[cyclegan] ab (generator_ab, A -> B) or ba. Default: ab",
    )
    translate.add_argument(
        "--mode",
        choices=["auto", "pad", "resize"],
        default="auto",
        help="pad: reflect-pad to the generator's size multiple and crop back (fully "
        "convolutional generators, e.g. cyclegan's); resize: resize to the generator's "
        "input size and back (e.g. pix2pix's U-Net); auto picks. Default: auto",
    )
    translate.add_argument(
        "--batch-size", type=_positive_int, default=8, help="same-size images per call. Default: 8"
    )
    translate.add_argument("--backend", choices=BACKENDS, help="Keras backend (else KERAS_BACKEND)")
    return parser


def _ensure_backend(backend, argv):
    """Re-executes the command under `backend` if Keras was imported with another."""
    if backend is None:
        return
    if "keras" in sys.modules:
        import keras

        if keras.backend.backend() == backend:
            return
        os.environ["KERAS_BACKEND"] = backend
        sys.stdout.flush()
        os.execv(sys.executable, [sys.executable, "-m", "keras_gan_kit", *argv])
    os.environ["KERAS_BACKEND"] = backend


# ---------------------------------------------------------------------- train
def _option_name(dest):
    return "--" + dest.replace("_", "-")


def _check_model_options(args, model):
    """Refuses options given for a model that does not take them (one line)."""
    for dest, models in MODEL_OPTIONS.items():
        if getattr(args, dest, None) is not None and model not in models:
            hint = ""
            if dest == "dataset":
                hint = "; use --data for pix2pix and cyclegan"
            elif dest == "data":
                hint = "; use --dataset for dcgan"
            raise CLIError(
                f"{_option_name(dest)} applies to {' and '.join(models)} only, not to "
                f"`train {model}`{hint}"
            )


def _resolve_train_config(args) -> dict:
    if args.resume:
        if not args.output:
            raise CLIError("--resume needs --output, the run folder to continue")
        path = os.path.join(args.output, "config.json")
        if not os.path.exists(path):
            raise CLIError(f"--resume: no config.json in {args.output!r}")
        with open(path) as f:
            config = json.load(f)["train"]
        model = config.setdefault("model", "dcgan")
        if args.model is not None and args.model != model:
            raise CLIError(
                f"--resume: {args.output!r} holds a {model} run; got `train {args.model}`"
            )
        config["output"] = args.output  # the folder may have moved since
        if args.epochs:
            config["epochs"] = args.epochs
        if getattr(args, "decay_epochs", None) is not None:
            _check_model_options(args, model)
            config["decay_epochs"] = args.decay_epochs
        return config
    model = args.model or "dcgan"
    _check_model_options(args, model)
    defaults = {
        "dcgan": {"model": "dcgan", **TRAIN_DEFAULTS},
        "pix2pix": PIX2PIX_DEFAULTS,
        "cyclegan": CYCLEGAN_DEFAULTS,
    }[model]
    config = dict(defaults)
    for key in defaults:
        value = getattr(args, key, None)
        if value is not None and key != "model":
            config[key] = value
    if args.output and os.path.exists(os.path.join(args.output, "config.json")):
        raise CLIError(
            f"{args.output!r} already holds a run; use --resume to continue it or choose "
            "another --output"
        )
    if model == "dcgan":
        name = os.path.basename(os.path.normpath(str(config["dataset"]))) or "images"
    else:
        data = os.path.basename(os.path.normpath(str(config["data"]))) or "images"
        name = f"{model}-{data}"
        if config["data"] == "demo" and config["num_images"] is None:
            config["num_images"] = DEMO_NUM_IMAGES[model]
        if model == "cyclegan" and config["residual_blocks"] is None:
            config["residual_blocks"] = 6 if config["image_size"] <= 128 else 9
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    config["output"] = args.output or os.path.join("runs", f"{name}-{stamp}")
    return config


def _build_gan(config):
    import keras

    import keras_gan_kit as kgk

    if config["mixed_precision"] != "none":
        keras.config.set_dtype_policy(f"mixed_{config['mixed_precision']}")
    keras.utils.set_random_seed(config["seed"])
    labels, num_classes = None, None
    if config.get("conditional"):
        loaded = kgk.datasets.load(
            config["dataset"], image_size=config["image_size"], return_labels=True
        )
        images, labels = loaded[0], loaded[1]
        num_classes = len(loaded[2]) if len(loaded) == 3 else int(labels.max()) + 1
        if num_classes < 2:
            raise CLIError(
                f"--conditional needs at least 2 classes; {config['dataset']!r} has {num_classes}"
                " (for a folder, put each class in its own sub-folder)"
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
    gan = kgk.GAN(generator, discriminator, seed=config["seed"], num_classes=num_classes)
    penalties = []
    for spec in config["penalty"]:
        name, strength, interval = spec.split(":")
        if name == "gp":
            penalties.append(kgk.losses.GradientPenalty(float(strength), interval=int(interval)))
        else:
            cls = kgk.losses.R1Penalty if name == "r1" else kgk.losses.R2Penalty
            penalties.append(cls(gamma=float(strength), interval=int(interval)))
    lr = config["learning_rate"]
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(lr, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(lr, beta_1=0.5),
        loss=config["loss"],
        penalties=penalties,
        discriminator_steps=config["discriminator_steps"],
    )
    return gan, images, labels


def _held_out_split(data, kind):
    """The split the sample grids are drawn from, or None for the training images."""
    from keras_gan_kit.datasets import CYCLEGAN_DATASETS, PIX2PIX_DATASETS

    if data == "demo":
        return "test"
    if kind == "paired" and data in PIX2PIX_DATASETS:
        splits = PIX2PIX_DATASETS[data]["splits"]
        return "test" if "test" in splits else "val"
    if kind == "unpaired" and data in CYCLEGAN_DATASETS:
        return "test"
    if kind == "paired":
        for split in ("test", "val"):
            if os.path.isdir(os.path.join(data, split)):
                return split
        return None
    if os.path.isdir(os.path.join(data, "testA")) and os.path.isdir(os.path.join(data, "testB")):
        return "test"
    return None


def _load_translation_data(config):
    """`(train_a, train_b, held_a, held_b, held_split)` for a translation config."""
    from keras_gan_kit.datasets import load_translation_data

    paired = config["model"] == "pix2pix"
    kind = "paired" if paired else "unpaired"
    direction = config["direction"] if paired else None
    common = {"image_size": config["image_size"], "direction": direction, "seed": config["seed"]}
    train_a, train_b = load_translation_data(
        config["data"], kind, split="train", num_images=config["num_images"], **common
    )
    split = _held_out_split(config["data"], kind)
    if split is not None:
        held_a, held_b = load_translation_data(
            config["data"], kind, split=split, num_images=config["num_samples"], **common
        )
    else:
        held_a, held_b = train_a, train_b
    held_a, held_b = held_a[: config["num_samples"]], held_b[: config["num_samples"]]
    if not paired and config["direction"] == "BtoA":
        train_a, train_b, held_a, held_b = train_b, train_a, held_b, held_a
    return train_a, train_b, held_a, held_b, split or "train"


def _patchgan_layers(image_size):
    """3 stride-2 layers (70x70 patches) where the image allows, fewer for tiny images."""
    from keras_gan_kit.networks.patchgan_discriminator import patchgan_output_size

    layers = 3
    while layers > 1 and patchgan_output_size(image_size, layers) < 1:
        layers -= 1
    return layers


def _translation_optimizers(config, steps_per_epoch):
    import keras

    from keras_gan_kit.optimizers import LinearDecay

    lr = config["learning_rate"]
    if config["decay_epochs"]:
        lr = LinearDecay(
            lr,
            constant_steps=config["epochs"] * steps_per_epoch,
            decay_steps=config["decay_epochs"] * steps_per_epoch,
        )
    return keras.optimizers.Adam(lr, beta_1=0.5), keras.optimizers.Adam(lr, beta_1=0.5)


def _build_translation(config):
    """The compiled Pix2Pix or CycleGAN of `config`, its fit data and sample savers."""
    import keras

    import keras_gan_kit as kgk

    if config["mixed_precision"] != "none":
        keras.config.set_dtype_policy(f"mixed_{config['mixed_precision']}")
    keras.utils.set_random_seed(config["seed"])
    train_a, train_b, held_a, held_b, split = _load_translation_data(config)
    size, width = config["image_size"], config["width"]
    channels_a, channels_b = train_a.shape[-1], train_b.shape[-1]
    samples = os.path.join(config["output"], "samples")
    scale = max(1, 64 // size)
    every = config["sample_every"]
    nets = kgk.networks
    if config["model"] == "pix2pix":
        model = kgk.models.Pix2Pix(
            nets.UNetGenerator(
                size,
                input_channels=channels_a,
                output_channels=channels_b,
                base_filters=width,
                max_filters=8 * width,
            ),
            nets.PatchGANDiscriminator(
                input_channels=channels_b,
                condition_channels=channels_a,
                base_filters=width,
                num_layers=_patchgan_layers(size),
            ),
            l1_weight=config["l1_weight"],
            seed=config["seed"],
        )
        steps_per_epoch = math.ceil(len(train_a) / config["batch_size"])
        savers = [
            kgk.callbacks.TranslationSampleSaver(
                samples, held_a, held_b, every_n_epochs=every, scale=scale
            )
        ]
    else:

        def discriminator(channels):
            return nets.PatchGANDiscriminator(
                input_channels=channels,
                base_filters=width,
                num_layers=_patchgan_layers(size),
                normalization="instance",
            )

        model = kgk.models.CycleGAN(
            nets.ResNetGenerator(
                input_channels=channels_a,
                output_channels=channels_b,
                base_filters=width,
                num_residual_blocks=config["residual_blocks"],
                name="generator_ab",
            ),
            nets.ResNetGenerator(
                input_channels=channels_b,
                output_channels=channels_a,
                base_filters=width,
                num_residual_blocks=config["residual_blocks"],
                name="generator_ba",
            ),
            discriminator(channels_a),
            discriminator(channels_b),
            cycle_weight=config["cycle_weight"],
            identity_weight=config["identity_weight"],
            image_size=size,
            seed=config["seed"],
        )
        steps_per_epoch = math.ceil(max(len(train_a), len(train_b)) / config["batch_size"])
        savers = [
            kgk.callbacks.TranslationSampleSaver(
                samples,
                held,
                direction=direction,
                every_n_epochs=every,
                filename_format=f"epoch_{{epoch:04d}}_{direction}.png",
                reconstruction=True,
                scale=scale,
            )
            for held, direction in ((held_a, "ab"), (held_b, "ba"))
        ]
    generator_optimizer, discriminator_optimizer = _translation_optimizers(config, steps_per_epoch)
    model.compile(
        generator_optimizer=generator_optimizer,
        discriminator_optimizer=discriminator_optimizer,
        loss=config["loss"],
    )
    return model, (train_a, train_b), savers, split


def plot_history(csv_path, png_path, width=640, height=360) -> str | None:
    """Draws the curves of a `history.csv` into a PNG (Pillow only).

    Args:
        csv_path: str. A CSV with an `epoch` column and one column per metric.
        png_path: str. Output file.
        width: int. Image width in pixels.
        height: int. Image height in pixels.

    Returns:
        `png_path`, or None when the CSV holds no rows.
    """
    from PIL import Image, ImageDraw

    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return None
    keys = [k for k in rows[0] if k != "epoch"]
    missing = (None, "", "NA", "nan")
    series = {k: [float(r[k]) for r in rows if r.get(k) not in missing] for k in keys}
    series = {k: s for k, s in series.items() if s}
    if not series:
        return None
    values = [v for s in series.values() for v in s]
    low, high = min(values), max(values)
    if high - low < 1e-12:
        high = low + 1.0
    margin = 40
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([margin, 10, width - 10, height - margin], outline="black")
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]
    n = max(len(s) for s in series.values())
    for i, (key, s) in enumerate(series.items()):
        if not s:
            continue
        points = [
            (
                margin + (width - margin - 10) * (j / max(n - 1, 1)),
                10 + (height - margin - 10) * (1 - (v - low) / (high - low)),
            )
            for j, v in enumerate(s)
        ]
        color = colors[i % len(colors)]
        if len(points) > 1:
            draw.line(points, fill=color, width=2)
        else:
            draw.ellipse(
                [points[0][0] - 2, points[0][1] - 2, points[0][0] + 2, points[0][1] + 2], fill=color
            )
        draw.text((margin + 8 + 90 * i, 14), key, fill=color)
    draw.text((4, 10), f"{high:.3g}", fill="black")
    draw.text((4, height - margin - 10), f"{low:.3g}", fill="black")
    draw.text((margin, height - margin + 8), "epoch 1", fill="black")
    draw.text((width - 70, height - margin + 8), f"epoch {n}", fill="black")
    image.save(png_path)
    return png_path


def _versions():
    import keras

    versions = {"keras": keras.__version__, "backend": keras.backend.backend()}
    try:
        from importlib.metadata import version

        versions["keras_gan_kit"] = version("keras-gan-kit")
    except Exception:  # noqa: BLE001 - not installed as a distribution
        pass
    return versions


def _run_training(args, config, model, data, callbacks, epochs) -> int:
    """Fits `model` in the run folder: config.json, backup/, history.csv, plot, model.keras.

    Shared by every model of `train`: writes the configuration, adds
    `BackupAndRestore` (for --resume) and a `CSVLogger`, and saves the model
    at the end or on Ctrl-C.
    """
    import keras

    output = config["output"]
    with open(os.path.join(output, "config.json"), "w") as f:
        json.dump({"train": config, "versions": _versions()}, f, indent=2)
    history_csv = os.path.join(output, "history.csv")
    callbacks = [
        keras.callbacks.BackupAndRestore(os.path.join(output, "backup"), delete_checkpoint=False),
        *callbacks,
        keras.callbacks.CSVLogger(history_csv, append=bool(args.resume)),
    ]
    model_path = os.path.join(output, "model.keras")
    try:
        model.fit(
            *data,
            batch_size=config["batch_size"],
            epochs=epochs,
            callbacks=callbacks,
            verbose=0 if args.quiet else 1,
        )
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted.")
        try:
            model.save(model_path)
            print(f"{PROG}: saved the current model to {model_path}")
        except Exception as e:  # noqa: BLE001 - the epoch backup is still there
            print(f"{PROG}: could not save the current model ({e}).")
        print(
            f"{PROG}: continue from the last completed epoch with: {PROG} train "
            f"--output {output} --resume"
        )
        if os.path.exists(history_csv):
            plot_history(history_csv, os.path.join(output, "loss_plot.png"))
        return 130
    model.save(model_path)
    if os.path.exists(history_csv):
        plot_history(history_csv, os.path.join(output, "loss_plot.png"))
    print(f"{PROG}: done. Samples: {os.path.join(output, 'samples')}; model: {model_path}")
    return 0


def _train_dcgan(args, config) -> int:
    import keras

    import keras_gan_kit as kgk

    gan, images, labels = _build_gan(config)
    print(
        f"{PROG}: training a DCGAN on {config['dataset']} ({len(images)} images, "
        f"{images.shape[1]}x{images.shape[2]}x{images.shape[3]}"
        f"{f', {gan.num_classes} classes' if gan.conditional else ''}) for {config['epochs']} "
        f"epochs on {keras.backend.backend()}; run folder: {config['output']}"
    )
    callbacks = []
    if config["ema_half_life"] and config["ema_half_life"] > 0:
        callbacks.append(kgk.callbacks.GeneratorEMA(config["ema_half_life"]))
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
    return _run_training(args, config, gan, (images, labels), callbacks, config["epochs"])


def _train_translation(args, config) -> int:
    import keras

    model, data, savers, split = _build_translation(config)
    epochs = config["epochs"] + config["decay_epochs"]
    sizes = " and ".join(str(len(d)) for d in data)
    shape = "x".join(str(d) for d in data[0].shape[1:])
    schedule = f" (+{config['decay_epochs']} decaying)" if config["decay_epochs"] else ""
    print(
        f"{PROG}: training {'a Pix2Pix' if config['model'] == 'pix2pix' else 'a CycleGAN'} on "
        f"{config['data']} ({sizes} images, {shape}) for {config['epochs']}{schedule} epochs on "
        f"{keras.backend.backend()}; sample grids from {split} images; run folder: "
        f"{config['output']}"
    )
    config = {**config, "sample_split": split}
    return _run_training(args, config, model, data, savers, epochs)


def train(args) -> int:
    """Runs `keras-gan-kit train [dcgan|pix2pix|cyclegan]`."""
    config = _resolve_train_config(args)
    os.makedirs(config["output"], exist_ok=True)
    if config["model"] == "dcgan":
        return _train_dcgan(args, config)
    return _train_translation(args, config)


# --------------------------------------------------------------------- sample
def sample(args) -> int:
    """Runs `keras-gan-kit sample`."""
    if not os.path.exists(args.model):
        raise CLIError(f"no such model file: {args.model!r}")
    import keras

    import keras_gan_kit as kgk
    from keras_gan_kit.utils import save_image_grid

    try:
        gan = keras.models.load_model(args.model)
    except Exception as e:  # noqa: BLE001 - report any load failure in one line
        raise CLIError(f"could not load {args.model!r}: {e}") from e
    if not isinstance(gan, kgk.GAN):
        raise CLIError(f"{args.model!r} holds a {type(gan).__name__}, not a keras_gan_kit GAN")
    if args.no_ema:
        gan.use_ema = False
    labels = args.label
    if gan.conditional and labels is None:
        labels = [i % gan.num_classes for i in range(args.num_samples)]
    latents = gan.sample_latents(args.num_samples, seed=args.seed)
    images = gan.generate(latents=latents, labels=labels)
    if args.individual:
        from PIL import Image

        os.makedirs(args.individual, exist_ok=True)
        pixels = kgk.datasets.to_uint8_images(images)
        for i, image in enumerate(pixels):
            Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(
                os.path.join(args.individual, f"sample_{i:04d}.png")
            )
        print(f"{PROG}: wrote {len(pixels)} images to {args.individual}")
    else:
        path = args.output or "samples.png"
        columns = gan.num_classes if gan.conditional and args.label is None else None
        save_image_grid(path, images, scale=args.scale, columns=columns)
        print(f"{PROG}: wrote a grid of {len(images)} samples to {path}")
    return 0


# ------------------------------------------------------------------- evaluate
def _feature_model(args):
    import keras

    from keras_gan_kit.metrics import FIDInceptionV3

    if args.feature_extractor == "inception":
        if args.inception_weights:
            if not os.path.exists(args.inception_weights):
                raise CLIError(f"no such weight file: {args.inception_weights!r}")
            return FIDInceptionV3.from_pytorch_fid(args.inception_weights), "FIDInceptionV3"
        return FIDInceptionV3.load_pretrained(), "FIDInceptionV3 (pytorch-fid weights)"
    if not os.path.exists(args.feature_extractor):
        raise CLIError(
            f"--feature-extractor must be 'inception' or a .keras file; no such file: "
            f"{args.feature_extractor!r}"
        )
    return keras.models.load_model(args.feature_extractor), args.feature_extractor


def evaluate(args) -> int:
    """Runs `keras-gan-kit evaluate`."""
    import keras

    import keras_gan_kit as kgk
    from keras_gan_kit.metrics import (
        FeatureExtractor,
        FeatureStatistics,
        kid_from_features,
    )

    if not os.path.exists(args.source):
        raise CLIError(f"no such model file or folder: {args.source!r}")
    model, model_name = _feature_model(args)
    extractor = FeatureExtractor(model, batch_size=args.batch_size)
    size = args.image_size or (extractor.image_size[0] if extractor.image_size else 64)

    if os.path.isdir(args.source):
        fake = kgk.datasets.load_image_folder(args.source, image_size=size)[: args.num_samples]
    else:
        gan = keras.models.load_model(args.source)
        if not isinstance(gan, kgk.GAN):
            raise CLIError(f"{args.source!r} holds a {type(gan).__name__}, not a GAN")
        fake = gan.generate(latents=gan.sample_latents(args.num_samples, seed=args.seed))
    fake_features = extractor(fake)

    real_features = None
    if args.reference.endswith(".npz"):
        if args.kid:
            raise CLIError("--kid needs reference images, not a statistics file")
        reference = FeatureStatistics.load(args.reference)
    else:
        images = kgk.datasets.load(args.reference, image_size=args.image_size)
        real_features = extractor(images)
        reference = FeatureStatistics.from_features(real_features)
    if args.save_reference_stats:
        reference.save(args.save_reference_stats)
    fid = reference.frechet_distance(FeatureStatistics.from_features(fake_features))
    print(f"fid: {fid:.4f}")
    if args.kid:
        subset = min(1000, len(real_features), len(fake_features))
        mean, std = kid_from_features(real_features, fake_features, subset_size=subset)
        print(f"kid: {mean:.6f} +- {std:.6f} (subset size {subset})")
    real_count = reference.count if reference.count else "unknown"
    print(
        f"protocol: features {model_name}; {len(fake_features)} generated/source images vs "
        f"{real_count} reference images ({args.reference}); Keras bilinear resize to "
        f"{extractor.image_size or 'the input size'}; backend {keras.backend.backend()}"
    )
    return 0


# ------------------------------------------------------------------ translate
def _input_images(path):
    """The image files of `path` (a file, or a folder's images, sorted by name)."""
    from keras_gan_kit.datasets.loaders import IMAGE_EXTENSIONS

    if os.path.isfile(path):
        return [path]
    if not os.path.isdir(path):
        raise CLIError(f"no such image file or folder: {path!r}")
    files = sorted(
        os.path.join(path, name)
        for name in os.listdir(path)
        if name.lower().endswith(IMAGE_EXTENSIONS) and os.path.isfile(os.path.join(path, name))
    )
    if not files:
        raise CLIError(
            f"no images in {path!r} (expected files ending in {', '.join(IMAGE_EXTENSIONS)})"
        )
    return files


def _read_image(path, channels):
    """`uint8 (h, w, channels)` pixels of an image file: grey for 1 channel, RGB for 3."""
    import numpy as np
    from PIL import Image

    try:
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("L" if channels == 1 else "RGB"))
    except Exception as e:  # noqa: BLE001 - any unreadable file is one line
        raise CLIError(f"could not read the image {path!r}: {e}") from e
    return pixels[..., None] if channels == 1 else pixels


def _translation_generator(model, direction):
    """`(generator, input_channels, output_channels, direction)` of a loaded model."""
    import keras_gan_kit as kgk

    if isinstance(model, kgk.models.CycleGAN):
        direction = direction or "ab"
        if direction == "ab":
            return model.generator_ab, model.channels_a, model.channels_b, direction
        return model.generator_ba, model.channels_b, model.channels_a, direction
    if direction is not None:
        raise CLIError(
            f"--direction applies to CycleGAN models; a Pix2Pix translates one way "
            f"(got --direction {direction})"
        )
    return model.generator, model.input_channels, model.output_channels, None


def translate(args) -> int:
    """Runs `keras-gan-kit translate MODEL INPUT OUTPUT`."""
    if not os.path.isfile(args.model):
        raise CLIError(f"no such model file: {args.model!r}")
    files = _input_images(args.input)
    if os.path.exists(args.output) and not os.path.isdir(args.output):
        raise CLIError(f"OUTPUT must be a folder; {args.output!r} is a file")
    stems = {}
    for path in files:
        stem = os.path.splitext(os.path.basename(path))[0]
        if stem in stems:
            raise CLIError(
                f"{os.path.basename(stems[stem])!r} and {os.path.basename(path)!r} would both be "
                f"written as {stem}.png; rename one"
            )
        stems[stem] = path
    import keras
    import numpy as np
    from PIL import Image

    import keras_gan_kit as kgk

    try:
        model = keras.models.load_model(args.model)
    except Exception as e:  # noqa: BLE001 - report any load failure in one line
        raise CLIError(f"could not load {args.model!r}: {e}") from e
    if not isinstance(model, (kgk.models.Pix2Pix, kgk.models.CycleGAN)):
        raise CLIError(
            f"{args.model!r} holds a {type(model).__name__}, not a Pix2Pix or CycleGAN; "
            f"use `{PROG} sample` for GANs"
        )
    generator, channels_in, channels_out, direction = _translation_generator(model, args.direction)
    for arg, channels in (("input", channels_in), ("output", channels_out)):
        if channels not in (1, 3):
            raise CLIError(
                f"the model's {arg} has {channels} channels; image files need 1 (grey) or 3 (RGB)"
            )
    inputs = getattr(generator, "inputs", None)
    fixed = inputs and None not in tuple(inputs[0].shape[1:3])
    if args.mode == "pad" and fixed:
        size = "x".join(str(d) for d in inputs[0].shape[1:3])
        raise CLIError(
            f"--mode pad needs a fully convolutional generator; this one is built for {size} "
            "inputs: use --mode resize (or auto)"
        )
    mode = args.mode if args.mode != "auto" else ("resize" if fixed else "pad")

    images = {path: _read_image(path, channels_in) for path in files}
    by_size = {}
    for path, pixels in images.items():
        by_size.setdefault(pixels.shape, []).append(path)
    os.makedirs(args.output, exist_ok=True)
    written = 0
    for group in by_size.values():
        batch = np.stack([images[path] for path in group])
        if direction is None:
            outputs = model.translate(batch, batch_size=args.batch_size, mode=mode)
        else:
            outputs = model.translate(
                batch, direction=direction, batch_size=args.batch_size, mode=mode
            )
        for path, pixels in zip(group, outputs):
            stem = os.path.splitext(os.path.basename(path))[0]
            Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels).save(
                os.path.join(args.output, f"{stem}.png")
            )
            written += 1
    how = f"{type(model).__name__}{f' {direction}' if direction else ''}, mode {mode}"
    print(
        f"{PROG}: translated {written} image{'s' if written != 1 else ''} "
        f"({len(by_size)} size{'s' if len(by_size) != 1 else ''}; {how}) into {args.output}"
    )
    return 0


def main(argv=None) -> int:
    """Entry point of `keras-gan-kit` and `python -m keras_gan_kit`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _ensure_backend(args.backend, argv)
        if args.command == "train":
            return train(args)
        if args.command == "evaluate":
            return evaluate(args)
        if args.command == "translate":
            return translate(args)
        return sample(args)
    except (CLIError, ValueError, RuntimeError) as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
