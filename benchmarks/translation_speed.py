"""Training throughput of `Pix2Pix` and `CycleGAN` with the paper's networks.

Pix2Pix: `UNetGenerator` (unet_256 layout) + 70x70 `PatchGANDiscriminator`
on (input, output) pairs, batch 1 by default (the paper's). CycleGAN: two
`ResNetGenerator`s (9 residual blocks) + two 70x70 PatchGANs with instance
norm, history buffers of 50, batch 1. Both at `--image-size` (256 in the
papers). Throughput is training steps per second in steady state: one untimed
`fit` absorbs tracing/compilation, then `--repeats` timed `fit` calls of
`--steps` steps each (a callback synchronises on each step's logs); the
median is reported.

Usage (backend from KERAS_BACKEND):

    KERAS_BACKEND=jax python benchmarks/translation_speed.py --image-size 256 --steps 20
    KERAS_BACKEND=torch python benchmarks/translation_speed.py --image-size 64 --steps 5 \\
        --repeats 2 --json out.json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import keras
import numpy as np

import keras_gan_kit as kgk


class StepTimer(keras.callbacks.Callback):
    """Wall time of each batch after its logs are materialised."""

    def __init__(self):
        super().__init__()
        self.times = []
        self._start = None

    def on_train_batch_begin(self, batch, logs=None):
        self._start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        float(keras.ops.convert_to_numpy(logs["d_loss"]))  # wait for the step
        self.times.append(time.perf_counter() - self._start)


def build(model_name, size, mixed):
    nets = kgk.networks
    if mixed:
        keras.config.set_dtype_policy("mixed_float16")
    if model_name == "pix2pix":
        model = kgk.models.Pix2Pix(
            nets.UNetGenerator(size),
            nets.PatchGANDiscriminator(condition_channels=3),
            seed=0,
        )
    else:
        model = kgk.models.CycleGAN(
            nets.ResNetGenerator(num_residual_blocks=9),
            nets.ResNetGenerator(num_residual_blocks=9),
            nets.PatchGANDiscriminator(normalization="instance"),
            nets.PatchGANDiscriminator(normalization="instance"),
            image_size=size,
            seed=0,
        )
    model.compile()
    return model


def measure(model_name, args):
    rng = np.random.default_rng(0)
    n = args.batch_size * (args.steps + 2)
    a = rng.uniform(-1, 1, (n, args.image_size, args.image_size, 3)).astype("float32")
    b = rng.uniform(-1, 1, (n, args.image_size, args.image_size, 3)).astype("float32")
    model = build(model_name, args.image_size, args.mixed_precision)
    fit_kwargs = {"batch_size": args.batch_size, "verbose": 0}
    model.fit(a[: 2 * args.batch_size], b[: 2 * args.batch_size], **fit_kwargs)  # compile
    rates = []
    for _ in range(args.repeats):
        timer = StepTimer()
        model.fit(a, b, callbacks=[timer], **fit_kwargs)
        steady = timer.times[2:]  # the first steps of a fit call include input pipeline start
        rates.append(len(steady) / sum(steady))
    return statistics.median(rates)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="pix2pix,cyclegan")
    parser.add_argument("--image-size", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--steps", type=int, default=20, help="timed steps per fit call")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--mixed-precision", action="store_true")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    device = "cpu"
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        device = jax.devices()[0].device_kind
    elif backend == "torch":
        import torch

        device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    results = []
    for model_name in args.models.split(","):
        steps_per_s = measure(model_name, args)
        results.append(
            {
                "model": model_name,
                "backend": backend,
                "device": device,
                "image_size": args.image_size,
                "batch_size": args.batch_size,
                "mixed_precision": args.mixed_precision,
                "steps_per_s": steps_per_s,
                "images_per_s": steps_per_s * args.batch_size,
            }
        )
        print(
            f"{model_name:9s} {backend:10s} {device:24s} {args.image_size}px batch "
            f"{args.batch_size}{' mixed' if args.mixed_precision else ''}: "
            f"{steps_per_s:.2f} steps/s ({1000 / steps_per_s:.1f} ms/step)",
            flush=True,
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"python": platform.python_version(), "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
