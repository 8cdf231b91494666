"""`keras-gan-kit train pix2pix`: paired translation, a U-Net and a conditional PatchGAN."""

from __future__ import annotations

import os

from keras_gan_kit.cli.common import non_negative_float
from keras_gan_kit.cli.train.image_translation import (
    TranslationRecipe,
    jitter_layer,
    patchgan_layers,
)

__all__ = ["Pix2PixRecipe"]


class Pix2PixRecipe(TranslationRecipe):
    """`train pix2pix`: `UNetGenerator` and a conditional 70x70 `PatchGANDiscriminator`."""

    name = "pix2pix"
    order = 1
    help = "paired translation (default: offline 64x64 label maps -> photos, about 2 minutes)"
    description = (
        "Train a Pix2Pix (paired image-to-image translation) and write a run folder with "
        "sample grids (input | translation | target rows from held-out pairs), history.csv, "
        "a loss plot, the model and its configuration. Default: the offline 64x64 label-map "
        "-> photo demo set, 400 images, 6 epochs, about 2 minutes on a 2-core CPU. Training "
        "pairs get the paper's random jitter and mirroring, the same for input and target "
        "(--no-jitter, --no-flip switch them off)."
    )
    paired = True
    title = "a Pix2Pix"
    demo_num_images = 400
    defaults = {
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
        "jitter": True,
        "jitter_size": None,
        "flip": True,
        "mixed_precision": "none",
        "seed": 0,
        "sample_every": 1,
        "num_samples": 4,
    }
    option_help = {
        "image_size": "a power of two (the paper: 256)",
        "epochs": "epochs at the initial learning rate",
        "width": "base filters of both networks (the paper: 64)",
        "num_samples": "held-out rows per grid",
    }

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--l1-weight",
            type=non_negative_float,
            help="weight of the L1 term (lambda). Default: 100",
        )

    def build_model(self, config, train_a, train_b, held_a, held_b):
        import keras_gan_kit as kgk

        size, width = config["image_size"], config["width"]
        model = kgk.models.Pix2Pix(
            kgk.networks.UNetGenerator(
                size,
                input_channels=train_a.shape[-1],
                output_channels=train_b.shape[-1],
                base_filters=width,
                max_filters=8 * width,
            ),
            kgk.networks.PatchGANDiscriminator(
                input_channels=train_b.shape[-1],
                condition_channels=train_a.shape[-1],
                base_filters=width,
                num_layers=patchgan_layers(size),
            ),
            l1_weight=config["l1_weight"],
            jitter=jitter_layer(config),
            seed=config["seed"],
        )
        savers = [
            kgk.callbacks.TranslationSampleSaver(
                os.path.join(config["output"], "samples"),
                held_a,
                held_b,
                every_n_epochs=config["sample_every"],
                scale=self.grid_scale(config),
            )
        ]
        return model, self.steps_per_epoch(config, train_a), savers
