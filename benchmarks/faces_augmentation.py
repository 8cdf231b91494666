"""Data-efficient GAN training on 100 faces: no augmentation vs DiffAugment vs ADA.

Trains the `keras-gan-kit train r3gan` recipe (its CPU defaults: R3GAN-style
networks, RpGAN + R1 + R2, cosine schedules, generator EMA with ramp-up) on the
100 Labeled Faces in the Wild faces of `datasets.load_lfw_faces()` (32x32
grayscale), once per augmentation and seed, and measures each run with the
real FID Inception weights.

Protocol (stated in the output and in docs/guide/faces.md):

* generated: `--num-generated` images (default 1,000) from the EMA generator,
  fresh latents (seed 10,000 + run seed);
* real: the 100 training faces (the only reference there is; the metrics thus
  also reward memorisation, see the guide);
* features: `FIDInceptionV3` with the real FID weights (pool3, 2048-d),
  images mapped from [-1, 1], grayscale repeated to 3 channels, resized
  32 -> 299 with Keras bilinear (half-pixel centres, no antialiasing: the
  pytorch-fid convention);
* KID: `kid_from_features` with subsets of 100 (all real faces, 100 of the
  generated), 100 subsets, reported x 1000 (mean over subsets);
* FID: `fid_from_features` of all generated vs the 100 real faces (biased
  upwards by the small real set: compare within this table only);
* reference rows: the 100 non-face patches of the same file (a bad
  "generator") and 100 x-flipped real faces (a near-perfect one).

Writes `<output>.json` (every run, the per-method mean and std, the protocol)
and `<output>.csv` (one row per run), and with `--images-dir` one 8x8 grid of
EMA samples per method (seed 0, one fixed latent grid) plus the real faces.

Usage (a few minutes per run on a 2-core CPU; TensorFlow is the fastest there):

    KERAS_BACKEND=tensorflow nice -n 10 python benchmarks/faces_augmentation.py \\
        --output benchmarks/results/faces_augmentation --images-dir docs/images
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import tempfile
import time

METHODS = ("none", "diffaugment", "ada")


def _fid_extractor():
    """The FID Inception network with the real weights, and its TF-protocol feature extractor."""
    from keras_gan_kit.metrics import FIDInceptionV3

    return FIDInceptionV3.load_pretrained().feature_extractor(batch_size=50, protocol="tf")


def _train(method, seed, overrides, workdir):
    import keras

    from keras_gan_kit.cli.train.r3gan import R3GANRecipe
    from keras_gan_kit.cli.train.recipe import configure_keras

    recipe = R3GANRecipe()
    config = {"model": "r3gan", **recipe.defaults, **overrides}
    config.update(augment=method, seed=seed, output=workdir, sample_every=10**6)
    recipe.prepare(config)
    keras.backend.clear_session()
    configure_keras(config)
    training = recipe.build(config)
    start = time.perf_counter()
    history = training.model.fit(
        *training.data,
        batch_size=config["batch_size"],
        epochs=training.epochs,
        callbacks=training.callbacks,
        verbose=0,
    )
    seconds = time.perf_counter() - start
    return training.model, config, history.history, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument(
        "--set",
        nargs="*",
        default=["backbone=dcgan", "width=32", "epochs=40", "ema_half_life=1000", "ada_kimg=2"],
        help="recipe options KEY=VALUE (JSON values) for every run",
    )
    parser.add_argument("--num-generated", type=int, default=500)
    parser.add_argument("--output", default="benchmarks/results/faces_augmentation")
    parser.add_argument("--images-dir", default=None, help="write faces_*.png grids here")
    args = parser.parse_args(argv)

    import keras
    import numpy as np

    from keras_gan_kit import datasets
    from keras_gan_kit.metrics import fid_from_features, kid_from_features
    from keras_gan_kit.utils.image_grid import save_image_grid

    overrides = {}
    for item in args.set:
        key, value = item.split("=", 1)
        try:
            overrides[key] = json.loads(value)
        except ValueError:
            overrides[key] = value
    faces, non_faces = datasets.load_lfw_faces(32, include_non_faces=True)
    extract = _fid_extractor()
    real = extract(faces)

    def scores(images):
        features = extract(images)
        kid, kid_std = kid_from_features(real, features, subset_size=100, seed=0)
        return {
            "kid_x1000": 1000 * kid,
            "kid_subset_std_x1000": 1000 * kid_std,
            "fid": fid_from_features(real, features),
        }

    references = {
        "non_faces": scores(non_faces),
        "flipped_real_faces": scores(faces[:, :, ::-1]),
    }
    print("references:", json.dumps(references, indent=1))

    runs = []
    grids = {}
    for method in args.methods:
        for seed in args.seeds:
            with tempfile.TemporaryDirectory() as workdir:
                gan, config, history, seconds = _train(method, seed, overrides, workdir)
            generated = gan.generate(latents=gan.sample_latents(args.num_generated, 10_000 + seed))
            row = {
                "method": method,
                "seed": seed,
                "train_seconds": round(seconds, 1),
                "images_seen": int(len(faces) * config["epochs"]),
                **scores(generated),
            }
            for key in ("ada_p", "augment_p", "p"):
                if key in history:
                    row["final_p"] = float(history[key][-1])
                    break
            runs.append(row)
            print(json.dumps(row))
            if seed == args.seeds[0]:
                grids[method] = gan.generate(latents=gan.sample_latents(64, seed=1234))

    summary = {}
    for method in args.methods:
        rows = [r for r in runs if r["method"] == method]
        summary[method] = {
            key: {
                "mean": float(np.mean([r[key] for r in rows])),
                "std": float(np.std([r[key] for r in rows])),
            }
            for key in ("kid_x1000", "fid", "train_seconds")
        }
    result = {
        "protocol": {
            "real": "the 100 LFW training faces (skimage.data.lfw_subset()[:100]), 32x32",
            "generated": f"{args.num_generated} EMA-generator samples per run",
            "features": "FIDInceptionV3.load_pretrained() (the TF FID graph's weights), pool3 "
            "2048-d, protocol 'tf': 8-bit quantization, TF1 bilinear 32 -> 299, grayscale "
            "repeated to RGB",
            "kid": "kid_from_features, 100 subsets of 100 vs the 100 real faces, x1000",
            "fid": f"fid_from_features, {args.num_generated} generated vs 100 real",
        },
        "recipe": {k: v for k, v in config.items() if k not in ("output", "seed", "augment")},
        "backend": keras.backend.backend(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "date": time.strftime("%Y-%m-%d"),
        "references": references,
        "runs": runs,
        "summary": summary,
    }
    os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
    with open(args.output + ".json", "w") as f:
        json.dump(result, f, indent=1)
    with open(args.output + ".csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=sorted({k for r in runs for k in r}))
        writer.writeheader()
        writer.writerows(runs)
    if args.images_dir:
        os.makedirs(args.images_dir, exist_ok=True)
        save_image_grid(os.path.join(args.images_dir, "faces_real.png"), faces[:64], scale=2)
        for method, images in grids.items():
            save_image_grid(os.path.join(args.images_dir, f"faces_{method}.png"), images, scale=2)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
