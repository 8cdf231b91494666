"""How fast each way of reading a folder of images feeds a Keras loop, and what it holds.

Writes `--num-images` JPEG files (`--source-size`, 4:3, drawn from the offline demo
photos) to a temporary folder, then reads them at `--image-size` (square, centre
crop) three ways, each consumed by `model.predict` of a trivial model (a Keras loop
consumes batches the way `fit` does; the model costs next to nothing):

* `keras.utils.image_dataset_from_directory(labels=None)` + `map(x / 127.5 - 1)` +
  `prefetch` (tf.data: needs TensorFlow installed, on any backend);
* `keras_gan_kit.datasets.ImageFolderDataset` (a `keras.utils.PyDataset`: decoding
  threads, `workers` batches ahead; no TensorFlow needed);
* `keras_gan_kit.datasets.load_image_folder` (all images decoded once into one
  float32 array, then fed from memory).

It prints, per way, the images per second of one epoch after an untimed one
(the second pass of tf.data and the PyDataset decodes again; the array does not),
the time to the first batch, and the data held in memory (the array's bytes; for
the streams, about `prefetch`/queue-size batches).

    KERAS_BACKEND=tensorflow python benchmarks/image_folder_loading.py --num-images 1024
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time


def write_folder(folder, num_images, source_size):
    import numpy as np
    from PIL import Image

    import keras_gan_kit as kgk

    width, height = source_size * 4 // 3, source_size
    photos, _ = kgk.datasets.make_unpaired_demo(num_images, image_size=source_size)
    pixels = np.round((photos + 1.0) * 127.5).astype("uint8")
    for i, image in enumerate(pixels):
        Image.fromarray(image).resize((width, height), Image.Resampling.BICUBIC).save(
            os.path.join(folder, f"img_{i:05d}.jpg"), quality=90
        )


def timed_epochs(model, data, num_images, **kwargs):
    start = time.perf_counter()
    model.predict(data, verbose=0, steps=1, **kwargs)
    first_batch = time.perf_counter() - start
    model.predict(data, verbose=0, **kwargs)  # untimed epoch
    start = time.perf_counter()
    model.predict(data, verbose=0, **kwargs)
    return num_images / (time.perf_counter() - start), first_batch


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-images", type=int, default=1024)
    parser.add_argument("--source-size", type=int, default=256, help="height of the JPEGs")
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args(argv)

    import keras

    import keras_gan_kit as kgk

    s, n, b = args.image_size, args.num_images, args.batch_size
    model = keras.Sequential([keras.Input((s, s, 3)), keras.layers.GlobalAveragePooling2D()])
    with tempfile.TemporaryDirectory() as folder:
        write_folder(folder, n, args.source_size)
        results = []

        dataset = keras.utils.image_dataset_from_directory(
            folder, labels=None, image_size=(s, s), crop_to_aspect_ratio=True,
            batch_size=b, shuffle=True, seed=0, verbose=False,
        )  # fmt: skip
        dataset = dataset.map(lambda x: x / 127.5 - 1.0).prefetch(2)
        rate, first = timed_epochs(model, dataset, n)
        results.append(
            ("keras.utils.image_dataset_from_directory", rate, first, 3 * b * s * s * 3 * 4)
        )

        stream = kgk.datasets.ImageFolderDataset(folder, image_size=s, batch_size=b, seed=0)
        rate, first = timed_epochs(model, stream, n)
        queue = stream.max_queue_size if hasattr(stream, "max_queue_size") else 10
        results.append(("kgk.datasets.ImageFolderDataset", rate, first, queue * b * s * s * 3 * 4))

        start = time.perf_counter()
        images = kgk.datasets.load_image_folder(folder, image_size=s)
        load_time = time.perf_counter() - start
        rate, _ = timed_epochs(model, images, n, batch_size=b)
        results.append(("kgk.datasets.load_image_folder", rate, load_time, images.nbytes))

    print(
        f"{n} JPEGs {args.source_size * 4 // 3}x{args.source_size} -> {s}x{s}x3, batch {b}, "
        f"{keras.backend.backend()}, {os.cpu_count()} CPUs, {platform.python_version()}"
    )
    print("| way | images/s (an epoch after the first) | first batch (s) | data held in memory |")
    print("|---|---:|---:|---:|")
    for name, rate, first, held in results:
        print(f"| `{name}` | {rate:,.0f} | {first:.2f} | {held / 2**20:,.1f} MiB |")
    print("(load_image_folder: 'first batch' is the time to load the whole folder.)")


if __name__ == "__main__":
    main()
