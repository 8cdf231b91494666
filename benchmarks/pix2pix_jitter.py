"""Pix2Pix on the offline demo set with and without the papers' random jitter and mirroring.

The run of `examples/pix2pix.py` (512 training pairs at 32x32, U-Net and 70x70
PatchGAN of width 32, batch 8, 20 epochs, seed 0, the paper's losses and
optimizers), once per setting of `augment.RandomJitter` (`--settings`):

- `none`: the training pairs as given (the guide's earlier figures);
- `jitter`: resize to 36 (32 x 286/256), random 32-pixel crop, random mirror,
  the same transform for a label map and its photo (the papers' setting).

For each, the held-out metrics of the guide (64 test pairs: L1, PSNR, SSIM with
a 7x7 window) and the training cost in CPU seconds of this process
(`time.process_time()`, all threads; wall time is meaningless on a shared
machine). Results are printed and written to `--json`.

```bash
KERAS_BACKEND=tensorflow python benchmarks/pix2pix_jitter.py --json results/pix2pix_jitter.json
python benchmarks/pix2pix_jitter.py --epochs 1 --num-images 16   # a quick check
```
"""

from __future__ import annotations

import argparse
import json
import time

import keras

import keras_gan_kit as kgk


def run(setting, args, data):
    inputs, targets, test_inputs, test_targets = data
    keras.utils.set_random_seed(args.seed)
    jitter = None
    if setting == "jitter":
        jitter = kgk.augment.RandomJitter(seed=args.seed + 1)
    model = kgk.models.Pix2Pix(
        kgk.networks.UNetGenerator(args.image_size, base_filters=args.width),
        kgk.networks.PatchGANDiscriminator(
            condition_channels=3, base_filters=args.width, num_layers=3
        ),
        l1_weight=100.0,
        jitter=jitter,
        seed=args.seed,
    )
    model.compile()
    start = time.process_time()
    history = model.fit(inputs, targets, batch_size=args.batch_size, epochs=args.epochs, verbose=0)
    cpu_seconds = time.process_time() - start
    outputs = model.translate(test_inputs)
    metrics = kgk.metrics
    return {
        "setting": setting,
        "l1": float(metrics.l1_distance(outputs, test_targets)),
        "psnr": float(metrics.psnr(outputs, test_targets)),
        "ssim": float(metrics.ssim(outputs, test_targets, window_size=7)),
        "train_l1_last_epoch": float(history.history["l1"][-1]),
        "train_cpu_seconds": cpu_seconds,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--settings", default="none,jitter")
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--num-images", type=int, default=512)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    load = kgk.datasets.load_translation_data
    inputs, targets = load(
        "demo", kind="paired", image_size=args.image_size, num_images=args.num_images
    )
    test_inputs, test_targets = load(
        "demo", kind="paired", split="test", image_size=args.image_size, num_images=64
    )
    data = (inputs, targets, test_inputs, test_targets)
    results = []
    for setting in args.settings.split(","):
        result = run(setting, args, data)
        print(
            f"{keras.backend.backend()} {setting:7s} L1 {result['l1']:.3f}  PSNR "
            f"{result['psnr']:.2f} dB  SSIM {result['ssim']:.3f}  train CPU "
            f"{result['train_cpu_seconds']:.0f} s",
            flush=True,
        )
        results.append(result)
        if args.json:
            with open(args.json, "w") as f:
                json.dump(
                    {"backend": keras.backend.backend(), "args": vars(args), "results": results},
                    f,
                    indent=2,
                )


if __name__ == "__main__":
    main()
