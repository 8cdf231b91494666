"""Trains the equivalence cases of `test_equivalence.py` in a fresh process.

Device layouts must be fixed before a backend starts (XLA's host device
count, TensorFlow's logical devices, a torch process group), so the tests
run this module as a subprocess:

    python -m tests.distributed.worker jax OUT.npz         # 4 simulated host devices
    python -m tests.distributed.worker tensorflow OUT.npz  # 2 logical CPU devices
    torchrun --nproc-per-node 2 -m tests.distributed.worker torch OUT.npz   # 2 gloo ranks

Each case trains the same model twice from the same initial weights, on the
same global batches: on one device, and data-parallel (JAX `DataParallel`,
TensorFlow `MirroredStrategy`, torch.distributed ranks on `x[rank::world]`
shards). The weights after training and the logged epoch values of both
runs are written to OUT.npz (rank 0 writes under torch).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys

GLOBAL_BATCH = 8
JAX_DEVICES = 4
TF_DEVICES = 2


def _setup(backend):
    os.environ["KERAS_BACKEND"] = backend
    if backend == "jax":
        os.environ["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={JAX_DEVICES}"
        os.environ["JAX_PLATFORMS"] = "cpu"
    elif backend == "tensorflow":
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * TF_DEVICES
        )
    elif backend == "torch":
        os.environ.setdefault("OMP_NUM_THREADS", "1")


def _images(n, size=8, channels=1, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, size, size, channels)).astype("float32")


class _Runner:
    """Builds models under the single-device or the data-parallel setting of a backend."""

    def __init__(self, backend):
        self.backend = backend
        self.rank, self.world = 0, 1
        self.strategy = None
        if backend == "torch" and "WORLD_SIZE" in os.environ:
            self.rank = int(os.environ["RANK"])
            self.world = int(os.environ["WORLD_SIZE"])

    @contextlib.contextmanager
    def scope(self, distributed):
        """Objects created inside are single-device or replicated."""
        import keras

        if self.backend == "jax":
            keras.distribution.set_distribution(
                keras.distribution.DataParallel() if distributed else None
            )
            yield
            keras.distribution.set_distribution(None)
        elif self.backend == "tensorflow":
            import tensorflow as tf

            if distributed and self.strategy is None:
                # One strategy per process: a second one's collectives can collide.
                devices = [f"/cpu:{i}" for i in range(TF_DEVICES)]
                self.strategy = tf.distribute.MirroredStrategy(devices)
            with self.strategy.scope() if distributed else contextlib.nullcontext():
                yield
        else:
            yield

    def shard(self, array, distributed):
        """This rank's rows (`x[rank::world]`) under torch.distributed, else all rows."""
        if self.backend == "torch" and distributed:
            return array[self.rank :: self.world]
        return array

    def batch_size(self, distributed):
        if self.backend == "torch" and distributed:
            return GLOBAL_BATCH // self.world
        return GLOBAL_BATCH


def _values(variables):
    import keras
    import numpy as np

    return [np.array(keras.ops.convert_to_numpy(v), dtype="float32") for v in variables]


def gan_case(runner, distributed, normalization="layer", synchronized=False, policy=None):
    """DCGAN (8x8, tiny) with an R1 penalty and GeneratorEMA: 8 steps."""
    import keras

    import keras_gan_kit as kgk

    keras.config.set_dtype_policy(policy or "float32")
    keras.utils.set_random_seed(1)
    with runner.scope(distributed):
        generator = kgk.networks.DCGANGenerator(
            image_size=8,
            channels=1,
            latent_dim=8,
            base_filters=4,
            normalization=normalization,
            **({"synchronized_batch_norm": True} if synchronized else {}),
        )
        discriminator = kgk.networks.DCGANDiscriminator(
            image_size=8, channels=1, base_filters=4, normalization="layer"
        )
        gan = kgk.GAN(generator, discriminator, seed=3)
        gan.compile(penalties=[kgk.losses.R1Penalty(gamma=1.0)])
    x = runner.shard(_images(32), distributed)
    history = gan.fit(
        x,
        batch_size=runner.batch_size(distributed),
        epochs=2,
        shuffle=False,
        verbose=0,
        callbacks=[kgk.callbacks.GeneratorEMA(half_life_images=16)],
    )
    keras.config.set_dtype_policy("float32")
    weights = _values(gan.generator.weights + gan.discriminator.weights)
    return weights + _values(gan.generator_ema.weights), history.history


