"""Pix2Pix: paired image-to-image translation (label map -> photo).

Trains `keras_gan_kit.models.Pix2Pix` (U-Net generator, conditional 70x70
PatchGAN discriminator, adversarial + 100 * L1) on the offline demo set: flat
label maps of random shapes and their rendered "photos"
(`datasets.make_paired_demo`). Then translates held-out label maps, reports L1,
PSNR and SSIM against the true photos next to two baselines, and saves a
before/after grid (rows: label map | translation | true photo).

The same script runs on the public sets when online, e.g.
`--data facades --image-size 256 --width 64 --batch-size 1` (the paper's
setting; see `datasets.load_pix2pix_dataset`), or on your own folder of
side-by-side A|B images (`--data path/to/folder`).

```bash
python examples/pix2pix.py                  # demo set, 32x32, about 4 min on 2 CPU cores (TF)
python examples/pix2pix.py --epochs 1 --num-images 64 --image-size 16
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
    parser.add_argument("--data", default="demo", help="demo, a pix2pix set name, or a folder")
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--num-images", type=int, default=512, help="training pairs (cap)")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--width", type=int, default=32, help="base filters (paper: 64)")
    parser.add_argument("--output", default="pix2pix_run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=2)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    load = kgk.datasets.load_translation_data
    inputs, targets = load(
        args.data, kind="paired", image_size=args.image_size, num_images=args.num_images
    )
    test_inputs, test_targets = load(
        args.data, kind="paired", split="test", image_size=args.image_size, num_images=64
    )
    print(f"Backend: {keras.backend.backend()} | train {inputs.shape}, test {test_inputs.shape}")

    model = kgk.models.Pix2Pix(
        kgk.networks.UNetGenerator(args.image_size, base_filters=args.width),
        kgk.networks.PatchGANDiscriminator(
            condition_channels=3,
            base_filters=args.width,
            num_layers=3 if args.image_size >= 32 else 2,  # 70x70 patches; 34x34 for tiny images
        ),
        l1_weight=100.0,
        seed=args.seed,
    )
    model.compile()  # Adam(2e-4, beta_1=0.5), non-saturating loss: the paper's settings
    model.fit(inputs, targets, batch_size=args.batch_size, epochs=args.epochs, verbose=args.verbose)

    outputs = model.translate(test_inputs)
    metrics = kgk.metrics
    print("Held-out pairs (lower L1, higher PSNR/SSIM is better):")
    # Baselines: the input itself, and the mean training photo.
    mean_photo = np.broadcast_to(targets.mean(axis=0), test_targets.shape)
    for name, images in (("Pix2Pix", outputs), ("input", test_inputs), ("mean", mean_photo)):
        print(
            f"  {name:8s} L1 {metrics.l1_distance(images, test_targets):.3f}  "
            f"PSNR {metrics.psnr(images, test_targets):5.2f} dB  "
            f"SSIM {metrics.ssim(images, test_targets, window_size=7):.3f}"
        )
    os.makedirs(args.output, exist_ok=True)
    rows = np.stack([test_inputs[:8], outputs[:8], test_targets[:8]], axis=1)
    grid_path = os.path.join(args.output, "before_after.png")
    kgk.utils.save_image_grid(grid_path, rows.reshape((-1,) + rows.shape[2:]), columns=3, scale=2)
    model.save(os.path.join(args.output, "pix2pix.keras"))
    print(f"Saved {grid_path} and the model to {os.path.join(args.output, 'pix2pix.keras')}")


if __name__ == "__main__":
    main()
