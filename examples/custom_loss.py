"""Writing your own adversarial loss, training with it, saving and reloading.

The loss below is the standard GAN loss with one-sided label smoothing
(Salimans et al. 2016, "Improved Techniques for Training GANs"): the
discriminator's target for real samples is `real_label` (e.g. 0.9) instead of
1, which keeps it from growing over-confident. It subclasses
`keras_gan_kit.losses.AdversarialLoss`, overrides the two per-sample methods
in `keras.ops` (so it runs on every backend), stores its argument in
`get_config()` and is registered with Keras, so a `.keras` file that uses it
can be loaded again.

The script trains a small GAN on a 1-D mixture of two Gaussians, saves it,
reloads it, checks that the reloaded model generates the same samples and
still uses the custom loss, and trains it one more epoch from the restored
optimizer state.

```bash
KERAS_BACKEND=torch python examples/custom_loss.py --epochs 10
```
"""

from __future__ import annotations

import argparse
import os
import tempfile

import keras
import numpy as np
from keras import ops

import keras_gan_kit as kgk


def per_sample_mean(values):
    """Averages over every axis but the batch axis: `(batch, ...) -> (batch,)`."""
    if len(values.shape) <= 1:
        return values
    return ops.mean(values, axis=tuple(range(1, len(values.shape))))


@keras.saving.register_keras_serializable(package="examples")
class LabelSmoothingLoss(kgk.losses.AdversarialLoss):
    """Non-saturating GAN loss with one-sided label smoothing.

    Discriminator: `-real_label * log D(x) - (1 - real_label) * log(1 - D(x))
    - log(1 - D(G(z)))`, written with softplus on logits. Generator:
    `-log D(G(z))`, as in the non-saturating loss.

    Args:
        real_label: float in (0.5, 1]. Target probability for real samples.
            Defaults to 0.9.
        name: str. Defaults to `"label_smoothing_loss"`.
    """

    def __init__(self, real_label: float = 0.9, name: str | None = None):
        super().__init__(name=name)
        if not 0.5 < real_label <= 1.0:
            raise ValueError(
                f"`real_label` must lie in (0.5, 1]. Received: real_label={real_label!r}"
            )
        self.real_label = float(real_label)

    def discriminator_loss_per_sample(self, real_logits, fake_logits):
        # Logits arrive as float32 tensors of shape (batch, ...).
        t = self.real_label
        real_term = t * ops.softplus(-real_logits) + (1.0 - t) * ops.softplus(real_logits)
        fake_term = ops.softplus(fake_logits)
        return per_sample_mean(real_term) + per_sample_mean(fake_term)

    def generator_loss_per_sample(self, fake_logits, real_logits=None):
        # Reuse a built-in pure function for the generator term.
        return kgk.losses.non_saturating_generator_loss(fake_logits)

    def get_config(self) -> dict:
        return {**super().get_config(), "real_label": self.real_label}


def two_gaussians(num_samples: int, seed: int = 0) -> np.ndarray:
    """1-D points from two Gaussians at -0.5 and +0.5 (std 0.1), `(n, 1)`."""
    rng = np.random.default_rng(seed)
    centres = rng.choice([-0.5, 0.5], size=(num_samples, 1))
    points = centres + 0.1 * rng.standard_normal((num_samples, 1))
    return np.clip(points, -1.0, 1.0).astype("float32")


def build_gan(seed: int) -> kgk.GAN:
    generator = keras.Sequential(
        [
            keras.Input((8,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(1, activation="tanh"),
        ],
        name="generator",
    )
    discriminator = keras.Sequential(
        [
            keras.Input((1,)),
            keras.layers.Dense(64, activation="leaky_relu"),
            keras.layers.Dense(64, activation="leaky_relu"),
            keras.layers.Dense(1),
        ],
        name="discriminator",
    )
    return kgk.GAN(generator, discriminator, seed=seed)


def describe(samples: np.ndarray) -> str:
    left = float(np.mean(samples < 0))
    return (
        f"mean {samples.mean():+.3f}, std {samples.std():.3f}, "
        f"{left:.0%} left of 0 / {1 - left:.0%} right"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--num-samples", type=int, default=8192)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--real-label", type=float, default=0.9)
    parser.add_argument(
        "--output", help="where to save the .keras file (defaults to a temporary directory)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=2)
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    data = two_gaussians(args.num_samples, seed=args.seed)

    gan = build_gan(args.seed)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        loss=LabelSmoothingLoss(real_label=args.real_label),
        penalties=[kgk.losses.R1Penalty(gamma=0.1)],
    )
    print(
        f"Backend: {keras.backend.backend()} | loss: {gan.adversarial_loss!r} "
        f"(real_label={gan.adversarial_loss.real_label})"
    )
    gan.fit(data, batch_size=args.batch_size, epochs=args.epochs, verbose=args.verbose)
    print("Real data:        ", describe(data))
    print("Generated samples:", describe(gan.generate(4000)))

    with tempfile.TemporaryDirectory() as tmp:
        path = args.output or os.path.join(tmp, "custom_loss_gan.keras")
        gan.save(path)
        # The loss class is registered, so no custom_objects are needed.
        reloaded = keras.models.load_model(path)
        print(f"Saved and reloaded {path}")

    loss = reloaded.adversarial_loss
    print(f"Reloaded loss: {loss!r} (real_label={loss.real_label})")

    latents = gan.sample_latents(16, seed=123)
    same = np.array_equal(gan.generate(latents=latents), reloaded.generate(latents=latents))
    print(f"Reloaded model generates identical samples: {same}")
    if type(loss) is not LabelSmoothingLoss or loss.real_label != args.real_label or not same:
        raise SystemExit("The reloaded model does not match the trained one.")

    steps_before = int(reloaded.optimizer.iterations)
    reloaded.fit(data, batch_size=args.batch_size, epochs=1, verbose=0)
    print(f"Resumed training: {steps_before} -> {int(reloaded.optimizer.iterations)} steps")


if __name__ == "__main__":
    main()
