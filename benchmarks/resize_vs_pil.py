"""`utils.resize.resize_images` against the PIL resize loops it replaced.

`resize_images` is `keras.ops.image.resize(antialias=True)` in batches.

For the float resizes the loaders and `translate_images` used to do channel by
channel with PIL's float ("F" mode) images, prints the max abs difference on
[0, 1] images and the CPU seconds (`time.process_time`, mean of 3 runs after a
warm-up) of each, on the active Keras backend. Then compares PIL's 8-bit bicubic
resize (what the file readers still use, PIL being their decoder) with Keras'
float one, clipped and rounded to 8 bits.

Usage:

    KERAS_BACKEND=jax python benchmarks/resize_vs_pil.py [--json out.json]

Measured here (2 shared cores, keras 3.15, 2026-12-01; results/resize_vs_pil_*.json):
the float paths agree to float32 rounding on all three backends (max 6.3e-6; the
digits 8 -> 16/32/64 px bilinear: exactly 0; the 100 faces 25 -> 16/32/64 px
bicubic: <= 5e-7); the 8-bit path differs by 0.012-0.035 (3-9 grey levels).
CPU seconds, PIL loop -> `resize_images`, for the 1,797 digits 8 -> 32 px: TensorFlow
0.039 -> 0.116, JAX 0.039 -> 0.011, torch 0.038 -> 0.011; for the 100 faces
25 -> 32 px: 0.002 -> 0.008, 0.002 -> 0.001, 0.004 -> 0.001. Milliseconds either
way, once per data set load (timings of a few ms vary by 2x between runs here).
"""

from __future__ import annotations

import argparse
import json
import time
from importlib import resources

import keras
import numpy as np
from PIL import Image

from keras_gan_kit.utils.resize import resize_images

FILTERS = {"bilinear": Image.Resampling.BILINEAR, "bicubic": Image.Resampling.BICUBIC}


def pil_float(images, size, method):
    out = np.empty((len(images), size[0], size[1], images.shape[3]), "float32")
    for i, image in enumerate(images):
        for c in range(image.shape[2]):
            channel = Image.fromarray(np.ascontiguousarray(image[:, :, c], dtype="float32"))
            out[i, :, :, c] = np.asarray(channel.resize((size[1], size[0]), FILTERS[method]))
    return out


def cpu_seconds(fn, *args, repeats=3):
    result = fn(*args)
    start = time.process_time()
    for _ in range(repeats):
        fn(*args)
    return result, (time.process_time() - start) / repeats


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()

    import skimage.data

    path = resources.files("keras_gan_kit.datasets").joinpath("data/digits.npz")
    with resources.as_file(path) as file, np.load(file) as data:
        digits = data["images"][..., None].astype("float32") / 16.0
    faces = skimage.data.lfw_subset()[:100].astype("float32")[..., None]
    faces = faces / max(1.0, float(faces.max()))
    photo = skimage.data.astronaut().astype("float32") / 255.0  # 512x512x3
    photos = np.stack([photo[::4, ::4], photo[1::4, 1::4]])  # 128x128
    cases = [
        ("digits 8->16 bilinear", digits, (16, 16), "bilinear"),
        ("digits 8->32 bilinear", digits, (32, 32), "bilinear"),
        ("digits 8->64 bilinear", digits, (64, 64), "bilinear"),
        ("faces 25->16 bicubic", faces, (16, 16), "bicubic"),
        ("faces 25->32 bicubic", faces, (32, 32), "bicubic"),
        ("faces 25->64 bicubic", faces, (64, 64), "bicubic"),
        ("photos 128->256 bicubic", photos, (256, 256), "bicubic"),
        ("photos 128->48x80 bicubic", photos, (48, 80), "bicubic"),
        ("photos 128->32 bilinear", photos, (32, 32), "bilinear"),
        ("photos 128->200 bilinear", photos, (200, 200), "bilinear"),
    ]
    results = {"backend": keras.backend.backend(), "float": {}, "uint8": {}}
    for name, images, size, method in cases:
        reference, pil_s = cpu_seconds(pil_float, images, size, method)
        resized, keras_s = cpu_seconds(resize_images, images, size, method)
        results["float"][name] = {
            "max_abs_diff": float(np.abs(reference - resized).max()),
            "pil_cpu_s": round(pil_s, 4),
            "keras_cpu_s": round(keras_s, 4),
        }
    photo_uint8 = np.round(photo * 255).astype("uint8")
    for size in [(256, 256), (300, 300), (1024, 1024)]:
        image = Image.fromarray(photo_uint8).resize((size[1], size[0]), FILTERS["bicubic"])
        pil = np.asarray(image, "float32") / 255.0
        resized = resize_images(photo_uint8[None].astype("float32") / 255.0, size, "bicubic")[0]
        rounded = np.round(np.clip(resized, 0.0, 1.0) * 255.0) / 255.0
        results["uint8"][f"photo 512->{size[0]}x{size[1]} bicubic"] = {
            "max_abs_diff_clipped_rounded": float(np.abs(pil - rounded).max())
        }
    print(json.dumps(results, indent=1))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
