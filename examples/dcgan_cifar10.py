"""A DCGAN on CIFAR-10 (32x32 colour images), trained with plain `fit`.

Radford et al.'s (2016) DCGAN, assembled from the library's parts:

- the networks come from `keras_gan_kit.networks`: `DCGANGenerator` outputs
  `(32, 32, 3)` images in [-1, 1] (tanh), `DCGANDiscriminator` takes
  `(32, 32, 3)` and returns logits;
- the data come from `keras_gan_kit.datasets.load_cifar10()`, scaled to
  [-1, 1] (uint8 or [0, 255] data would be refused by `fit` with a clear error);
- `keras_gan_kit.GAN` runs the adversarial update (a discriminator step on real
  and generated images, then a generator step through the discriminator, each
  with its own Adam(2e-4, beta_1=0.5) as in the paper) under `fit` on
  TensorFlow, JAX or PyTorch;
- `GeneratorEMA` keeps an exponential moving average of the generator, which
  `ImageSampleSaver` draws its grids from.

Sample grids (from one fixed latent grid) go to `--output/samples/`, the model
to `--output/dcgan_cifar10.keras`.

CIFAR-10 is downloaded by `keras.datasets` on first use (170 MB, cached in
`~/.keras/datasets`). Without internet, `--synthetic` trains on generated
images of coloured shapes instead, which is what the test suite does:

```bash
python examples/dcgan_cifar10.py                       # CIFAR-10, 25 epochs
python examples/dcgan_cifar10.py --epochs 1 --synthetic --max-images 256
```
"""

from __future__ import annotations

import argparse
import os
import sys

import keras
import numpy as np

import keras_gan_kit as kgk


def synthetic_images(num_images: int, seed: int = 0) -> np.ndarray:
    """Coloured discs and squares on coloured backgrounds, `(n, 32, 32, 3)` in [-1, 1]."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:32, :32]
    images = np.empty((num_images, 32, 32, 3), "float32")
    for i in range(num_images):
        image = np.broadcast_to(rng.uniform(-1, 0, 3), (32, 32, 3)).copy()
        cy, cx, r = rng.uniform(8, 24), rng.uniform(8, 24), rng.uniform(4, 9)
        if rng.random() < 0.5:
            mask = (yy - cy) ** 2 + (xx - cx) ** 2 < r**2
        else:
            mask = (np.abs(yy - cy) < r) & (np.abs(xx - cx) < r)
        image[mask] = rng.uniform(0, 1, 3)
        images[i] = image
    return images


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--max-images", type=int, default=None, help="use the first N images")
    parser.add_argument("--synthetic", action="store_true", help="generated data, offline")
    parser.add_argument("--output", default="runs/dcgan_cifar10")
    parser.add_argument("--verbose", type=int, default=1)
    args = parser.parse_args(argv)

    if args.synthetic:
        images = synthetic_images(args.max_images or 5000)
    else:
        try:
            images = kgk.datasets.load_cifar10()  # float32 in [-1, 1], (50000, 32, 32, 3)
        except RuntimeError as e:
            print(f"{e}\nRun with --synthetic to train on generated images offline.")
            return 1
    images = images[: args.max_images]
    print(
        f"Backend: {keras.backend.backend()}; data: {images.shape}, "
        f"range [{images.min():.1f}, {images.max():.1f}]"
    )

    keras.utils.set_random_seed(0)
    generator = kgk.networks.DCGANGenerator(image_size=32, channels=3, latent_dim=128)
    discriminator = kgk.networks.DCGANDiscriminator(image_size=32, channels=3)
    gan = kgk.GAN(generator, discriminator, seed=0)
    gan.compile(loss="non_saturating")  # Adam(2e-4, beta_1=0.5) for each network

    history = gan.fit(
        images,
        batch_size=args.batch_size,
        epochs=args.epochs,
        verbose=args.verbose,
        callbacks=[
            kgk.callbacks.GeneratorEMA(half_life_images=10_000),
            kgk.callbacks.ImageSampleSaver(
                os.path.join(args.output, "samples"),
                num_samples=64,
                real_images=images,
                scale=2,
            ),
        ],
    )
    samples = gan.generate(16)
    print(
        f"Final losses: d_loss {history.history['d_loss'][-1]:.3f}, "
        f"g_loss {history.history['g_loss'][-1]:.3f}"
    )
    print(f"Generated samples: {samples.shape}, range [{samples.min():.2f}, {samples.max():.2f}]")
    path = os.path.join(args.output, "dcgan_cifar10.keras")
    gan.save(path)
    print(f"Saved the model to {path}; sample grids in {os.path.join(args.output, 'samples')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
