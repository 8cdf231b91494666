"""The `keras-gan-kit` command: `train`, `sample` and `evaluate`.

`keras-gan-kit train` with no options trains a DCGAN on the bundled digits
and writes a run folder:

```
runs/digits-YYYYmmdd-HHMMSS/
  config.json        the exact configuration (and versions) used
  samples/           reals.png, epoch_0001.png, ... from one fixed latent grid
  history.csv        d_loss, g_loss (and penalties) per epoch
  loss_plot.png      the curves of history.csv
  model.keras        the final model (also written on Ctrl-C)
  backup/            BackupAndRestore state, used by --resume
```
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
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


class CLIError(Exception):
    """A user error, reported as one line."""


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


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
        help="train a DCGAN (defaults: bundled digits, a few minutes on CPU)",
        description="Train a DCGAN and write a run folder with sample grids, "
        "history.csv, a loss plot, the model and its configuration.",
    )
    train.add_argument(
        "--dataset",
        default=None,
        help="digits (bundled, offline), mnist, fashion_mnist, cifar10 (downloaded "
        "through keras.datasets), or a folder of images. Default: digits",
    )
    train.add_argument("--image-size", type=_positive_int, help="power of two >= 8. Default: 16")
    train.add_argument("--epochs", type=_positive_int, help="Default: 30")
    train.add_argument("--batch-size", type=_positive_int, help="Default: 64")
    train.add_argument("--latent-dim", type=_positive_int, help="Default: 64")
    train.add_argument(
        "--width", type=_positive_int, help="base filters of both networks. Default: 32"
    )
    train.add_argument(
        "--loss",
        help="non_saturating, minimax, wasserstein, hinge, least_squares, "
        "relativistic_average. Default: non_saturating",
    )
    train.add_argument(
        "--penalty",
        type=_penalty,
        action="append",
        help="gp[:WEIGHT[:INTERVAL]], r1[:GAMMA[:INTERVAL]] or r2[...]; repeatable",
    )
    train.add_argument(
        "--discriminator-normalization",
        choices=["batch", "layer", "none"],
        help="Default: batch (use none or layer with penalties)",
    )
    train.add_argument(
        "--spectral-norm", action="store_true", default=None, help="spectral norm in D"
    )
    train.add_argument(
        "--learning-rate", type=_positive_float, help="Adam lr of both. Default: 2e-4"
    )
    train.add_argument("--discriminator-steps", type=_positive_int, help="Default: 1")
    train.add_argument("--backend", choices=BACKENDS, help="Keras backend (else KERAS_BACKEND)")
    train.add_argument(
        "--mixed-precision", choices=["none", "bfloat16", "float16"], help="Default: none"
    )
    train.add_argument(
        "--ema-half-life",
        type=float,
        help="generator EMA half-life in images; 0 disables. Default: 5000",
    )
    train.add_argument("--seed", type=int, help="Default: 0")
    train.add_argument(
        "--conditional",
        action="store_true",
        default=None,
        help="class-conditional DCGAN on the data set's labels (digits, mnist, "
        "fashion_mnist, cifar10, or a folder whose sub-folders are classes)",
    )
    train.add_argument(
        "--sample-every", type=_positive_int, help="epochs between grids. Default: 1"
    )
    train.add_argument("--num-samples", type=_positive_int, help="images per grid. Default: 64")
    train.add_argument("--output", help="run folder. Default: runs/<dataset>-<time>")
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
def _resolve_train_config(args) -> dict:
    if args.resume:
        if not args.output:
            raise CLIError("--resume needs --output, the run folder to continue")
        path = os.path.join(args.output, "config.json")
        if not os.path.exists(path):
            raise CLIError(f"--resume: no config.json in {args.output!r}")
        with open(path) as f:
            config = json.load(f)["train"]
        if args.epochs:
            config["epochs"] = args.epochs
        return config
    config = dict(TRAIN_DEFAULTS)
    for key in TRAIN_DEFAULTS:
        value = getattr(args, key, None)
        if value is not None:
            config[key] = value
    if args.output and os.path.exists(os.path.join(args.output, "config.json")):
        raise CLIError(
            f"{args.output!r} already holds a run; use --resume to continue it or choose "
            "another --output"
        )
    name = os.path.basename(os.path.normpath(str(config["dataset"]))) or "images"
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


def train(args) -> int:
    """Runs `keras-gan-kit train`."""
    config = _resolve_train_config(args)
    import keras

    import keras_gan_kit as kgk

    output = config["output"]
    os.makedirs(output, exist_ok=True)
    gan, images, labels = _build_gan(config)
    print(
        f"{PROG}: training a DCGAN on {config['dataset']} ({len(images)} images, "
        f"{images.shape[1]}x{images.shape[2]}x{images.shape[3]}"
        f"{f', {gan.num_classes} classes' if gan.conditional else ''}) for {config['epochs']} "
        f"epochs on {keras.backend.backend()}; run folder: {output}"
    )
    with open(os.path.join(output, "config.json"), "w") as f:
        json.dump({"train": config, "versions": _versions()}, f, indent=2)

    callbacks = []
    if config["ema_half_life"] and config["ema_half_life"] > 0:
        callbacks.append(kgk.callbacks.GeneratorEMA(config["ema_half_life"]))
    saver = kgk.callbacks.ImageSampleSaver(
        os.path.join(output, "samples"),
        num_samples=config["num_samples"],
        every_n_epochs=config["sample_every"],
        seed=config["seed"],
        real_images=images,
        scale=max(1, 64 // config["image_size"]),
    )
    history_csv = os.path.join(output, "history.csv")
    callbacks += [
        keras.callbacks.BackupAndRestore(os.path.join(output, "backup"), delete_checkpoint=False),
        saver,
        keras.callbacks.CSVLogger(history_csv, append=bool(args.resume)),
    ]
    model_path = os.path.join(output, "model.keras")
    try:
        gan.fit(
            images,
            labels,
            batch_size=config["batch_size"],
            epochs=config["epochs"],
            callbacks=callbacks,
            verbose=0 if args.quiet else 1,
        )
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted.")
        try:
            gan.save(model_path)
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
    gan.save(model_path)
    if os.path.exists(history_csv):
        plot_history(history_csv, os.path.join(output, "loss_plot.png"))
    print(f"{PROG}: done. Samples: {os.path.join(output, 'samples')}; model: {model_path}")
    return 0


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
        return sample(args)
    except (CLIError, ValueError, RuntimeError) as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
