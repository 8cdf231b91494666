"""Does GAN data augmentation help a classifier trained on 10 digits per class?

Protocol, repeated for several seeds (default 5), on the bundled UCI digits
at 16x16 (`keras_gan_kit.datasets.load_digits`):

1. Take a class-balanced training subset (`--per-class` images per class,
   chosen with the seed); every other image (about 1,700) is the test set.
   Nothing below sees the test images except the final accuracy.
2. Train a class-conditional DCGAN (`DCGANGenerator`/`DCGANDiscriminator`,
   `num_classes=10`, hinge loss, spectral normalization in D) on the subset.
3. Train `synthetic_data.build_classifier` (a small CNN) four ways, for the
   same number of epochs over the real images, and report test accuracy:
   - `real`: the real subset only;
   - `real + shifts`: random translations of up to 2 pixels
     (`keras.layers.RandomTranslation`): classic augmentation, as a reference;
   - `real + GAN`: `MixedDataset`, half of each batch fresh GAN samples;
   - `real + GAN (filtered)`: the same, keeping only GAN samples that the
     `real` classifier assigns to their label with probability >= 0.9.
4. Classification Accuracy Score (train on GAN samples only, test on the
   real test set) and label agreement (the `real` classifier on GAN samples).

Prints one line per seed and a mean ± std table (Markdown), writes JSON with
`--json`, and a per-class sample grid (rows = classes) of the first seed with
`--grid`.

    KERAS_BACKEND=tensorflow python benchmarks/synthetic_data_digits.py --seeds 5 \\
        --json results.json --grid docs/images/augmentation_digits_grid.png
"""

from __future__ import annotations

import argparse
import json
import time

import keras
import numpy as np

import keras_gan_kit as kgk
from keras_gan_kit import synthetic_data
from keras_gan_kit.metrics.classification import classification_accuracy_score, label_agreement

NUM_CLASSES = 10


def split(x, y, per_class, seed):
    """A class-balanced training subset and the rest of the data as the test set."""
    rng = np.random.default_rng(seed)
    train = np.concatenate(
        [rng.choice(np.flatnonzero(y == k), per_class, replace=False) for k in range(NUM_CLASSES)]
    )
    test = np.setdiff1d(np.arange(len(x)), train)
    return (x[train], y[train]), (x[test], y[test])


def train_gan(x, y, args, seed):
    keras.utils.set_random_seed(seed)
    size = x.shape[1]
    gan = kgk.GAN(
        kgk.networks.DCGANGenerator(
            size, channels=1, latent_dim=64, base_filters=32, num_classes=NUM_CLASSES
        ),
        kgk.networks.DCGANDiscriminator(
            size, channels=1, base_filters=32, num_classes=NUM_CLASSES, spectral_norm=True
        ),
        num_classes=NUM_CLASSES,
        seed=seed,
    )
    gan.compile(loss="hinge")
    gan.fit(x, y, batch_size=32, epochs=args.gan_epochs, verbose=0)
    return gan


def with_shifts(shape, pixels):
    """`build_classifier` behind a random translation of up to `pixels` pixels."""
    classifier = synthetic_data.build_classifier(shape, NUM_CLASSES)
    model = keras.Sequential(
        [
            keras.Input(shape),
            keras.layers.RandomTranslation(
                pixels / shape[0], pixels / shape[1], fill_mode="constant", fill_value=-1.0
            ),
            classifier,
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def accuracy(model, x, y):
    return float(np.mean(model.predict(x, batch_size=512, verbose=0).argmax(axis=1) == y))


def run_seed(x, y, args, seed):
    (x_train, y_train), (x_test, y_test) = split(x, y, args.per_class, seed)
    shape = x.shape[1:]
    result = {"seed": seed, "train": len(x_train), "test": len(x_test)}
    start = time.perf_counter()
    gan = train_gan(x_train, y_train, args, seed)
    result["gan_seconds"] = round(time.perf_counter() - start, 1)

    keras.utils.set_random_seed(seed)
    real = synthetic_data.build_classifier(shape, NUM_CLASSES)
    real.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, verbose=0)
    result["real"] = accuracy(real, x_test, y_test)

    keras.utils.set_random_seed(seed)
    shifted = with_shifts(shape, args.shift_pixels)
    shifted.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, verbose=0)
    result["real + shifts"] = accuracy(shifted, x_test, y_test)

    for name, keep in (
        ("real + GAN", None),
        ("real + GAN (filtered)", synthetic_data.ConfidenceFilter(real, threshold=0.9)),
    ):
        keras.utils.set_random_seed(seed)
        model = synthetic_data.build_classifier(shape, NUM_CLASSES)
        dataset = synthetic_data.MixedDataset(
            gan,
            x_train,
            y_train,
            synthetic_fraction=args.synthetic_fraction,
            batch_size=args.batch_size,
            filter=keep,
            seed=seed,
        )
        try:
            model.fit(dataset, epochs=args.epochs, verbose=0)
            result[name] = accuracy(model, x_test, y_test)
        except RuntimeError as e:  # the filter rejected too much (an untrained GAN)
            print(f"seed {seed}, {name}: {e}", flush=True)
            result[name] = float("nan")

    cas = classification_accuracy_score(
        gan, x_test, y_test, samples_per_class=args.cas_per_class, epochs=15, seed=seed
    )
    result["CAS"] = cas["accuracy"]
    result["label agreement"] = label_agreement(gan, real, samples_per_class=100, seed=seed)[
        "accuracy"
    ]
    result["seconds"] = round(time.perf_counter() - start, 1)
    if args.grid and seed == args.first_seed:
        latents = np.random.default_rng(seed).standard_normal((10, 64)).astype("float32")
        images = gan.generate(
            latents=np.tile(latents, (NUM_CLASSES, 1)), labels=np.repeat(np.arange(10), 10)
        )
        path = kgk.utils.save_image_grid(args.grid, images, columns=10, scale=4)
        print(f"Saved the per-class sample grid (rows = classes 0-9) to {path}", flush=True)
    return result


COLUMNS = ["real", "real + shifts", "real + GAN", "real + GAN (filtered)", "CAS", "label agreement"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--per-class", type=int, default=10)
    parser.add_argument("--image-size", type=int, default=16)
    parser.add_argument("--gan-epochs", type=int, default=150)
    parser.add_argument("--epochs", type=int, default=60, help="classifier epochs")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--synthetic-fraction", type=float, default=0.5)
    parser.add_argument("--shift-pixels", type=float, default=2.0)
    parser.add_argument("--cas-per-class", type=int, default=100)
    parser.add_argument("--json", default=None)
    parser.add_argument("--grid", default=None, help="save a per-class sample grid PNG")
    args = parser.parse_args(argv)

    x, y = kgk.datasets.load_digits(args.image_size, return_labels=True)
    print(
        f"Backend {keras.backend.backend()} | {args.per_class} real images per class | GAN "
        f"{args.gan_epochs} epochs | classifier {args.epochs} epochs | synthetic fraction "
        f"{args.synthetic_fraction}",
        flush=True,
    )
    results = []
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        result = run_seed(x, y, args, seed)
        results.append(result)
        print(json.dumps(result), flush=True)
    print("\n| | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    cells = []
    for column in COLUMNS:
        values = np.array([r[column] for r in results])
        std = values.std(ddof=1) if len(values) > 1 else 0.0
        cells.append(f"{values.mean():.3f} ± {std:.3f}")
    print(f"| mean ± std ({len(results)} seeds) | " + " | ".join(cells) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "results": results}, f, indent=2)
    return results


if __name__ == "__main__":
    main()
