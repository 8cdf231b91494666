"""FID cost on this machine: time and peak memory of FIDInceptionV3 features + FID.

Measures, for N generated-size images (32x32x3 in [-1, 1], resized to 299x299
as in the standard protocol) and the active Keras backend:

* model build time (random weights: the cost is the same as with the FID
  weights, which cannot be downloaded everywhere);
* feature extraction: images/s after one untimed warm-up batch;
* the Fréchet distance itself (two 2048x2048 covariances, float64);
* peak resident memory of the process (`resource.getrusage`, includes the
  framework) and the peak of Python-level allocations during the FID step
  (`tracemalloc`).

It then extrapolates linearly to `--extrapolate` samples (default 10k, the
`fid10k` protocol: 10k generated images against precomputed real statistics).

Usage:

    KERAS_BACKEND=jax python benchmarks/fid_speed.py --num-samples 256 --batch-size 64
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
import tracemalloc


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-samples", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--extrapolate", type=int, default=10_000)
    parser.add_argument("--json", default=None, help="write the results to this file")
    args = parser.parse_args(argv)

    import keras
    import numpy as np

    from keras_gan_kit.metrics import FeatureStatistics, FIDInceptionV3

    backend = keras.backend.backend()
    start = time.perf_counter()
    model = FIDInceptionV3()
    build_s = time.perf_counter() - start
    extractor = model.feature_extractor(batch_size=args.batch_size)

    rng = np.random.default_rng(0)
    shape = (args.batch_size, args.image_size, args.image_size, 3)
    extractor(rng.uniform(-1, 1, size=shape).astype("float32"))  # warm-up / compile

    stats = FeatureStatistics()
    start = time.perf_counter()
    done = 0
    while done < args.num_samples:
        n = min(args.batch_size, args.num_samples - done)
        images = rng.uniform(-1, 1, size=(n,) + shape[1:]).astype("float32")
        stats.update(extractor(images))
        done += n
    extract_s = time.perf_counter() - start

    reference = FeatureStatistics.from_features(rng.normal(size=(4096, 2048)))
    tracemalloc.start()
    start = time.perf_counter()
    value = stats.frechet_distance(reference)
    fid_s = time.perf_counter() - start
    _, fid_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    max_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    images_per_s = args.num_samples / extract_s
    result = {
        "backend": backend,
        "machine": platform.processor() or platform.machine(),
        "python": sys.version.split()[0],
        "num_samples": args.num_samples,
        "batch_size": args.batch_size,
        "build_s": round(build_s, 2),
        "extract_s": round(extract_s, 2),
        "images_per_s": round(images_per_s, 2),
        "frechet_distance_s": round(fid_s, 2),
        "frechet_distance_peak_mb": round(fid_peak / 2**20, 1),
        "process_peak_rss_mb": round(max_rss_kb / 1024, 1),
        "extrapolated_samples": args.extrapolate,
        "extrapolated_s": round(args.extrapolate / images_per_s + fid_s, 1),
        "fid_random_weights": round(value, 3),
    }
    for key, val in result.items():
        print(f"{key:>26}: {val}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == "__main__":
    main()
