"""`keras-gan-kit train r3gan`: the modern baseline (R3GAN) with augmentation of D's inputs.

R3GAN (Huang et al., NeurIPS 2024): ResNeXt-style generator and discriminator
without normalization layers, the relativistic pairing loss (RpGAN) with both
R1 and R2, Adam with beta_1 = 0, cosine schedules for the learning rate,
beta_2 and gamma, and a generator EMA whose half-life ramps up. The default
run is small enough for a CPU: the 100 LFW faces at 32x32 in a few minutes.
`--preset cifar10` sets the paper's CIFAR-10 configuration.
"""

from __future__ import annotations

import argparse
import os

from keras_gan_kit.cli.common import CLIError, positive_float, positive_int
from keras_gan_kit.cli.train.recipe import Recipe, Training

__all__ = [
    "CIFAR10_PRESET",
    "PRESETS",
    "R3GAN_ADA_PIPELINE",
    "R3GANRecipe",
    "augmentation_from_config",
]

CIFAR10_PRESET = {
    "dataset": "cifar10",
    "image_size": 32,
    "conditional": True,
    "flip": True,
    "width": 768,
    "blocks": 2,
    "cardinality": 96,
    "expansion": 2,
    "latent_dim": 64,
    "batch_size": 512,
    "learning_rate": 2e-4,
    "learning_rate_final": 5e-5,
    "beta_2": 0.9,
    "beta_2_final": 0.99,
    "gamma": 0.05,
    "gamma_final": 0.005,
    "ema_half_life": 5e6,
    "schedule_images": 2e7,
    "augment": "ada",
    "augment_p_final": 0.55,
    "epochs": 400,
    "backbone": "r3gan",
}
"""The CIFAR-10 configuration of brownvc/R3GAN (`train.py --preset=CIFAR10`, run with
`--batch=512 --mirror=1 --aug=1 --cond=1`): 4 stages (4x4 to 32x32) of width 768
(3/4 of 1024), 2 blocks each, cardinality 96, expansion 2, a 64-d latent; Adam
(beta_1 = 0, eps = 1e-8) with the learning rate 2e-4 -> 5e-5, beta_2 0.9 -> 0.99,
gamma (R1 and R2) 0.05 -> 0.005 and the EMA half-life 0 -> 5M images, all along
one cosine over 20M images; the ADA pipeline with its probability p along the same
cosine from 0 to 0.55 (scheduled, not adaptive); x-flips; class-conditional.
400 epochs of 50,000 images are the 20M images of the schedule (the reference
trains until stopped)."""

PRESETS = {"cifar10": CIFAR10_PRESET}

DIFFAUGMENT_POLICY = "color,translation,cutout"

R3GAN_ADA_PIPELINE = {
    "pipeline": "bgcc",
    "brightness": 0.5,
    "contrast": 0.5,
    "lumaflip": 0.5,
    "hue": 0.5,
    "saturation": 0.5,
}
"""R3GAN's `AugmentPipe` arguments (brownvc/R3GAN `train.py`): x-flip, 90-degree
rotations, integer translation, isotropic scaling, rotation, anisotropic scaling and
fractional translation at 1; brightness, contrast, luma flip, hue and saturation at
0.5; cutout at 1 (ADA's `bgc` pipeline plus cutout, the color part at half
probability)."""


class _PresetAction(argparse.Action):
    """`--preset NAME`: fills every option of the preset that was not given explicitly.

    It sets only attributes that are still None when `--preset` is parsed; an
    option given after `--preset` is parsed later and overrides the preset too,
    so an explicit option always wins, wherever it stands.
    """

    def __call__(self, parser, namespace, value, option_string=None):
        setattr(namespace, self.dest, value)
        if value == "none":
            return
        for key, preset_value in PRESETS[value].items():
            if getattr(namespace, key, None) is None:
                setattr(namespace, key, preset_value)


def _augment_name(text: str) -> str:
    key = text.strip().lower().replace("-", "").replace("_", "")
    if key not in ("none", "diffaugment", "ada"):
        raise argparse.ArgumentTypeError(f"expected none, diffaugment or ada, got {text!r}")
    return key


