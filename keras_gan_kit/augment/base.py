"""`DiscriminatorAugmentation`: the base of the differentiable augmentation layers."""

from __future__ import annotations

import keras
from keras import ops

from keras_gan_kit.utils.validation import check_data_format, check_seed

__all__ = ["DiscriminatorAugmentation"]

_SEED_KEY = "seed_state"


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class DiscriminatorAugmentation(keras.layers.Layer):
    """Base class of differentiable augmentations of discriminator inputs.

    Pass an instance as `augmentation=` to a model family (`GAN`, `Pix2Pix`,
    `CycleGAN`, see `keras_gan_kit.models.AdversarialModel`): the engine
    applies it, in training, to every sample a discriminator sees, real and
    generated, in every phase and inside penalties. It must therefore be
    differentiable with respect to the images (the generator is trained
    through it) and draw fresh random parameters on every call.

    This base class holds what every such layer shares:

    - the `SeedGenerator` the random parameters are drawn from
      (`self.seed_generator`, a non-trainable variable of the model, so it is
      threaded through JAX's compiled step like the model's own seed), whose
      state is also saved in `.keras` files (Keras does not save seed
      states by itself), so a resumed run draws the same augmentations as an
      uninterrupted one;
    - float32 computation (the default `dtype`): the engine passes float32
      images under every dtype policy, and sampling coordinates in bfloat16
      would move pixels;
    - `call(images, training)`: the identity unless `training` is true;
      channels-first images are transposed around `augment_images`.

    Subclasses implement `augment_images(images)` on channels-last float32
    images. Optionally (the engine's hooks, see `ADA`):
    `update_state(real_logits)`, called by the discriminator phase with the
    logits of the real batch, and `log_names` with `logs()`, values logged
    after every training step.

    Args:
        seed: int or None. Seed of the random parameters. Defaults to None
            (random).
        data_format: str or None. `"channels_last"` or `"channels_first"`.
            Defaults to `keras.config.image_data_format()`.
        **kwargs: `keras.layers.Layer` arguments (`name`, `dtype`: defaults
            to `"float32"`).
    """

    def __init__(self, seed=None, data_format=None, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.seed = check_seed(seed)
        self.data_format = check_data_format(data_format)
        self.seed_generator = keras.random.SeedGenerator(seed, name="augmentation_seed")

    def build(self, input_shape):
        """Checks that the inputs are batches of images with static sizes."""
        shape = tuple(input_shape)
        if len(shape) != 4 or any(d is None for d in shape[1:]):
            raise ValueError(
                f"{type(self).__name__} augments images: inputs of shape (batch, height, "
                "width, channels) with static height, width and channels. Received: "
                f"input_shape={shape}"
            )
        channels_last = shape[1:] if self.data_format == "channels_last" else (*shape[2:], shape[1])
        self.check_image_shape(tuple(int(d) for d in channels_last))
        self.built = True

    def check_image_shape(self, shape):
        """Raises a `ValueError` for an image shape `(height, width, channels)` not supported."""

    def call(self, inputs, training=None):
        """Augments `inputs` when `training` is true; returns them unchanged otherwise."""
        if not training:
            return inputs
        images = ops.cast(inputs, "float32")
        if self.data_format == "channels_first":
            images = ops.transpose(images, (0, 2, 3, 1))
        images = self.augment_images(images)
        if self.data_format == "channels_first":
            images = ops.transpose(images, (0, 3, 1, 2))
        return ops.cast(images, self.compute_dtype)

    def augment_images(self, images):
        """Augments channels-last float32 images `(batch, height, width, channels)`."""
        raise NotImplementedError(f"{type(self).__name__} must define augment_images().")

    def compute_output_shape(self, input_shape):
        """The input shape: augmentations keep the image size."""
        return tuple(input_shape)

    def get_config(self):
        """Returns the constructor arguments."""
        config = super().get_config()
        config.update({"seed": self.seed, "data_format": self.data_format})
        return config

    def save_own_variables(self, store):
        """Saves the layer's variables and the state of its seed generator."""
        super().save_own_variables(store)
        store[_SEED_KEY] = ops.convert_to_numpy(self.seed_generator.state)

    def load_own_variables(self, store):
        """Restores what `save_own_variables` saved."""
        variables = self._trainable_variables + self._non_trainable_variables
        keys = [k for k in store.keys() if k != _SEED_KEY]
        if len(keys) != len(variables):
            raise ValueError(
                f"{type(self).__name__} {self.name!r} expects {len(variables)} saved variables. "
                f"Received: {len(keys)} in the file."
            )
        for i, variable in enumerate(variables):
            variable.assign(store[str(i)])
        if _SEED_KEY in store.keys():
            self.seed_generator.state.assign(store[_SEED_KEY])
