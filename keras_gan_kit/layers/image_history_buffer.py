"""`ImageHistoryBuffer`: the generated-image pool of CycleGAN, as layer state."""

from __future__ import annotations

import keras
from keras import ops

from keras_gan_kit.utils.validation import check_non_negative_int

__all__ = ["ImageHistoryBuffer"]


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class ImageHistoryBuffer(keras.layers.Layer):
    """A pool of previously generated images for the discriminators (Shrivastava et al. 2017).

    CycleGAN updates its discriminators on a mix of current and past
    generated images, which damps oscillation. The pool is held in
    non-trainable variables (the images and a fill count), so it is saved
    with the model, restored by `BackupAndRestore` and updated inside a
    jit-compiled step on every backend.

    Calling the layer on a batch of generated images returns a batch of the
    same shape. While the pool is filling, each image is stored and returned
    as is. Once it is full, each image is, with probability 1/2, returned as
    is; otherwise a uniformly chosen stored image is returned in its place and
    the new one stored in that slot (the reference implementation's
    `ImagePool`, with `capacity=50`). One difference: images of one batch
    draw their slots at once, so two images of a batch that draw the same
    slot both return its old image (the reference returns the first one's
    image to the second). With `capacity=0` the layer returns its input.

    The random draws use the `seed` argument of `call` (a
    `keras.random.SeedGenerator`), normally the model's training seed
    generator.

    Args:
        capacity: int. Number of stored images (>= 0). Defaults to 50.
        image_shape: tuple of int. Shape of one image, `(height, width,
            channels)`. Defaults to None: taken from the first input shape
            when the layer is built.
        **kwargs: standard layer arguments (`name`, `dtype`).

    Example:

    ```python
    pool = ImageHistoryBuffer(capacity=50, image_shape=(64, 64, 3))
    seed = keras.random.SeedGenerator(0)
    fakes_for_d = pool(fakes, seed=seed)    # same shape as `fakes`
    ```

    References:
        Shrivastava et al., "Learning from Simulated and Unsupervised Images
        through Adversarial Training", CVPR 2017. Zhu et al., "Unpaired
        Image-to-Image Translation using Cycle-Consistent Adversarial
        Networks", ICCV 2017.
    """

    def __init__(self, capacity: int = 50, image_shape=None, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.capacity = check_non_negative_int(capacity, "capacity")
        self.image_shape = None if image_shape is None else tuple(int(d) for d in image_shape)
        self.images = None
        self.count = None
        if self.image_shape is not None:
            self.build((None,) + self.image_shape)

    def build(self, input_shape):
        shape = tuple(input_shape[1:])
        if any(d is None for d in shape):
            raise ValueError(
                "ImageHistoryBuffer needs a fully defined image shape. Received input shape "
                f"{tuple(input_shape)}; pass image_shape=(height, width, channels)."
            )
        self.image_shape = tuple(int(d) for d in shape)
        # One spare row at the end takes the writes of images that are not stored.
        self.images = self.add_weight(
            shape=(self.capacity + 1,) + self.image_shape,
            initializer="zeros",
            trainable=False,
            name="images",
        )
        self.count = self.add_weight(
            shape=(), initializer="zeros", dtype="int32", trainable=False, name="count"
        )
        self.built = True

    def call(self, images, seed=None):
        images = ops.cast(ops.stop_gradient(images), "float32")
        if self.capacity == 0:
            return images
        if seed is None:
            raise ValueError(
                "ImageHistoryBuffer needs `seed` (a keras.random.SeedGenerator) for its "
                "random draws. Received: seed=None"
            )
        batch = ops.shape(images)[0]
        spare = self.capacity
        # 1. Images that land in free slots are stored and returned unchanged.
        slots = self.count + ops.arange(batch, dtype="int32")
        filling = slots < self.capacity
        pool = ops.scatter_update(
            self.images.value, ops.expand_dims(ops.where(filling, slots, spare), -1), images
        )
        # 2. The others swap, with probability 1/2, with a random stored image.
        swap = ops.logical_and(
            ops.logical_not(filling), keras.random.uniform((batch,), seed=seed) < 0.5
        )
        chosen = keras.random.randint((batch,), 0, self.capacity, seed=seed, dtype="int32")
        returned = ops.where(
            ops.reshape(swap, (-1,) + (1,) * len(self.image_shape)),
            ops.take(pool, chosen, axis=0),
            images,
        )
        pool = ops.scatter_update(pool, ops.expand_dims(ops.where(swap, chosen, spare), -1), images)
        self.images.assign(pool)
        self.count.assign(ops.minimum(self.count + batch, self.capacity))
        return returned

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"capacity": self.capacity, "image_shape": self.image_shape})
        return config
