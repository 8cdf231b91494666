"""`keras-gan-kit train cyclegan`: unpaired translation, two ResNet generators, two PatchGANs."""

from __future__ import annotations

import os

from keras_gan_kit.cli.common import CLIError, non_negative_float, positive_int
from keras_gan_kit.cli.train.image_translation import (
    TranslationRecipe,
    jitter_layer,
    patchgan_layers,
)

__all__ = ["CycleGANRecipe"]


class CycleGANRecipe(TranslationRecipe):
    """`train cyclegan`: two `ResNetGenerator`s and two instance-norm `PatchGANDiscriminator`s."""

    name = "cyclegan"
    order = 2
    help = "unpaired translation (default: offline 64x64 photos <-> paintings, about 2 minutes)"
    description = (
        "Train a CycleGAN (unpaired image-to-image translation) and write a run folder with "
        "sample grids (input | translation | reconstruction rows, both directions), "
        "history.csv, a loss plot, the model and its configuration. Default: the offline "
        "64x64 photo <-> painting demo set, 128 images per domain, 6 epochs, about 2 minutes "
        "on a 2-core CPU. Training images get the paper's random jitter and mirroring, each "
        "domain independently (--no-jitter, --no-flip switch them off)."
    )
    paired = False
    title = "a CycleGAN"
    demo_num_images = 128
    defaults = {
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
        "jitter": True,
        "jitter_size": None,
        "flip": True,
        "mixed_precision": "none",
        "seed": 0,
        "sample_every": 1,
        "num_samples": 4,
    }
    option_help = {
        "image_size": "a multiple of 4, >= 8 (the paper: 256)",
        "epochs": "epochs at the initial learning rate",
        "batch_size": "(the paper's: 1)",
        "width": "base filters of every network (the paper: 64)",
        "num_samples": "held-out rows per grid",
    }

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--cycle-weight",
            type=non_negative_float,
            help="weight of the cycle-consistency terms (lambda). Default: 10",
        )
        parser.add_argument(
            "--identity-weight",
            type=non_negative_float,
            help="identity term, relative to --cycle-weight; 0 disables. Default: 0.5",
        )
        parser.add_argument(
            "--residual-blocks",
            type=positive_int,
            help="residual blocks of the generators. Default: 6 up to 128 px, 9 above "
            "(the paper's)",
        )

    def prepare(self, config):
        super().prepare(config)
        if config["image_size"] % 4 or config["image_size"] < 8:
            raise CLIError(
                "--image-size must be a multiple of 4 and >= 8 for cyclegan (its ResNet "
                f"generators halve the size twice); got {config['image_size']}"
            )
        if config["residual_blocks"] is None:
            config["residual_blocks"] = 6 if config["image_size"] <= 128 else 9

    def build_model(self, config, train_a, train_b, held_a, held_b):
        import keras_gan_kit as kgk

        nets = kgk.networks
        size, width = config["image_size"], config["width"]
        channels_a, channels_b = train_a.shape[-1], train_b.shape[-1]

        def generator(channels_in, channels_out, name):
            return nets.ResNetGenerator(
                input_channels=channels_in,
                output_channels=channels_out,
                base_filters=width,
                num_residual_blocks=config["residual_blocks"],
                name=name,
            )

        def discriminator(channels):
            return nets.PatchGANDiscriminator(
                input_channels=channels,
                base_filters=width,
                num_layers=patchgan_layers(size),
                normalization="instance",
            )

        model = kgk.models.CycleGAN(
            generator(channels_a, channels_b, "generator_ab"),
            generator(channels_b, channels_a, "generator_ba"),
            discriminator(channels_a),
            discriminator(channels_b),
            cycle_weight=config["cycle_weight"],
            identity_weight=config["identity_weight"],
            image_size=size,
            jitter=jitter_layer(config),
            seed=config["seed"],
        )
        savers = [
            kgk.callbacks.TranslationSampleSaver(
                os.path.join(config["output"], "samples"),
                held,
                direction=direction,
                every_n_epochs=config["sample_every"],
                filename_format=f"epoch_{{epoch:04d}}_{direction}.png",
                reconstruction=True,
                scale=self.grid_scale(config),
            )
            for held, direction in ((held_a, "ab"), (held_b, "ba"))
        ]
        return model, self.steps_per_epoch(config, train_a, train_b), savers
