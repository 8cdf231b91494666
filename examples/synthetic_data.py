"""Synthetic training data (GAN data augmentation) on 10 digits per class.

Does a conditional GAN help a classifier?

The bundled UCI digits (16x16) are split into a small, class-balanced
training set (`--per-class` images per class, chosen with `--seed`) and a
test set made of every other image. A class-conditional DCGAN is trained on
the small training set only: the test images are never seen by the GAN or
by either classifier. Then the same small CNN
(`keras_gan_kit.synthetic_data.build_classifier`) is trained twice:

- on the real training images only;
- on `MixedDataset` batches: real images plus fresh GAN samples (a
  `--synthetic-fraction` share of every batch, class-balanced, new ones
  every epoch), optionally only those a real-data classifier recognises
  with probability >= `--filter` (`ConfidenceFilter`).

The script prints both test accuracies, the label agreement (how often the
real-data classifier recognises the requested digit in GAN samples) and the
Classification Accuracy Score (a classifier trained on GAN samples only,
tested on the real test images).

```bash
KERAS_BACKEND=tensorflow python examples/synthetic_data.py
python examples/synthetic_data.py --filter 0.9 --grid digits_by_class.png
```
"""

from __future__ import annotations

import argparse
import time

import keras
import numpy as np

import keras_gan_kit as kgk
from keras_gan_kit import synthetic_data
from keras_gan_kit.metrics.classification import classification_accuracy_score, label_agreement

NUM_CLASSES = 10
LATENT_DIM = 64


def split(x, y, per_class, seed):
    """`per_class` training images of each digit; all the others are test images."""
    rng = np.random.default_rng(seed)
    train = np.concatenate(
        [rng.choice(np.flatnonzero(y == k), per_class, replace=False) for k in range(NUM_CLASSES)]
    )
    test = np.setdiff1d(np.arange(len(x)), train)
    return (x[train], y[train]), (x[test], y[test])


def build_gan(image_size: int, seed: int) -> kgk.GAN:
    generator = kgk.networks.DCGANGenerator(
        image_size, channels=1, latent_dim=LATENT_DIM, base_filters=32, num_classes=NUM_CLASSES
    )
    discriminator = kgk.networks.DCGANDiscriminator(
        image_size, channels=1, base_filters=32, num_classes=NUM_CLASSES, spectral_norm=True
    )
    gan = kgk.GAN(generator, discriminator, num_classes=NUM_CLASSES, seed=seed)
    gan.compile(loss="hinge")
    return gan


def test_accuracy(model, x, y) -> float:
    return float(np.mean(model.predict(x, batch_size=512, verbose=0).argmax(axis=1) == y))


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=150, help="GAN training epochs")
    parser.add_argument("--classifier-epochs", type=int, default=60)
    parser.add_argument("--per-class", type=int, default=10, help="real training images per class")
    parser.add_argument("--image-size", type=int, default=16)
    parser.add_argument("--synthetic-fraction", type=float, default=0.5)
    parser.add_argument(
        "--filter", type=float, default=0.0, help="ConfidenceFilter threshold (0: no filter)"
    )
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--cas-per-class", type=int, default=100, help="CAS training samples per class (0: skip)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--grid", metavar="PATH", help="save a per-class sample grid PNG")
    parser.add_argument("--verbose", type=int, default=2, help="GAN fit() verbosity")
    args = parser.parse_args(argv)

    x, y = kgk.datasets.load_digits(args.image_size, return_labels=True)
    (x_train, y_train), (x_test, y_test) = split(x, y, args.per_class, args.seed)
    print(
        f"Backend: {keras.backend.backend()} | {len(x_train)} real training images "
        f"({args.per_class} per class), {len(x_test)} test images"
    )

    keras.utils.set_random_seed(args.seed)
    gan = build_gan(args.image_size, args.seed)
    start = time.perf_counter()
    gan.fit(x_train, y_train, batch_size=32, epochs=args.epochs, verbose=args.verbose)
    seconds = time.perf_counter() - start
    print(f"Trained the conditional GAN for {args.epochs} epochs in {seconds:.0f} s")

    shape = x_train.shape[1:]
    keras.utils.set_random_seed(args.seed)
    real_only = synthetic_data.build_classifier(shape, NUM_CLASSES)
    real_only.fit(
        x_train, y_train, batch_size=args.batch_size, epochs=args.classifier_epochs, verbose=0
    )
    real_accuracy = test_accuracy(real_only, x_test, y_test)
    print(f"Real only: test accuracy {real_accuracy:.3f}")

    keep = synthetic_data.ConfidenceFilter(real_only, args.filter) if args.filter > 0 else None
    keras.utils.set_random_seed(args.seed)
    augmented = synthetic_data.build_classifier(shape, NUM_CLASSES)
    dataset = synthetic_data.MixedDataset(
        gan,
        x_train,
        y_train,
        synthetic_fraction=args.synthetic_fraction,
        batch_size=args.batch_size,
        filter=keep,
        seed=args.seed,
    )
    augmented.fit(dataset, epochs=args.classifier_epochs, verbose=0)
    augmented_accuracy = test_accuracy(augmented, x_test, y_test)
    print(
        f"Real + GAN (synthetic fraction {args.synthetic_fraction:.2f}"
        f"{f', filter {args.filter}' if keep else ''}): test accuracy {augmented_accuracy:.3f}"
    )

    agreement = label_agreement(gan, real_only, samples_per_class=100, seed=args.seed)
    if args.cas_per_class > 0:
        cas = classification_accuracy_score(
            gan, x_test, y_test, samples_per_class=args.cas_per_class, epochs=15, seed=args.seed
        )["accuracy"]
        cas_text = f"{cas:.3f}"
    else:
        cas, cas_text = None, "skipped (--cas-per-class 0)"
    print(f"Label agreement: {agreement['accuracy']:.3f} | CAS: {cas_text}")
    per_class = " ".join(f"{a:.2f}" for a in agreement["per_class_accuracy"])
    print(f"Per-class label agreement: {per_class}")

    if args.grid:
        latents = np.random.default_rng(args.seed).standard_normal((10, LATENT_DIM))
        images = gan.generate(
            latents=np.tile(latents.astype("float32"), (NUM_CLASSES, 1)),
            labels=np.repeat(np.arange(NUM_CLASSES), 10),
        )
        path = kgk.utils.save_image_grid(args.grid, images, columns=10, scale=4)
        print(f"Saved a per-class sample grid (row k = digit k) to {path}")
    return {
        "real": real_accuracy,
        "real + GAN": augmented_accuracy,
        "label_agreement": agreement["accuracy"],
        "cas": cas,
    }


if __name__ == "__main__":
    main()