def pix2pix_case(runner, distributed):
    """Pix2Pix with tiny convolutional networks: 4 steps."""
    import keras

    import keras_gan_kit as kgk

    keras.utils.set_random_seed(2)
    with runner.scope(distributed):
        images = keras.Input((None, None, 3))
        h = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(images)
        generator = keras.Model(images, keras.layers.Conv2D(3, 1, activation="tanh")(h))
        source, image = keras.Input((None, None, 3)), keras.Input((None, None, 3))
        h = keras.layers.Concatenate()([source, image])
        h = keras.layers.Conv2D(4, 3, strides=2, padding="same", activation="relu")(h)
        discriminator = keras.Model([source, image], keras.layers.Conv2D(1, 3, padding="same")(h))
        model = kgk.models.Pix2Pix(generator, discriminator, l1_weight=10.0, seed=4)
        model.compile()
    x = _images(32, channels=3, seed=5)
    y = (0.5 * x[:, ::-1]).astype("float32")
    history = model.fit(
        runner.shard(x, distributed),
        runner.shard(y, distributed),
        batch_size=runner.batch_size(distributed),
        epochs=1,
        shuffle=False,
        verbose=0,
    )
    return _values(generator.weights + discriminator.weights), history.history


def batchnorm_semantics(runner):
    """Outputs of BatchNormalization layers (per-replica and synchronized) on 2 replicas.

    The global batch is 8 rows of 3 features; replica r gets rows 4r..4r+3.
    """
    import numpy as np
    import tensorflow as tf

    x = np.random.default_rng(7).normal(size=(8, 3)).astype("float32")
    x[4:] += 2.0  # shards with different statistics
    with runner.scope(True):
        import keras

        per_replica = keras.layers.BatchNormalization(momentum=0.5)
        synchronized = keras.layers.BatchNormalization(momentum=0.5, synchronized=True)
        per_replica.build((None, 3))
        synchronized.build((None, 3))
    strategy = runner.strategy

    def shard(context):
        start = 4 * context.replica_id_in_sync_group
        return x[start : start + 4]

    shards = strategy.experimental_distribute_values_from_function(shard)

    @tf.function
    def step(inputs):
        return strategy.run(
            lambda t: (per_replica(t, training=True), synchronized(t, training=True)),
            args=(inputs,),
        )

    outputs = step(shards)
    gathered = [
        np.concatenate([np.asarray(v) for v in strategy.experimental_local_results(o)])
        for o in outputs
    ]
    return {
        "inputs": x,
        "per_replica": gathered[0],
        "synchronized": gathered[1],
        "synchronized_moving_mean": np.asarray(synchronized.moving_mean.value),
    }


CASES = {
    "jax": {
        # BatchNorm generator: under DataParallel the jitted step normalizes over the
        # global batch, as on one device.
        "gan": lambda r, d: gan_case(r, d, normalization="batch"),
        "pix2pix": pix2pix_case,
    },
    "tensorflow": {
        "gan": lambda r, d: gan_case(r, d, normalization="batch", synchronized=True),
        "gan_float16": lambda r, d: gan_case(r, d, policy="mixed_float16"),
        "pix2pix": pix2pix_case,
    },
    "torch": {
        "gan": gan_case,
        "pix2pix": pix2pix_case,
    },
}


def main(backend, out):
    _setup(backend)
    import numpy as np

    runner = _Runner(backend)
    cases = CASES[backend]
    if os.environ.get("KGK_DISTRIBUTED_CASES"):  # a subset, for debugging
        cases = {k: cases[k] for k in os.environ["KGK_DISTRIBUTED_CASES"].split(",")}
    results = {}
    if runner.rank == 0:
        for name, case in cases.items():
            results[name] = {"single": case(runner, False)}
    if backend == "torch":
        import torch.distributed as dist

        dist.init_process_group("gloo")
    try:
        for name, case in cases.items():
            weights, logs = case(runner, True)
            if runner.rank == 0:
                results[name]["distributed"] = (weights, logs)
    finally:
        if backend == "torch":
            dist.destroy_process_group()
    if runner.rank != 0:
        return
    arrays, logs = {}, {}
    if backend == "tensorflow" and "KGK_DISTRIBUTED_CASES" not in os.environ:
        for key, value in batchnorm_semantics(runner).items():
            arrays[f"batchnorm/{key}"] = value
    for name, runs in results.items():
        for run, (weights, history) in runs.items():
            for i, w in enumerate(weights):
                arrays[f"{name}/{run}/{i}"] = w
            logs[f"{name}/{run}"] = history
    arrays["logs"] = np.array(json.dumps(logs))
    np.savez(out, **arrays)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
