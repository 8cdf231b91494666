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

* the network's arithmetic (GFLOP per image, counted from its convolutions) and the
  rate it runs at per CPU second, next to what a tuned float32 matrix product
  (numpy's OpenBLAS, one thread) reaches on one core of the same CPU: the ceiling
  for any float32 implementation that keeps the numbers.

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


class _Clock:
    """Accumulates wall and process CPU seconds per stage (CPU time is what a shared
    machine's load disturbs least)."""

    def __init__(self):
        self.wall, self.cpu = {}, {}

    def __call__(self, key):
        clock = self

        class _Stage:
            def __enter__(self):
                self.wall, self.cpu = time.perf_counter(), time.process_time()

            def __exit__(self, *exc):
                clock.wall[key] = clock.wall.get(key, 0.0) + time.perf_counter() - self.wall
                clock.cpu[key] = clock.cpu.get(key, 0.0) + time.process_time() - self.cpu

        return _Stage()


def network_flops(model) -> int:
    """Floating-point operations of one image through `model`'s convolutions (a
    multiply-add counts 2): the arithmetic no implementation of the network can skip
    without changing its numbers."""
    import keras

    total = 0
    for layer in model.layers:  # the port is one functional graph of plain layers
        if isinstance(layer, keras.layers.Conv2D):
            _, height, width, _ = layer.output.shape
            kh, kw, cin, cout = layer.kernel.shape
            total += 2 * height * width * kh * kw * cin * cout
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * layer.kernel.shape[0] * layer.kernel.shape[1]
    return total


_SGEMM = """
import time, numpy as np
n = 2048
a, b = (np.random.default_rng(i).random((n, n), dtype=np.float32) for i in (0, 1))
a @ b
best = 0.0
for _ in range(5):
    start = time.process_time()
    for _ in range(4):
        a @ b
    best = max(best, 4 * 2 * n**3 / (time.process_time() - start))
print(best / 1e9)
"""


def sgemm_gflops_per_core() -> float:
    """What a tuned float32 matrix product (numpy's OpenBLAS, one thread) reaches on one
    core of this CPU, in GFLOP per CPU second: the practical float32 ceiling that the
    network's convolutions are compared against."""
    import os
    import subprocess

    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, "-c", _SGEMM], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-samples", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--image-size", type=int, default=32)
    parser.add_argument("--extrapolate", type=int, default=10_000)
    parser.add_argument("--json", default=None, help="write the results to this file")
    parser.add_argument("--protocol", default="tf", choices=("tf", "pytorch-fid"))
    parser.add_argument(
        "--kernel-initializer",
        default="zeros",
        help="zeros: as the weight loaders build it; glorot_uniform: as before",
    )
    args = parser.parse_args(argv)

    import keras
    import numpy as np
    from keras import ops

    from keras_gan_kit.metrics import FeatureStatistics, FIDInceptionV3

    backend = keras.backend.backend()
    clock = _Clock()
    with clock("build"):
        model = FIDInceptionV3(kernel_initializer=args.kernel_initializer)
    extractor = model.feature_extractor(batch_size=args.batch_size, protocol=args.protocol)

    rng = np.random.default_rng(0)
    shape = (args.batch_size, args.image_size, args.image_size, 3)
    extractor(rng.uniform(-1, 1, size=shape).astype("float32"))  # warm-up / compile

    def keras_resize(batch):  # the resize before the matrix version (Keras bilinear)
        x = ops.convert_to_tensor(batch * 1.0, dtype="float32")
        return ops.image.resize(x, (299, 299), interpolation="bilinear", antialias=False)

    keras_resize(rng.uniform(-1, 1, size=shape).astype("float32"))
    stats = FeatureStatistics()
    done = 0
    while done < args.num_samples:
        n = min(args.batch_size, args.num_samples - done)
        images = rng.uniform(-1, 1, size=(n,) + shape[1:]).astype("float32")
        with clock("resize_keras"):
            ops.convert_to_numpy(keras_resize(images))
        with clock("preprocess"):
            x = extractor.preprocess(images)
            ops.convert_to_numpy(x)
        with clock("network"):
            features = np.asarray(
                ops.convert_to_numpy(model.predict_on_batch(x)), dtype="float64"
            ).reshape(n, -1)
        with clock("statistics_update"):
            stats.update(features)
        done += n

    reference = FeatureStatistics.from_features(rng.normal(size=(4096, 2048)))
    tracemalloc.start()
    with clock("frechet_distance"):
        value = stats.frechet_distance(reference)
    _, fid_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    fid_s = clock.wall["frechet_distance"]
    extract_s = sum(clock.wall[k] for k in ("preprocess", "network", "statistics_update"))
    extract_cpu = sum(clock.cpu[k] for k in ("preprocess", "network", "statistics_update"))
    build_s = clock.wall["build"]
    max_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    images_per_s = args.num_samples / extract_s
    per_image_ms = {
        f"{key}_cpu_ms_per_image": round(1000 * clock.cpu[key] / args.num_samples, 2)
        for key in ("resize_keras", "preprocess", "network", "statistics_update")
    }
    result = {
        "backend": backend,
        "machine": platform.processor() or platform.machine(),
        "python": sys.version.split()[0],
        "num_samples": args.num_samples,
        "batch_size": args.batch_size,
        "build_s": round(build_s, 2),
        "extract_s": round(extract_s, 2),
        "extract_cpu_s": round(extract_cpu, 2),
        "protocol": args.protocol,
        "kernel_initializer": args.kernel_initializer,
        **per_image_ms,
        "images_per_s": round(images_per_s, 2),
        "frechet_distance_s": round(fid_s, 2),
        "frechet_distance_peak_mb": round(fid_peak / 2**20, 1),
        "process_peak_rss_mb": round(max_rss_kb / 1024, 1),
        "extrapolated_samples": args.extrapolate,
        "extrapolated_s": round(args.extrapolate / images_per_s + fid_s, 1),
        "fid_random_weights": round(value, 3),
    }
    flops = network_flops(model)
    network_rate = flops * args.num_samples / clock.cpu["network"] / 1e9
    ceiling = sgemm_gflops_per_core()
    result.update(
        network_gflop_per_image=round(flops / 1e9, 3),
        network_gflops_per_cpu_s=round(network_rate, 1),
        sgemm_gflops_per_cpu_s=round(ceiling, 1),
        network_fraction_of_sgemm=round(network_rate / ceiling, 2),
    )
    for key, val in result.items():
        print(f"{key:>26}: {val}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return result


if __name__ == "__main__":
    main()
