"""Training-speed benchmark: `keras_gan_kit.GAN` vs. a hand-written Keras GAN.

Both variants train the same 32x32x3 DCGAN (built by the same functions, from
the same initial weights) with the same losses (non-saturating, softplus),
optimizers (Adam 2e-4, beta_1=0.5, one per network), batch size, jit setting
(`jit_compile="auto"`), data and `fit` call. Only the train step differs:

* "library": `keras_gan_kit.GAN(generator, discriminator, seed=0)` with
  `compile()` defaults.
* "hand-written": the plain Keras way of writing a two-optimizer GAN
  `train_step` for the active backend (TensorFlow: `tf.GradientTape`;
  PyTorch: zero grads / `backward()` / `optimizer.apply` under `no_grad`;
  JAX: a pure `train_step(state, data)` with `stateless_call` and each
  optimizer's `stateless_apply`, both optimizers' state held in one container
  optimizer so that JAX threads it through the jitted step).

Throughput is training images consumed per second in steady state: every
`fit` call starts with a few warm-up batches that are not timed, a callback
synchronises on every step's logs and times the remaining steps, and one
untimed `fit` per variant at the start absorbs tracing and compilation.
Runs of the two variants alternate in the same process (A, B, A, B, ...), so
a change in machine load hits both; the script reports the median of each
and `ratio = median(library) / median(hand-written)`, plus two cross-checks:
the median of the ratios of back-to-back runs ("paired ratio") and the ratio
of the median step times.

Usage (backend from KERAS_BACKEND):

    KERAS_BACKEND=jax python benchmarks/train_speed.py --batch-size 64 --steps 10 --repeats 8

All three backends, each in its own subprocess, with a Markdown table:

    python benchmarks/train_speed.py --backends tensorflow,jax,torch --json results.json

`--batch-check-overhead` compares the library with and without its per-batch
data checks (`compile(check_batches=False)`) instead: the "hand-written"
column is then the unchecked library.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

LATENT_DIM = 128
IMAGE_SHAPE = (32, 32, 3)
LIBRARY = "library"
HAND_WRITTEN = "hand-written"


# --------------------------------------------------------------------------- #
# Networks (one builder for both variants)
# --------------------------------------------------------------------------- #
def build_generator(keras):
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((LATENT_DIM,)),
            layers.Dense(4 * 4 * 256, use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Reshape((4, 4, 256)),
            layers.Conv2DTranspose(128, 4, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Conv2DTranspose(64, 4, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.ReLU(),
            layers.Conv2DTranspose(3, 4, strides=2, padding="same", activation="tanh"),
        ],
        name="generator",
    )


def build_discriminator(keras):
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input(IMAGE_SHAPE),
            layers.Conv2D(64, 4, strides=2, padding="same"),
            layers.LeakyReLU(0.2),
            layers.Conv2D(128, 4, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(0.2),
            layers.Conv2D(256, 4, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(0.2),
            layers.Flatten(),
            layers.Dense(1),
        ],
        name="discriminator",
    )


def build_networks(keras, seed=0):
    """Both networks, with weights that depend on `seed` only."""
    keras.utils.set_random_seed(seed)
    return build_generator(keras), build_discriminator(keras)


def adam(keras):
    return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)


# --------------------------------------------------------------------------- #
# Variant A: the library
# --------------------------------------------------------------------------- #
def make_library_gan(keras, check_batches=True):
    import keras_gan_kit

    generator, discriminator = build_networks(keras)
    gan = keras_gan_kit.GAN(generator, discriminator, seed=0)
    # non-saturating loss, Adam(2e-4, beta_1=0.5) per network, jit "auto"
    gan.compile(check_batches=check_batches)
    return gan


# --------------------------------------------------------------------------- #
# Variant B: hand-written train steps
# --------------------------------------------------------------------------- #
def make_hand_written_gan(keras):
    """A two-optimizer GAN written by hand for the active backend."""
    from keras import ops

    backend = keras.backend.backend()

    class TwoOptimizers(keras.optimizers.Optimizer):
        """Holds the D and G optimizers as the model's single optimizer.

        Keras' JAX trainer threads (and syncs back) only
        `model.optimizer.variables`; exposing both members' variables here makes
        their state survive between jitted steps. TF and torch only need it to
        avoid the unused default optimizer.
        """

        def __init__(self, d_optimizer, g_optimizer):
            super().__init__(learning_rate=0.0, name="two_optimizers")
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer

        @property
        def variables(self):
            return list(self._variables) + self.d_optimizer.variables + self.g_optimizer.variables

    class HandWrittenGAN(keras.Model):
        def __init__(self, generator, discriminator, seed=0):
            super().__init__()
            self.generator = generator
            self.discriminator = discriminator
            self.seed_generator = keras.random.SeedGenerator(seed)
            self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
            self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
            self.built = True

        @property
        def metrics(self):
            return [self.d_loss_tracker, self.g_loss_tracker]

        def compile(self, d_optimizer, g_optimizer, jit_compile="auto"):
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            d_optimizer.build(self.discriminator.trainable_variables)
            g_optimizer.build(self.generator.trainable_variables)
            container = TwoOptimizers(d_optimizer, g_optimizer)
            container.build(self.trainable_variables)
            super().compile(optimizer=container, jit_compile=jit_compile)

        def call(self, latents, training=False):
            return self.generator(latents, training=training)

        def latents(self, batch_size):
            return keras.random.normal((batch_size, LATENT_DIM), seed=self.seed_generator)

        @staticmethod
        def d_loss_fn(real_logits, fake_logits):
            return ops.mean(ops.softplus(-real_logits)) + ops.mean(ops.softplus(fake_logits))

        @staticmethod
        def g_loss_fn(fake_logits):
            return ops.mean(ops.softplus(-fake_logits))

    if backend == "tensorflow":
        import tensorflow as tf

        class Model(HandWrittenGAN):
            def train_step(self, data):
                real = data[0] if isinstance(data, (tuple, list)) else data
                batch_size = tf.shape(real)[0]
                d_vars = self.discriminator.trainable_variables
                g_vars = self.generator.trainable_variables

                fake = self.generator(self.latents(batch_size), training=True)
                with tf.GradientTape() as tape:
                    real_logits = self.discriminator(real, training=True)
                    fake_logits = self.discriminator(fake, training=True)
                    d_loss = self.d_loss_fn(real_logits, fake_logits)
                self.d_optimizer.apply(tape.gradient(d_loss, d_vars), d_vars)

                latents = self.latents(batch_size)
                with tf.GradientTape() as tape:
                    fake_logits = self.discriminator(
                        self.generator(latents, training=True), training=True
                    )
                    g_loss = self.g_loss_fn(fake_logits)
                self.g_optimizer.apply(tape.gradient(g_loss, g_vars), g_vars)

                self.d_loss_tracker.update_state(d_loss)
                self.g_loss_tracker.update_state(g_loss)
                return {m.name: m.result() for m in self.metrics}

    elif backend == "torch":
        import torch

        class Model(HandWrittenGAN):
            def train_step(self, data):
                real = data[0] if isinstance(data, (tuple, list)) else data
                batch_size = real.shape[0]
                d_vars = self.discriminator.trainable_variables
                g_vars = self.generator.trainable_variables

                fake = self.generator(self.latents(batch_size), training=True).detach()
                self.zero_grad()
                real_logits = self.discriminator(real, training=True)
                fake_logits = self.discriminator(fake, training=True)
                d_loss = self.d_loss_fn(real_logits, fake_logits)
                d_loss.backward()
                with torch.no_grad():
                    self.d_optimizer.apply([v.value.grad for v in d_vars], d_vars)

                latents = self.latents(batch_size)
                self.zero_grad()
                fake_logits = self.discriminator(
                    self.generator(latents, training=True), training=True
                )
                g_loss = self.g_loss_fn(fake_logits)
                g_loss.backward()
                with torch.no_grad():
                    self.g_optimizer.apply([v.value.grad for v in g_vars], g_vars)

                self.d_loss_tracker.update_state(d_loss.detach())
                self.g_loss_tracker.update_state(g_loss.detach())
                return {m.name: m.result() for m in self.metrics}

    elif backend == "jax":
        import jax

        class Model(HandWrittenGAN):
            def compile(self, *args, **kwargs):
                super().compile(*args, **kwargs)

                # Positions of each network's variables in the model's state lists.
                def positions(sub, full):
                    index = {id(v): i for i, v in enumerate(full)}
                    return [index[id(v)] for v in sub]

                tv, ntv = self.trainable_variables, self.non_trainable_variables
                self._g_tv = positions(self.generator.trainable_variables, tv)
                self._d_tv = positions(self.discriminator.trainable_variables, tv)
                self._g_ntv = positions(self.generator.non_trainable_variables, ntv)
                self._d_ntv = positions(self.discriminator.non_trainable_variables, ntv)
                (self._seed_ntv,) = positions([self.seed_generator.state], ntv)
                n_own = len(self.optimizer._variables)
                n_d = len(self.d_optimizer.variables)
                n_g = len(self.g_optimizer.variables)
                self._opt_slices = (
                    slice(0, n_own),
                    slice(n_own, n_own + n_d),
                    slice(n_own + n_d, n_own + n_d + n_g),
                )

            def train_step(self, state, data):
                tv, ntv, opt_values, metrics_values = state
                real = data[0] if isinstance(data, (tuple, list)) else data
                batch_size = real.shape[0]
                g_tv = [tv[i] for i in self._g_tv]
                d_tv = [tv[i] for i in self._d_tv]
                g_ntv = [ntv[i] for i in self._g_ntv]
                d_ntv = [ntv[i] for i in self._d_ntv]
                own_opt = opt_values[self._opt_slices[0]]
                d_opt = opt_values[self._opt_slices[1]]
                g_opt = opt_values[self._opt_slices[2]]

                seed_var = self.seed_generator.state
                with keras.StatelessScope(state_mapping=[(seed_var, ntv[self._seed_ntv])]) as s:
                    d_latents = self.latents(batch_size)
                    g_latents = self.latents(batch_size)
                    seed_value = s.get_current_value(seed_var)

                def d_loss(d_tv, d_ntv, g_ntv):
                    fake, g_ntv = self.generator.stateless_call(
                        g_tv, g_ntv, d_latents, training=True
                    )
                    fake = jax.lax.stop_gradient(fake)
                    real_logits, d_ntv = self.discriminator.stateless_call(
                        d_tv, d_ntv, real, training=True
                    )
                    fake_logits, d_ntv = self.discriminator.stateless_call(
                        d_tv, d_ntv, fake, training=True
                    )
                    return self.d_loss_fn(real_logits, fake_logits), (d_ntv, g_ntv)

                (d_loss_value, (d_ntv, g_ntv)), d_grads = jax.value_and_grad(d_loss, has_aux=True)(
                    d_tv, d_ntv, g_ntv
                )
                d_tv, d_opt = self.d_optimizer.stateless_apply(d_opt, d_grads, d_tv)

                def g_loss(g_tv, g_ntv, d_ntv):
                    fake, g_ntv = self.generator.stateless_call(
                        g_tv, g_ntv, g_latents, training=True
                    )
                    fake_logits, d_ntv = self.discriminator.stateless_call(
                        d_tv, d_ntv, fake, training=True
                    )
                    return self.g_loss_fn(fake_logits), (g_ntv, d_ntv)

                (g_loss_value, (g_ntv, d_ntv)), g_grads = jax.value_and_grad(g_loss, has_aux=True)(
                    g_tv, g_ntv, d_ntv
                )
                g_tv, g_opt = self.g_optimizer.stateless_apply(g_opt, g_grads, g_tv)

                new_tv = list(tv)
                for i, v in zip(self._g_tv, g_tv):
                    new_tv[i] = v
                for i, v in zip(self._d_tv, d_tv):
                    new_tv[i] = v
                new_ntv = list(ntv)
                for i, v in zip(self._g_ntv, g_ntv):
                    new_ntv[i] = v
                for i, v in zip(self._d_ntv, d_ntv):
                    new_ntv[i] = v
                new_ntv[self._seed_ntv] = seed_value

                logs, new_metrics, start = {}, [], 0
                for metric, value in zip(self.metrics, (d_loss_value, g_loss_value)):
                    n = len(metric.variables)
                    metric_values = metric.stateless_update_state(
                        metrics_values[start : start + n], value
                    )
                    logs[metric.name] = metric.stateless_result(metric_values)
                    new_metrics.extend(metric_values)
                    start += n
                new_opt = list(own_opt) + list(d_opt) + list(g_opt)
                return logs, (new_tv, new_ntv, new_opt, new_metrics)

    else:
        raise ValueError(f"Unsupported backend {backend!r}")

    generator, discriminator = build_networks(keras)
    gan = Model(generator, discriminator, seed=0)
    gan.compile(d_optimizer=adam(keras), g_optimizer=adam(keras), jit_compile="auto")
    return gan


# --------------------------------------------------------------------------- #
# Measurement
# --------------------------------------------------------------------------- #
def _sync(logs):
    """Blocks until the step that produced `logs` has finished (async backends)."""
    for value in (logs or {}).values():
        float(value)


def make_timer(keras, warmup):
    class Timer(keras.callbacks.Callback):
        """Records the duration of every step after `warmup` untimed steps.

        A step's duration is the time between the ends of consecutive batches
        (so it includes fetching the batch), each end synchronised on the
        step's logs.
        """

        def on_train_begin(self, logs=None):
            self.step_times = []
            self.previous = None

        def on_train_batch_end(self, batch, logs=None):
            _sync(logs)
            now = time.perf_counter()
            if batch >= warmup:
                self.step_times.append(now - self.previous)
            self.previous = now

    return Timer()


def optimizer_steps(keras, gan):
    """(discriminator, generator) optimizer iterations, read back after `fit`."""
    if hasattr(gan, "discriminator_optimizer"):
        d, g = gan.discriminator_optimizer, gan.generator_optimizer
    else:
        d, g = gan.d_optimizer, gan.g_optimizer
    return int(keras.ops.convert_to_numpy(d.iterations)), int(
        keras.ops.convert_to_numpy(g.iterations)
    )


def device_description(backend):
    cores = os.cpu_count()
    cpu = f"CPU ({cores} cores)"
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        return f"GPU ({len(gpus)}x)" if gpus else cpu
    if backend == "jax":
        import jax

        device = jax.devices()[0]
        return cpu if device.platform == "cpu" else f"{device.device_kind}"
    if backend == "torch":
        import torch

        return torch.cuda.get_device_name(0) if torch.cuda.is_available() else cpu
    return cpu


def versions():
    out = {"python": platform.python_version()}
    for name in ("keras", "tensorflow", "jax", "torch", "numpy"):
        try:
            module = __import__(name)
            out[name] = module.__version__
        except ImportError:
            out[name] = None
    return out


def run_backend(args):
    import keras
    import numpy as np

    backend = keras.backend.backend()
    # Warm-up batches inside every fit call, then `steps` timed batches.
    num_images = (args.warmup + args.steps) * args.batch_size
    rng = np.random.default_rng(0)
    data = rng.uniform(-1.0, 1.0, (num_images,) + IMAGE_SHAPE).astype("float32")

    if args.batch_check_overhead:
        # "hand-written" is then the library without its per-batch checks: the ratio is
        # the throughput with the checks over the throughput without them.
        baseline = make_library_gan(keras, check_batches=False)
    else:
        baseline = make_hand_written_gan(keras)
    models = {LIBRARY: make_library_gan(keras), HAND_WRITTEN: baseline}

    # Untimed first fit per variant: tracing and compilation. Both models start
    # from the same weights and seeds and see the same batches, so their logs
    # should agree: a check that the two steps compute the same thing.
    first_logs = {}
    for name, gan in models.items():
        start = time.perf_counter()
        history = gan.fit(
            data[: args.warmup * args.batch_size],
            batch_size=args.batch_size,
            epochs=1,
            shuffle=False,
            verbose=0,
        )
        first_logs[name] = {k: float(v[-1]) for k, v in history.history.items()}
        print(
            f"[{backend}] {name}: first fit (compile) {time.perf_counter() - start:.1f}s, "
            f"logs {first_logs[name]}",
            file=sys.stderr,
            flush=True,
        )
    max_rel_diff = max(
        abs(first_logs[LIBRARY][k] - first_logs[HAND_WRITTEN][k])
        / max(abs(first_logs[HAND_WRITTEN][k]), 1e-6)
        for k in ("d_loss", "g_loss")
    )
    if max_rel_diff > 1e-3:
        print(
            f"[{backend}] WARNING: the two variants' first-epoch losses differ by "
            f"{max_rel_diff:.2e} (relative): they may not compute the same step.",
            file=sys.stderr,
            flush=True,
        )

    throughput = {name: [] for name in models}  # img/s of each timed fit call
    step_times = {name: [] for name in models}  # seconds, every timed step
    order = [LIBRARY, HAND_WRITTEN]
    for repeat in range(args.repeats):
        # Alternate which variant goes first, so neither always follows the other.
        for name in order if repeat % 2 == 0 else order[::-1]:
            timer = make_timer(keras, args.warmup)
            models[name].fit(
                data,
                batch_size=args.batch_size,
                epochs=1,
                shuffle=False,
                verbose=0,
                callbacks=[timer],
            )
            step_times[name].extend(timer.step_times)
            throughput[name].append(len(timer.step_times) * args.batch_size / sum(timer.step_times))
            print(
                f"[{backend}] repeat {repeat + 1}/{args.repeats} {name}: "
                f"{throughput[name][-1]:.1f} img/s",
                file=sys.stderr,
                flush=True,
            )

    expected = args.warmup + (args.warmup + args.steps) * args.repeats
    for name, gan in models.items():
        steps = optimizer_steps(keras, gan)
        if steps != (expected, expected):
            raise RuntimeError(
                f"{name}: optimizer iterations {steps} != {expected}: optimizer state "
                "was not carried between steps."
            )

    library = statistics.median(throughput[LIBRARY])
    hand = statistics.median(throughput[HAND_WRITTEN])
    # Two load-robust cross-checks of the ratio: the median over repeats of the
    # ratio of back-to-back runs, and the ratio of the median step times.
    paired = statistics.median(a / b for a, b in zip(throughput[LIBRARY], throughput[HAND_WRITTEN]))
    step_ratio = statistics.median(step_times[HAND_WRITTEN]) / statistics.median(
        step_times[LIBRARY]
    )
    return {
        "backend": backend,
        "device": device_description(backend),
        "batch_size": args.batch_size,
        "timed_steps": args.steps,
        "warmup_steps": args.warmup,
        "repeats": args.repeats,
        "library_img_s": library,
        "hand_written_img_s": hand,
        "ratio": library / hand,
        "paired_ratio": paired,
        "median_step_ratio": step_ratio,
        "library_median_step_s": statistics.median(step_times[LIBRARY]),
        "hand_written_median_step_s": statistics.median(step_times[HAND_WRITTEN]),
        "library_runs": throughput[LIBRARY],
        "hand_written_runs": throughput[HAND_WRITTEN],
        "first_epoch_max_rel_loss_diff": max_rel_diff,
        "baseline": "library, check_batches=False" if args.batch_check_overhead else HAND_WRITTEN,
        "jit_compile": str(models[LIBRARY].jit_compile),
        "versions": versions(),
        "date": time.strftime("%Y-%m-%d"),
    }


def markdown_table(results):
    lines = [
        "| backend | device | library img/s | hand-written img/s | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['backend']} | {r['device']} | {r['library_img_s']:.1f} | "
            f"{r['hand_written_img_s']:.1f} | {r['ratio']:.3f} |"
        )
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument(
        "--steps", type=int, default=10, help="timed training steps per fit call (default 10)"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=2,
        help="untimed steps at the start of every fit call (default 2)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=8,
        help="timed fit calls per variant, interleaved (default 8)",
    )
    parser.add_argument(
        "--backends",
        default=None,
        help="comma-separated backends, each run in a subprocess "
        "(default: KERAS_BACKEND in this process)",
    )
    parser.add_argument(
        "--batch-check-overhead",
        action="store_true",
        help="compare the library with and without its per-batch data checks "
        "(compile(check_batches=...)) instead of library vs. hand-written",
    )
    parser.add_argument("--json", default=None, help="write the results to this file")
    args = parser.parse_args(argv)
    if args.batch_size < 1 or args.steps < 1 or args.repeats < 1 or args.warmup < 1:
        parser.error("--batch-size, --steps, --repeats and --warmup must be >= 1")
    return args


def run_subprocesses(args):
    import tempfile

    results = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "result.json")
            command = [
                sys.executable,
                os.path.abspath(__file__),
                "--batch-size",
                str(args.batch_size),
                "--steps",
                str(args.steps),
                "--warmup",
                str(args.warmup),
                "--repeats",
                str(args.repeats),
                "--json",
                out,
                *(["--batch-check-overhead"] if args.batch_check_overhead else []),
            ]
            env = dict(os.environ, KERAS_BACKEND=backend)
            print(f"== {backend} ==", file=sys.stderr, flush=True)
            subprocess.run(command, env=env, check=True)
            with open(out) as f:
                results.extend(json.load(f))
    return results


def main(argv=None):
    args = parse_args(argv)
    if args.backends:
        results = run_subprocesses(args)
    else:
        results = [run_backend(args)]
    print(markdown_table(results))
    for r in results:
        runs = lambda xs: ", ".join(f"{x:.1f}" for x in xs)  # noqa: E731
        print(
            f"{r['backend']}: library runs [{runs(r['library_runs'])}], hand-written runs "
            f"[{runs(r['hand_written_runs'])}]; paired ratio {r['paired_ratio']:.3f}, "
            f"median-step ratio {r['median_step_ratio']:.3f}; first-epoch loss rel. diff "
            f"{r['first_epoch_max_rel_loss_diff']:.2e}"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
