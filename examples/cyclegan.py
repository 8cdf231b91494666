"""CycleGAN: unpaired style transfer (photo <-> painting).

Trains `keras_gan_kit.models.CycleGAN` (two ResNet generators, two 70x70
PatchGANs with instance norm, least-squares loss, cycle (10) and identity (5)
terms, history buffers of 50 translations, learning rate decayed linearly to 0
over the second half of training) on the offline demo set: procedurally drawn
scenes as smooth "photos" (domain A) and, drawn independently, as flat
posterized "paintings" with dark outlines (domain B). No photo has a matching
painting: the model learns the style mapping from the two sets alone.

It then translates held-out photos into paintings and back, reports the cycle
error and how far the translations moved toward the painting style (share of
dark outline pixels and of distinct colours, two statistics that tell the
domains apart), and saves a grid (rows: photo | as painting | back to photo).

Online, the same script trains on the public sets, e.g.
`--data monet2photo --image-size 256 --width 64 --residual-blocks 9`
(photo <-> Monet, the paper's style-transfer setting; see
`datasets.load_cyclegan_dataset`), or on your own `trainA/` + `trainB/` folder.

```bash
python examples/cyclegan.py                         # demo set, 32x32, a few minutes on 2 CPU cores
python examples/cyclegan.py --epochs 1 --num-images 32 --image-size 16
```
"""

from __future__ import annotations

import argparse
import os

import keras
import numpy as np

import keras_gan_kit as kgk


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="demo", help="demo, a CycleGAN set name, or a folder")
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--num-images", type=int, default=256, help="images per domain (cap)")
    parser.add_argument("--epochs", type=int, default=10, help="half constant, half decaying")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--width", type=int, default=16, help="base filters (paper: 64)")
    parser.add_argument("--residual-blocks", type=int, default=3, help="paper: 6 or 9")
    parser.add_argument("--output", default="cyclegan_run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=2)
    return parser.parse_args(argv)


def style_statistics(images):
    """(share of near-black pixels, distinct colours per image): paintings have more of the
    first (outlines) and fewer of the second (flat, posterized colours)."""
    uint8 = kgk.datasets.to_uint8_images(images)
    dark = float(np.mean(uint8.max(axis=-1) < 48))
    colours = np.mean([len(np.unique(im.reshape(-1, 3) // 16, axis=0)) for im in uint8])
    return dark, float(colours)


def main(argv=None):
    args = parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    load = kgk.datasets.load_translation_data
    photos, paintings = load(
        args.data, kind="unpaired", image_size=args.image_size, num_images=args.num_images
    )
    test_photos, test_paintings = load(
        args.data, kind="unpaired", split="test", image_size=args.image_size, num_images=32
    )
    print(f"Backend: {keras.backend.backend()} | A {photos.shape}, B {paintings.shape}")

    nets = kgk.networks

    def generator():
        return nets.ResNetGenerator(
            base_filters=args.width, num_residual_blocks=args.residual_blocks
        )

    def discriminator():
        return nets.PatchGANDiscriminator(
            base_filters=args.width,
            num_layers=3 if args.image_size >= 32 else 2,
            normalization="instance",
        )

    model = kgk.models.CycleGAN(
        generator(), generator(), discriminator(), discriminator(),
        image_size=args.image_size,
        seed=args.seed,
    )  # fmt: skip
    # The paper's schedule: constant learning rate, then linearly to 0 (here half and half).
    steps_per_epoch = -(-max(len(photos), len(paintings)) // args.batch_size)
    constant = (args.epochs // 2) * steps_per_epoch
    decay = max(1, (args.epochs - args.epochs // 2) * steps_per_epoch)

    def adam():
        return keras.optimizers.Adam(kgk.optimizers.LinearDecay(2e-4, constant, decay), beta_1=0.5)

    model.compile(generator_optimizer=adam(), discriminator_optimizer=adam())
    model.fit(
        photos, paintings, batch_size=args.batch_size, epochs=args.epochs, verbose=args.verbose
    )

    as_paintings = model.translate(test_photos)
    back = model.translate(as_paintings, direction="ba")
    cycle = kgk.metrics.l1_distance(back, test_photos)
    print(f"Held-out cycle error |G_ba(G_ab(photo)) - photo|: {cycle:.3f}")
    print("Style statistics (dark-pixel share, distinct colours per image):")
    for name, images in (
        ("photos", test_photos),
        ("photos as paintings", as_paintings),
        ("real paintings", test_paintings),
    ):
        dark, colours = style_statistics(images)
        print(f"  {name:20s} {dark:.3f}  {colours:6.1f}")
    os.makedirs(args.output, exist_ok=True)
    rows = np.stack([test_photos[:8], as_paintings[:8], back[:8]], axis=1)
    grid_path = os.path.join(args.output, "photo_to_painting.png")
    kgk.utils.save_image_grid(grid_path, rows.reshape((-1,) + rows.shape[2:]), columns=3, scale=2)
    model.save(os.path.join(args.output, "cyclegan.keras"))
    print(f"Saved {grid_path} and the model to {os.path.join(args.output, 'cyclegan.keras')}")


if __name__ == "__main__":
    main()
