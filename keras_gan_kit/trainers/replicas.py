"""Random draws under data parallelism: distinct per replica, or shared on request."""

from __future__ import annotations

import contextlib

import keras
from keras import ops

__all__ = ["ReplicaSeedGenerator"]

# Added to the first seed component, times the replica index: replicas draw from
# disjoint streams while the seed state itself advances identically everywhere.
_REPLICA_STRIDE = 1_000_003


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class ReplicaSeedGenerator(keras.random.SeedGenerator):
    """A `keras.random.SeedGenerator` whose draws differ across data-parallel replicas.

    Under TensorFlow's `MirroredStrategy` and PyTorch's `torch.distributed`
    every replica holds a copy of the same seed state and advances it in
    step, so a plain `SeedGenerator` gives every replica the same noise: the
    same latents, the same augmentation, the same gradient-penalty
    interpolation on each shard. This generator folds the replica index
    (`keras_gan_kit.trainers.replica_id()`) into each seed it hands out, so
    replicas draw from distinct streams; its state still advances exactly as
    a plain generator's (and is saved and restored the same way). With one
    replica (no distribution, and always on JAX, whose jitted step sees the
    global batch) it is a plain `SeedGenerator`.

    Inside `shared()` the replica index is not folded in: every replica
    draws the same values. `keras_gan_kit.trainers.replica_batch` uses this
    to draw the latents of the whole global batch and keep each replica's
    rows, which makes N replicas match one device draw for draw.

    Args:
        seed: int or None. Initial seed, as `keras.random.SeedGenerator`.
        name: str. Name of the generator. Defaults to None.
        **kwargs: forwarded to `keras.random.SeedGenerator`.

    Example:

    ```python
    seed_generator = ReplicaSeedGenerator(0)
    noise = keras.random.normal((4, 8), seed=seed_generator)   # per replica
    with seed_generator.shared():
        common = keras.random.normal((4, 8), seed=seed_generator)
    ```
    """

    def __init__(self, seed=None, name=None, **kwargs):
        super().__init__(seed=seed, name=name, **kwargs)
        self._shared_depth = 0

    @contextlib.contextmanager
    def shared(self):
        """A context in which every replica draws the same values."""
        self._shared_depth += 1
        try:
            yield self
        finally:
            self._shared_depth -= 1

    def next(self, ordered=True):
        """The next seed, offset by the replica index outside `shared()`."""
        from keras_gan_kit import trainers

        seed = super().next(ordered=ordered)
        if self._shared_depth or trainers.num_replicas() == 1:
            return seed
        dtype = keras.backend.standardize_dtype(seed.dtype)
        offset = ops.cast(trainers.replica_id(), dtype) * ops.cast(_REPLICA_STRIDE, dtype)
        return seed + ops.stack([offset, ops.zeros_like(offset)])
