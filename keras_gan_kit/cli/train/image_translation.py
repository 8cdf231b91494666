"""What the `train pix2pix` and `train cyclegan` recipes share: data, schedule, build steps.

Small networks on the offline 64x64 demo sets by default, sized to finish
within a few minutes on a 2-core CPU; `--decay-epochs` adds the papers'
linear learning-rate decay. The papers' random jitter (resize to 286/256 of
the image size, random crop back) and mirroring are on by default
(`--no-jitter`, `--no-flip`, `--jitter-size`).
"""

from __future__ import annotations

import math
import os

from keras_gan_kit.cli.common import CLIError, non_negative_int, positive_int
from keras_gan_kit.cli.train.recipe import Recipe, Training

__all__ = ["TranslationRecipe", "held_out_split", "jitter_layer", "patchgan_layers"]

#: The configuration keys of the training-image augmentation, with their defaults.
JITTER_DEFAULTS = {"jitter": True, "jitter_size": None, "flip": True}


def held_out_split(data: str, kind: str) -> str | None:
    """The split the sample grids are drawn from, or None for the training images.

    Args:
        data: str. `"demo"`, a public set's name or a folder.
        kind: str. `"paired"` or `"unpaired"`.
    """
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


def patchgan_layers(image_size: int) -> int:
    """3 stride-2 layers (70x70 patches) where the image allows, fewer for tiny images.

    Args:
        image_size: int. Training height and width.
    """
    from keras_gan_kit.networks.patchgan_discriminator import patchgan_output_size

    layers = 3
    while layers > 1 and patchgan_output_size(image_size, layers) < 1:
        layers -= 1
    return layers


def jitter_layer(config: dict):
    """The `augment.RandomJitter` of a configuration, or None when jitter and flip are off.

    Runs recorded before these options existed have no such keys and trained
    without: they resume without.

    Args:
        config: dict. A run configuration (`jitter`, `jitter_size`, `flip`, `seed`).
    """
    from keras_gan_kit.augment import RandomJitter

    jitter, flip = bool(config.get("jitter", False)), bool(config.get("flip", False))
    if not (jitter or flip):
        return None
    return RandomJitter(
        jitter=jitter,
        jitter_size=config.get("jitter_size") if jitter else None,
        flip=flip,
        seed=config["seed"] + 1,  # a stream of its own: the model's noise uses `seed`
    )


