"""A GAN on a ring of eight 2-D Gaussians, the classic mode-collapse test.

The data are points from eight Gaussians (standard deviation 0.05) placed on a
circle of radius 2. A small MLP generator learns to map 16-D noise to such
points while an MLP discriminator tells real points from generated ones.
After training the script draws 2,000 samples and reports:

- how many of the eight modes are covered (a mode counts when at least 1% of
  the samples lie within 3 standard deviations of its centre),
- the fraction of "high-quality" samples (within 3 standard deviations of some
  mode),
- the mean distance of a sample to its nearest mode centre,
- how the samples spread over the modes.

Collapse onto a few modes shows as few covered modes; blurry samples as a low
high-quality fraction and a large mean distance.

Run it with any backend:

```bash
KERAS_BACKEND=jax python examples/toy_2d.py
KERAS_BACKEND=torch python examples/toy_2d.py --epochs 5 --loss hinge
python examples/toy_2d.py --plot toy_2d.png   # scatter plot, needs matplotlib
```
"""

from __future__ import annotations

import argparse
import time

import keras
import numpy as np

import keras_gan_kit as kgk

STD = 0.05  # of each of the eight Gaussians
LATENT_DIM = 16


def build_generator() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((LATENT_DIM,)),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(2),  # linear output: the data span [-2.2, 2.2]
        ],
        name="generator",
    )


def build_discriminator() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(128, activation="leaky_relu"),
            keras.layers.Dense(128, activation="leaky_relu"),
            keras.layers.Dense(128, activation="leaky_relu"),
            keras.layers.Dense(1),  # one logit per point
        ],
        name="discriminator",
    )


def save_plot(path: str, real: np.ndarray, fake: np.ndarray) -> None:
    """Saves a scatter plot of real and generated points (needs matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: skipping the plot (pip install matplotlib).")
        return
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.scatter(real[:, 0], real[:, 1], s=2, alpha=0.3, label="real")
    ax.scatter(fake[:, 0], fake[:, 1], s=2, alpha=0.3, label="generated")
    ax.set_aspect("equal")
    ax.legend(loc="upper right")
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    print(f"Saved a scatter plot to {path}")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--num-samples", type=int, default=16384, help="size of the training set")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument(
        "--loss", default="non_saturating", help="any name keras_gan_kit.losses.get() accepts"
    )
    parser.add_argument("--r1", type=float, default=0.1, help="R1 penalty gamma (0 turns it off)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", metavar="PATH", help="save a scatter plot PNG")
    parser.add_argument(
        "--verbose",
        type=int,
        default=2,
        help="fit() verbosity: 0 silent, 1 progress bar, 2 one line per epoch",
    )
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)  # reproducible weights
    # The points span about [-2.2, 2.2]; fit() warns about data outside [-1, 1]
    # because image generators usually end in tanh. This generator's output is
    # linear, so the warning does not apply here.
    data, centers = kgk.datasets.gaussian_mixture_2d(
        "ring", args.num_samples, std=STD, seed=args.seed, return_centers=True
    )

    gan = kgk.GAN(build_generator(), build_discriminator(), seed=args.seed)
    penalties = [kgk.losses.R1Penalty(gamma=args.r1)] if args.r1 > 0 else []
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        loss=args.loss,
        penalties=penalties,
    )
    print(
        f"Backend: {keras.backend.backend()} | loss: {gan.adversarial_loss.name} | "
        f"penalties: {', '.join(map(repr, penalties)) or 'none'} | "
        f"{args.num_samples} points, batch {args.batch_size}, {args.epochs} epochs"
    )

    start = time.perf_counter()
    history = gan.fit(data, batch_size=args.batch_size, epochs=args.epochs, verbose=args.verbose)
    seconds = time.perf_counter() - start
    final = {k: round(float(v[-1]), 4) for k, v in history.history.items()}
    print(f"Trained in {seconds:.1f} s. Final logs: {final}")

    samples = gan.generate(2000)
    stats = kgk.metrics.mode_coverage(samples, centers, std=STD)
    print(f"Modes covered: {stats['modes_covered']} / {stats['num_modes']}")
    print(f"High-quality samples (within 3 std of a mode): {stats['high_quality_fraction']:.1%}")
    print(
        f"Mean distance to the nearest mode: {stats['mean_distance']:.3f} "
        f"(data: {np.sqrt(np.pi / 2) * STD:.3f})"
    )
    print("High-quality samples per mode:", " ".join(str(c) for c in stats["counts"]))
    if args.plot:
        save_plot(args.plot, data[:2000], samples)
    return stats


if __name__ == "__main__":
    main()
