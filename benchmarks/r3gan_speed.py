"""R3GAN train-step speed on CPU: native vs split grouped convolutions, per backend.

One `keras_gan_kit.GAN` with `R3GANGenerator`/`R3GANDiscriminator` (R3GAN's
objective: RpGAN + R1 + R2, Adam with beta_1 = 0) trained by `fit` on random
images, once per variant, each in a fresh process per backend:

* `native`: `grouped_conv="native"`, one grouped convolution per layer (what
  `"auto"` chose before it chose per backend; on TensorFlow, Keras 3 runs it
  through a nested XLA function).
* `split`: `grouped_conv="split"`, one convolution per group, concatenated.
* `auto`: `grouped_conv="auto"`, `keras_gan_kit.layers.grouped_conv_implementation()`.
* `dcgan`: the `train r3gan --backbone dcgan` stand-in (DCGAN generator, DCGAN
  discriminator without normalization, `width` base filters), same objective.

Times are CPU seconds of the process (`time.process_time()`, all threads),
which a shared machine inflates less than wall time; wall seconds are
recorded too. The first step (tracing and compilation) is reported apart from
the median of the following `--steps` steps; a callback reads every step's
`d_loss` so that asynchronous backends finish the step before it is timed.

Usage (all three backends, each variant in its own subprocess):

    python benchmarks/r3gan_speed.py --backends tensorflow,jax,torch \\
        --variants native,auto,dcgan --json benchmarks/results/r3gan_speed.json

One backend and variant in this process:

    KERAS_BACKEND=tensorflow python benchmarks/r3gan_speed.py --variant auto
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

VARIANTS = ("native", "split", "auto", "dcgan")


def build_gan(args):
    import keras

    import keras_gan_kit as kgk

    keras.utils.set_random_seed(args.seed)
    size, channels = args.image_size, 3
    if args.variant == "dcgan":
        generator = kgk.networks.DCGANGenerator(size, channels, args.latent_dim, args.width)
        discriminator = kgk.networks.DCGANDiscriminator(
            size, channels, args.width, normalization="none"
        )
    else:
        network_args = dict(
            image_size=size,
            channels=channels,
            widths=args.width,
            blocks_per_stage=args.blocks,
            cardinality=args.cardinality,
            expansion=2,
            grouped_conv=args.variant,
        )
        generator = kgk.networks.R3GANGenerator(latent_dim=args.latent_dim, **network_args)
        discriminator = kgk.networks.R3GANDiscriminator(**network_args)
    gan = kgk.GAN(generator, discriminator, seed=args.seed)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.0, beta_2=0.99),
        discriminator_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.0, beta_2=0.99),
        loss="rpgan",
        penalties=[kgk.losses.R1Penalty(0.05), kgk.losses.R2Penalty(0.05)],
    )
    return gan


def run_variant(args):
    """Trains `1 + args.steps` steps; returns the first and steady per-step times."""
    import keras
    import numpy as np

    import keras_gan_kit as kgk

    gan = build_gan(args)
    rng = np.random.default_rng(args.seed)
    steps = 1 + args.steps
    images = rng.uniform(-1, 1, (steps * args.batch_size, args.image_size, args.image_size, 3))
    times = []

    class StepTimer(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            self.start = (time.process_time(), time.perf_counter())

        def on_train_batch_end(self, batch, logs=None):
            float(logs["d_loss"])  # wait for the step's result
            cpu, wall = self.start
            times.append((time.process_time() - cpu, time.perf_counter() - wall))

    gan.fit(
        images.astype("float32"),
        batch_size=args.batch_size,
        epochs=1,
        steps_per_epoch=steps,
        verbose=0,
        callbacks=[StepTimer()],
    )
    steady_cpu = statistics.median(t[0] for t in times[1:])
    steady_wall = statistics.median(t[1] for t in times[1:])
    return {
        "backend": keras.backend.backend(),
        "variant": args.variant,
        "resolved": (
            kgk.layers.grouped_conv_implementation() if args.variant == "auto" else args.variant
        ),
        "first_step_cpu_s": round(times[0][0], 3),
        "first_step_wall_s": round(times[0][1], 3),
        "steady_step_cpu_s": round(steady_cpu, 4),
        "steady_step_wall_s": round(steady_wall, 4),
        "steady_steps_per_cpu_s": round(1.0 / steady_cpu, 3),
        "step_cpu_s": [round(t[0], 3) for t in times],
        "config": {
            k: getattr(args, k)
            for k in ("image_size", "width", "blocks", "cardinality", "batch_size", "latent_dim")
        },
        "versions": versions(),
        "cpu_count": os.cpu_count(),
    }


def versions():
    out = {"python": platform.python_version()}
    for name in ("keras", "tensorflow", "jax", "torch"):
        try:
            out[name] = __import__(name).__version__
        except ImportError:
            out[name] = None
    return out


def markdown_table(results):
    lines = [
        "| backend | variant | first step (CPU s) | steady step (CPU s) | steady step (wall s) |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for r in results:
        variant = r["variant"] + (f" ({r['resolved']})" if r["variant"] == "auto" else "")
        lines.append(
            f"| {r['backend']} | {variant} | {r['first_step_cpu_s']:.1f} | "
            f"{r['steady_step_cpu_s']:.3f} | {r['steady_step_wall_s']:.3f} |"
        )
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variant", default="auto", choices=VARIANTS)
    parser.add_argument("--variants", default=None, help="comma-separated, with --backends")
    parser.add_argument("--backends", default=None, help="e.g. tensorflow,jax,torch")
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--blocks", type=int, default=1)
    parser.add_argument("--cardinality", type=int, default=4)
    parser.add_argument("--latent-dim", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--steps", type=int, default=4, help="steady-state steps timed")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None, help="write the results to this file")
    return parser.parse_args(argv)


def run_subprocesses(args):
    results = []
    variants = (args.variants or args.variant).split(",")
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        for variant in variants:
            with tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, "result.json")
                command = [sys.executable, os.path.abspath(__file__), "--variant", variant]
                for key in ("image_size", "width", "blocks", "cardinality", "latent_dim"):
                    command += [f"--{key.replace('_', '-')}", str(getattr(args, key))]
                command += ["--batch-size", str(args.batch_size), "--steps", str(args.steps)]
                command += ["--seed", str(args.seed), "--json", out]
                print(f"== {backend} / {variant} ==", file=sys.stderr, flush=True)
                env = dict(os.environ, KERAS_BACKEND=backend)
                subprocess.run(command, env=env, check=True)
                with open(out) as f:
                    results.extend(json.load(f))
    return results


def main(argv=None):
    args = parse_args(argv)
    results = run_subprocesses(args) if args.backends else [run_variant(args)]
    print(markdown_table(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