class TranslationRecipe(Recipe):
    """Base of the image-to-image recipes; subclasses implement `build_model`.

    Attributes:
        paired: bool. Paired data (pix2pix) or two unpaired domains (cyclegan).
        title: str. "a Pix2Pix", for the summary line.
        demo_num_images: int. Training images drawn from the demo set by default.
    """

    paired: bool = True
    title: str = ""
    demo_num_images: int = 0
    extendable = ("epochs", "decay_epochs")

    def add_arguments(self, parser):
        parser.add_argument(
            "--data",
            help="demo (offline), a public set (pix2pix: facades, cityscapes, maps, "
            "edges2shoes, night2day; cyclegan: horse2zebra, monet2photo, ...; downloaded once) "
            "or a folder. Default: demo",
        )
        parser.add_argument(
            "--direction",
            choices=["AtoB", "BtoA"],
            help="pix2pix: which side is the input (default: the set's usual one); "
            "cyclegan: BtoA swaps the two domains (default: AtoB)",
        )
        parser.add_argument(
            "--num-images",
            type=positive_int,
            help="use at most this many training images (per domain). Default: all "
            f"({self.demo_num_images} for demo)",
        )
        parser.add_argument(
            "--decay-epochs",
            type=non_negative_int,
            help="then this many epochs with the learning rate decaying linearly to 0 "
            "(the papers: 100 + 100). Default: 0",
        )
        parser.add_argument(
            "--no-jitter",
            dest="jitter",
            action="store_false",
            default=None,
            help="no random jitter (the papers resize training images to 286/256 of their "
            "size and crop back at a random offset; on by default)",
        )
        parser.add_argument(
            "--jitter-size",
            type=positive_int,
            help="size training images are resized to before the random crop back to "
            "--image-size. Default: --image-size x 286/256, rounded (286 for 256)",
        )
        parser.add_argument(
            "--no-flip",
            dest="flip",
            action="store_false",
            default=None,
            help="no random left-right mirroring of the training images (on by default)",
        )

    def prepare(self, config):
        from keras_gan_kit.augment import default_jitter_size

        if config["data"] == "demo" and config["num_images"] is None:
            config["num_images"] = self.demo_num_images
        if not config["jitter"]:
            if config["jitter_size"] is not None:
                raise CLIError("--jitter-size sets the random jitter; drop it or --no-jitter")
        elif config["jitter_size"] is None:
            config["jitter_size"] = default_jitter_size(config["image_size"])
        elif config["jitter_size"] < config["image_size"]:
            raise CLIError(
                f"--jitter-size must be at least --image-size ({config['image_size']}): images "
                f"are resized up to it and cropped back; got {config['jitter_size']}"
            )

    def run_name(self, config):
        return f"{self.name}-{super().run_name(config)}"

    def load_data(self, config):
        """`(train_a, train_b, held_a, held_b, held_split)` of a configuration."""
        from keras_gan_kit.datasets import load_translation_data

        kind = "paired" if self.paired else "unpaired"
        direction = config["direction"] if self.paired else None
        common = {
            "image_size": config["image_size"],
            "direction": direction,
            "seed": config["seed"],
        }
        train_a, train_b = load_translation_data(
            config["data"], kind, split="train", num_images=config["num_images"], **common
        )
        split = held_out_split(config["data"], kind)
        if split is not None:
            held_a, held_b = load_translation_data(
                config["data"], kind, split=split, num_images=config["num_samples"], **common
            )
        else:
            held_a, held_b = train_a, train_b
        held_a, held_b = held_a[: config["num_samples"]], held_b[: config["num_samples"]]
        if not self.paired and config["direction"] == "BtoA":
            train_a, train_b, held_a, held_b = train_b, train_a, held_b, held_a
        return train_a, train_b, held_a, held_b, split or "train"

    def optimizers(self, config, steps_per_epoch):
        """Adam(beta_1=0.5) for generators and discriminators, with `LinearDecay` if asked."""
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

    def build_model(self, config, train_a, train_b, held_a, held_b):
        """`(model, steps_per_epoch, sample_savers)`: the uncompiled model of the recipe."""
        raise NotImplementedError

    def build(self, config):
        import keras

        train_a, train_b, held_a, held_b, split = self.load_data(config)
        model, steps_per_epoch, savers = self.build_model(config, train_a, train_b, held_a, held_b)
        generator_optimizer, discriminator_optimizer = self.optimizers(config, steps_per_epoch)
        model.compile(
            generator_optimizer=generator_optimizer,
            discriminator_optimizer=discriminator_optimizer,
            loss=config["loss"],
        )
        data = (train_a, train_b)
        sizes = " and ".join(str(len(d)) for d in data)
        shape = "x".join(str(d) for d in train_a.shape[1:])
        schedule = f" (+{config['decay_epochs']} decaying)" if config["decay_epochs"] else ""
        augmented = [
            f"jittered ({config['jitter_size']} px, random crop)" if config.get("jitter") else "",
            "mirrored" if config.get("flip") else "",
        ]
        augmented = " and ".join(a for a in augmented if a) or "not augmented"
        summary = (
            f"training {self.title} on {config['data']} ({sizes} images, {shape}) for "
            f"{config['epochs']}{schedule} epochs on {keras.backend.backend()}; training "
            f"images {augmented}; sample grids from {split} images; run folder: "
            f"{config['output']}"
        )
        epochs = config["epochs"] + config["decay_epochs"]
        record = {**config, "sample_split": split}
        return Training(model, data, savers, epochs, summary, record)

    @staticmethod
    def steps_per_epoch(config, *domains) -> int:
        """Steps per epoch: the largest domain over the batch size."""
        return math.ceil(max(len(d) for d in domains) / config["batch_size"])

    @staticmethod
    def grid_scale(config) -> int:
        """Zoom of the sample grids: 64 px or more."""
        return max(1, 64 // config["image_size"])