class R3GANRecipe(Recipe):
    """`train r3gan`: RpGAN + R1 + R2, cosine schedules, EMA ramp, DiffAugment/ADA.

    The networks are R3GAN's (`--backbone r3gan`, set by `--preset cifar10`) or,
    the CPU default, DCGAN's with an unnormalized discriminator: R3GAN's
    full-resolution 3x3 convolutions make a step about 17 times dearer on a
    CPU at the default size (TensorFlow, batch 32, width 32: 1.76 vs 0.105
    CPU-s per step with the grouped convolutions split, as `grouped_conv="auto"`
    does on a TensorFlow/JAX CPU; measured by benchmarks/r3gan_speed.py,
    figures in docs/benchmarks.md). The data, loss, penalties, schedules, EMA
    and augmentation are the same either way.
    """

    name = "r3gan"
    order = 3
    help = (
        "the modern baseline R3GAN with DiffAugment/ADA (default: the 100 LFW faces at "
        "32x32, a few minutes on a 2-core CPU; --preset cifar10: the paper's configuration)"
    )
    description = (
        "Train an R3GAN (Huang et al., 'The GAN is dead; long live the GAN!', NeurIPS 2024): "
        "ResNeXt-style generator and discriminator without normalization (--backbone r3gan; "
        "the CPU default is a DCGAN backbone, R3GAN's networks being far slower there), the "
        "relativistic pairing loss (RpGAN) with R1 and R2 penalties, Adam with beta_1 = 0, cosine "
        "schedules of the learning rate, beta_2 and gamma over --schedule-images images, and "
        "a generator EMA whose half-life ramps up from 0 along the same cosine. Every image "
        "the discriminator sees (real and generated, also in the penalties) can be augmented "
        "with DiffAugment (color, translation, cutout) or ADA (adaptive p toward "
        "E[sign D(real)] = 0.6, or scheduled with --augment-p-final). Default: the 100 "
        "faces of Labeled Faces in the Wild shipped with scikit-image (pip install "
        "scikit-image), 32x32 grayscale, DCGAN backbone of width 32, 100 epochs (400 steps), "
        "a few minutes on a 2-core CPU. "
        "--preset cifar10 sets the paper's CIFAR-10 configuration (brownvc/R3GAN "
        "--preset=CIFAR10: width 768, 2 blocks per stage, cardinality 96, expansion 2, "
        "latent 64, batch 512, lr 2e-4 -> 5e-5, beta_2 0.9 -> 0.99, gamma 0.05 -> 0.005, "
        "EMA half-life 0 -> 5M images, cosine schedules over 20M images, ADA with p 0 -> "
        "0.55, x-flips, class-conditional); options given explicitly override it."
    )
    data_option = "--dataset"
    extendable = ("epochs",)
    defaults = {
        "dataset": "lfw-faces",
        "preset": "none",
        "backbone": "dcgan",
        "image_size": 32,
        "epochs": 100,
        "batch_size": 32,
        "latent_dim": 64,
        "width": 32,
        "blocks": 1,
        "cardinality": 4,
        "expansion": 2,
        "loss": "rpgan",
        "learning_rate": 2e-4,
        "learning_rate_final": 5e-5,
        "beta_2": 0.9,
        "beta_2_final": 0.99,
        "gamma": 0.5,
        "gamma_final": 0.05,
        "ema_half_life": 1000.0,
        "schedule_images": 0.0,
        "augment": "diffaugment",
        "augment_p_final": 0.0,
        "ada_target": 0.6,
        "ada_kimg": 2.0,
        "flip": False,
        "conditional": False,
        "mixed_precision": "none",
        "seed": 0,
        "sample_every": 25,
        "num_samples": 64,
    }
    option_help = {
        "image_size": "power of two >= 8 (stages from 4x4 up)",
        "width": "channels of every stage (the paper's CIFAR-10: 768)",
        "learning_rate": "initial Adam (beta_1=0) rate of both networks, along a cosine to "
        "--learning-rate-final",
        "loss": "adversarial loss (R3GAN: rpgan)",
        "sample_every": "epochs between grids",
    }

    def add_arguments(self, parser):
        parser.add_argument(
            "--dataset",
            help="lfw-faces (the 100 LFW faces in scikit-image, offline), digits (bundled), "
            "cifar10 (downloaded through keras.datasets), mnist, fashion_mnist, or a folder "
            "of images (streamed batch by batch: any size of face set). Default: lfw-faces",
        )
        parser.add_argument(
            "--preset",
            choices=["none", *PRESETS],
            action=_PresetAction,
            help="cifar10: the paper's CIFAR-10 hyperparameters (see above). Default: none",
        )
        parser.add_argument(
            "--backbone",
            choices=["r3gan", "dcgan"],
            help="r3gan: R3GANGenerator/R3GANDiscriminator; dcgan: DCGANGenerator and a "
            "DCGANDiscriminator without normalization (--width base filters), with the same "
            "loss, penalties, schedules, EMA and augmentation: about 17x cheaper per step on a "
            "CPU at the default size (R3GAN's full-resolution 3x3 convolutions): the CPU "
            "default; --preset cifar10 sets r3gan. Default: dcgan",
        )
        parser.add_argument("--latent-dim", type=positive_int, help="Default: 64")
        parser.add_argument("--blocks", type=positive_int, help="blocks per stage. Default: 1")
        parser.add_argument(
            "--cardinality", type=positive_int, help="groups of the 3x3 convolution. Default: 4"
        )
        parser.add_argument(
            "--expansion", type=positive_int, help="inverted-bottleneck factor. Default: 2"
        )
        parser.add_argument("--learning-rate-final", type=positive_float, help="Default: 5e-05")
        parser.add_argument(
            "--beta-2", type=positive_float, help="initial Adam beta_2. Default: 0.9"
        )
        parser.add_argument("--beta-2-final", type=positive_float, help="Default: 0.99")
        parser.add_argument(
            "--gamma",
            type=float,
            help="initial R1 and R2 gamma (each gamma/2 ||grad||^2). Default: 0.5",
        )
        parser.add_argument("--gamma-final", type=float, help="Default: 0.05")
        parser.add_argument(
            "--ema-half-life",
            type=float,
            help="final generator EMA half-life in images, reached along the cosine from 0; "
            "0 disables the EMA. Default: 1000",
        )
        parser.add_argument(
            "--schedule-images",
            type=float,
            help="images over which the cosine schedules run; 0: the whole run "
            "(epochs x data set size). Default: 0",
        )
        parser.add_argument(
            "--augment",
            type=_augment_name,
            help="augmentation of every discriminator input: none, diffaugment (color, "
            "translation, cutout) or ada. Default: diffaugment",
        )
        parser.add_argument(
            "--augment-p-final",
            type=float,
            help="ada only: schedule p along the cosine from 0 to this value (R3GAN) instead "
            "of adapting it; 0: adaptive. Default: 0",
        )
        parser.add_argument(
            "--ada-target",
            type=float,
            help="ada only: target of E[sign D(real)] for the adaptive p. Default: 0.6",
        )
        parser.add_argument(
            "--ada-kimg",
            type=positive_float,
            help="ada only: thousands of real images in which the adaptive p can move by 1 "
            "(StyleGAN2-ADA: 500, for millions of images; short runs need less). Default: 2",
        )
        parser.add_argument(
            "--flip",
            action="store_true",
            default=None,
            help="x-flips of the training images (StyleGAN's --mirror; doubles in-memory sets)",
        )
        parser.add_argument(
            "--conditional",
            action="store_true",
            default=None,
            help="class-conditional on the data set's labels (digits, cifar10, mnist, "
            "fashion_mnist, or a folder whose sub-folders are classes)",
        )

    def run_name(self, config):
        return f"r3gan-{super().run_name(config)}"

    def prepare(self, config):
        for key in ("gamma", "gamma_final", "ema_half_life", "schedule_images", "augment_p_final"):
            if config[key] < 0:
                raise CLIError(f"--{key.replace('_', '-')} must be >= 0, got {config[key]:g}")
        if config["augment"] != "ada" and config["augment_p_final"]:
            raise CLIError("--augment-p-final applies to --augment ada only")

    # ------------------------------------------------------------------ #
    def _data(self, config):
        """`(fit data, num_images, image shape, preview images, num_classes)`."""
        import numpy as np

        import keras_gan_kit as kgk

        conditional = bool(config["conditional"])
        if os.path.isdir(config["dataset"]):
            stream = kgk.datasets.ImageFolderDataset(
                config["dataset"],
                image_size=config["image_size"],
                batch_size=config["batch_size"],
                flip=bool(config["flip"]),
                seed=config["seed"],
                return_labels=conditional,
            )
            num_classes = len(stream.class_names) if conditional else None
            preview = stream.take(config["num_samples"])
            return (stream,), stream.num_images, stream.image_shape, preview, num_classes
        labels, num_classes = None, None
        if conditional:
            if config["dataset"].replace("-", "_") == "lfw_faces":
                raise CLIError("--conditional: lfw-faces has no labels")
            loaded = kgk.datasets.load(
                config["dataset"], image_size=config["image_size"], return_labels=True
            )
            images, labels = loaded[0], loaded[1]
            num_classes = int(labels.max()) + 1
        else:
            images = kgk.datasets.load(config["dataset"], image_size=config["image_size"])
        preview = images[: config["num_samples"]]
        if config["flip"]:  # StyleGAN's --mirror: every image and its mirror image
            images = np.concatenate([images, images[:, :, ::-1]])
            labels = None if labels is None else np.concatenate([labels, labels])
        return (images, labels), len(images), images.shape[1:], preview, num_classes

    def build(self, config):
        import keras

        import keras_gan_kit as kgk

        data, num_images, shape, preview, num_classes = self._data(config)
        if num_classes is not None and num_classes < 2:
            raise CLIError(
                f"--conditional needs at least 2 classes; {config['dataset']!r} has "
                f"{num_classes} (for a folder, put each class in its own sub-folder)"
            )
        size, channels = int(shape[0]), int(shape[-1])
        schedule_images = config["schedule_images"] or config["epochs"] * num_images
        steps = max(1.0, schedule_images / config["batch_size"])
        network_args = dict(
            image_size=size,
            channels=channels,
            widths=config["width"],
            blocks_per_stage=config["blocks"],
            cardinality=config["cardinality"],
            expansion=config["expansion"],
            num_classes=num_classes,
        )
        if config.get("backbone", "r3gan") == "dcgan":  # the fast CPU stand-in, see --backbone
            generator = kgk.networks.DCGANGenerator(
                size, channels, config["latent_dim"], config["width"], num_classes=num_classes
            )
            discriminator = kgk.networks.DCGANDiscriminator(
                size, channels, config["width"], normalization="none", num_classes=num_classes
            )
        else:
            generator = kgk.networks.R3GANGenerator(latent_dim=config["latent_dim"], **network_args)
            discriminator = kgk.networks.R3GANDiscriminator(**network_args)
        augmentation = augmentation_from_config(config, schedule_images)
        gan = kgk.GAN(
            generator,
            discriminator,
            seed=config["seed"],
            num_classes=num_classes,
            augmentation=augmentation,
        )

        def cosine(key, per="step"):
            # The optimizers and penalties count steps, ADA and the EMA count images.
            length = steps if per == "step" else schedule_images
            return kgk.optimizers.CosineSchedule(config[key], config[f"{key}_final"], length)

        def adam():
            return kgk.optimizers.ScheduledAdam(
                cosine("learning_rate"), beta_1=0.0, beta_2=cosine("beta_2"), epsilon=1e-8
            )

        penalties = []
        if config["gamma"] or config["gamma_final"]:
            penalties = [
                kgk.losses.R1Penalty(cosine("gamma")),
                kgk.losses.R2Penalty(cosine("gamma")),
            ]
        gan.compile(
            generator_optimizer=adam(),
            discriminator_optimizer=adam(),
            loss=config["loss"],
            penalties=penalties,
        )
        callbacks = []
        if config["ema_half_life"] > 0:
            # R3GAN: the half-life grows from 0 along the cosine (0 -> 5M over 20M images).
            half_life = kgk.optimizers.CosineSchedule(0.0, config["ema_half_life"], schedule_images)
            callbacks.append(kgk.callbacks.GeneratorEMA(half_life))
        callbacks.append(
            kgk.callbacks.ImageSampleSaver(
                os.path.join(config["output"], "samples"),
                num_samples=config["num_samples"],
                every_n_epochs=config["sample_every"],
                seed=config["seed"],
                real_images=preview,
                scale=max(1, 64 // size),
            )
        )
        classes = f", {num_classes} classes" if num_classes else ""
        augment = config["augment"] if config["augment"] != "none" else "no augmentation"
        summary = (
            f"training an R3GAN on {config['dataset']} ({num_images} images, "
            f"{size}x{size}x{channels}{classes}, {augment}) for {config['epochs']} epochs on "
            f"{keras.backend.backend()}; run folder: {config['output']}"
        )
        return Training(gan, data, callbacks, config["epochs"], summary, dict(config))


def augmentation_from_config(config: dict, schedule_images: float):
    """The discriminator-input augmentation of an `r3gan` run (None for `augment="none"`).

    `diffaugment`: `DiffAugment("color,translation,cutout")`, seeded by the
    run's seed. `ada`: `ADA` with R3GAN's pipeline (`R3GAN_ADA_PIPELINE`),
    its p adapted toward `ada_target` every 4 batches (and able to move by 1
    in `ada_kimg` thousand images), or, with `augment_p_final > 0`, scheduled
    along a cosine from 0 to `augment_p_final` over `schedule_images` real
    images, as R3GAN does.

    Args:
        config: dict. The run's configuration.
        schedule_images: float. Length of the cosine schedules, in images.

    Returns:
        A `keras_gan_kit.augment.DiscriminatorAugmentation`, or None.
    """
    import keras_gan_kit as kgk

    seed = config["seed"]
    if config["augment"] == "none":
        return None
    if config["augment"] == "diffaugment":
        return kgk.augment.DiffAugment(DIFFAUGMENT_POLICY, seed=seed)
    if config["augment_p_final"]:
        p = kgk.optimizers.CosineSchedule(0.0, config["augment_p_final"], schedule_images)
        return kgk.augment.ADA(target=None, p_schedule=p, seed=seed, **R3GAN_ADA_PIPELINE)
    return kgk.augment.ADA(
        target=config["ada_target"], kimg=config["ada_kimg"], seed=seed, **R3GAN_ADA_PIPELINE
    )
