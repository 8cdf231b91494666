"""Data-efficient GAN training on 100 faces: no augmentation vs DiffAugment vs ADA.

Trains the `keras-gan-kit train r3gan` recipe (RpGAN + R1 + R2, cosine schedules,
generator EMA with a half-life ramp) on the 100 Labeled Faces in the Wild faces of
`datasets.load_lfw_faces()` (32x32 grayscale), once per augmentation and seed, and
measures each run with the real FID Inception weights. `--set KEY=VALUE ...` sets
recipe options for every run; the defaults (`backbone=dcgan width=32 epochs=100
ema_half_life=1000 ada_kimg=2`) keep a run to a few minutes on a 2-core CPU, where
R3GAN's own networks are far too slow (see docs/guide/faces.md).

Protocol (also written into the JSON and docs/guide/faces.md):

* generated: `--num-generated` images (default 200) from the EMA generator, fresh
  latents (seed 10,000 + run seed);
* real: the 100 training faces (the only reference there is);
* features: `FIDInceptionV3.load_pretrained()` (the TF FID graph's weights), TF
  protocol: 8-bit quantization, TF1 bilinear resize 32 -> 299, grayscale repeated
  to RGB;
* KID: `kid_from_features` over 100 subsets of 100 generated vs the 100 real faces,
  reported x 1000;
* FID: `fid_from_features` of all generated vs the 100 real faces (biased upwards by
  the small sets: compare within the table only);
* reference rows: the 100 non-face patches of the same file (a "generator" that knows
  nothing of faces) and the 100 real faces mirrored (one that copies the training set).

Runs go seed by seed (every method once per seed), and the results are rewritten
after each run: `<output>.json` (runs, per-method mean and std, protocol, recipe)
and `<output>.csv`; with `--images-dir`, `faces_real.png` and one 8x8 grid of EMA
samples per method (first seed, one fixed latent grid), `faces_<method>.png`.

Usage:

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
        default=["backbone=dcgan", "width=32", "epochs=100", "ema_half_life=1000", "ada_kimg=2"],
        help="recipe options KEY=VALUE (JSON values) for every run",
    )
    parser.add_argument("--num-generated", type=int, default=200)
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

    def write(config):
        summary = {}
        for method in args.methods:
            rows = [r for r in runs if r["method"] == method]
            if rows:
                summary[method] = {
                    key: {
                        "mean": float(np.mean([r[key] for r in rows])),
                        "std": float(np.std([r[key] for r in rows])),
                        "runs": len(rows),
                    }
                    for key in ("kid_x1000", "fid", "train_seconds")
                }
        result = {
            "protocol": {
                "real": "the 100 LFW training faces (skimage.data.lfw_subset()[:100]), 32x32",
                "generated": f"{args.num_generated} EMA-generator samples per run",
                "features": "FIDInceptionV3.load_pretrained() (the TF FID graph's weights), "
                "pool3 2048-d, protocol 'tf': 8-bit quantization, TF1 bilinear 32 -> 299, "
                "grayscale repeated to RGB",
                "kid": "kid_from_features, 100 subsets of 100 generated vs the 100 real faces, "
                "x1000",
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
        return summary

    if args.images_dir:
        os.makedirs(args.images_dir, exist_ok=True)
        save_image_grid(os.path.join(args.images_dir, "faces_real.png"), faces[:64], scale=2)
    for seed in args.seeds:  # seed by seed: every method has the same number of runs so far
        for method in args.methods:
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
            if "ada_p" in history:
                row["final_p"] = float(history["ada_p"][-1])
            runs.append(row)
            print(json.dumps(row), flush=True)
            if seed == args.seeds[0] and args.images_dir:
                grid = gan.generate(latents=gan.sample_latents(64, seed=1234))
                path = os.path.join(args.images_dir, f"faces_{method}.png")
                save_image_grid(path, grid, scale=2)
            summary = write(config)
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
