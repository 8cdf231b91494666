"""The quick example of the documentation's home page: a GAN on points of a circle.

The data are 4,096 points on a circle of radius 0.8; two small MLPs learn to
generate such points with the non-saturating loss and an R1 penalty. The script prints
the mean and spread of the generated points' radius.

```bash
KERAS_BACKEND=jax python examples/quickstart.py --epochs 40
```
"""

import argparse

# --8<-- [start:quickstart]
import keras
import numpy as np

import keras_gan_kit as kgk


def train(epochs=40):
    angles = np.random.default_rng(0).uniform(0, 2 * np.pi, size=4096)
    points = 0.8 * np.stack([np.cos(angles), np.sin(angles)], axis=1).astype("float32")

    dense = keras.layers.Dense
    generator = keras.Sequential(
        [keras.Input((8,)), dense(64, "relu"), dense(64, "relu"), dense(2)]
    )
    discriminator = keras.Sequential(
        [keras.Input((2,)), dense(64, "leaky_relu"), dense(64, "leaky_relu"), dense(1)]
    )

    gan = kgk.GAN(generator, discriminator, seed=0)  # latent size 8, read from the generator
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        loss="non_saturating",
        penalties=[kgk.losses.R1Penalty(gamma=0.1)],
    )
    gan.fit(points, batch_size=128, epochs=epochs)  # logs d_loss, g_loss, r1
    return gan.generate(1000)  # NumPy array of shape (1000, 2)


# --8<-- [end:quickstart]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=40)
    keras.utils.set_random_seed(0)  # reproducible initial weights
    samples = train(parser.parse_args().epochs)
    radius = np.linalg.norm(samples, axis=1)
    print(f"Generated points: radius {radius.mean():.3f} +- {radius.std():.3f} (data: 0.800)")
