"""`DCGANGenerator`: the DCGAN generator at any power-of-two resolution."""

from __future__ import annotations

import keras

from keras_gan_kit.layers import (
    ConditionalBatchNormalization,
    SpectralNormalization,
    UpsampleBlock,
)
from keras_gan_kit.layers.normalization import check_normalization, make_normalization
from keras_gan_kit.networks.network import Network
from keras_gan_kit.utils.validation import check_image_size, check_positive_int

__all__ = ["DCGANGenerator"]


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class DCGANGenerator(Network):
    """DCGAN generator: latent -> 4x4 feature map -> `UpsampleBlock`s -> image.

    A dense projection to `4 x 4 x filters`, then one `UpsampleBlock` per
    doubling of resolution (filters halve each time, from
    `min(base_filters * 2^(n-1), max_filters)` down), and a final stride-2
    transposed convolution to `channels` with `tanh`, so outputs lie in
    [-1, 1]. For 32x32x3 with the defaults this is the classic CIFAR-10 DCGAN
    (4x4x256 -> 8x8x128 -> 16x16x64 -> 32x32x3).

    Args:
        image_size: int. Output height and width: a power of two >= 8.
            Defaults to 32.
        channels: int. Output channels (1 for digits, 3 for RGB). Defaults to 3.
        latent_dim: int. Size of the latent vector. Defaults to 128.
        base_filters: int. Width: filters of the last hidden block.
            Defaults to 64.
        max_filters: int. Cap on the filters of any block. Defaults to 512.
        normalization: str. `"batch"` (DCGAN), `"layer"` or `"none"`.
            Defaults to `"batch"`.
        spectral_norm: bool. Spectral normalization on every convolution.
            Defaults to False.
        num_classes: int or None. Class-conditional variant: the model takes
            `[latents, labels]` (integer labels); see `conditioning`.
            Defaults to None (unconditional).
        conditioning: str. How a class-conditional generator uses labels.
            `"embedding"`: a learned `latent_dim`-sized label embedding is
            concatenated to the latent (Mirza & Osindero 2014).
            `"batchnorm"`: every BatchNorm becomes a
            `keras_gan_kit.layers.ConditionalBatchNormalization` whose scale
            and shift are per class (de Vries et al. 2017; as in SNGAN's and
            BigGAN's generators); needs `normalization="batch"`. Ignored
            without `num_classes`. Defaults to `"embedding"`.
        synchronized_batch_norm: bool. Under data parallelism, compute the
            BatchNorm statistics over the global batch instead of each
            replica's shard. TensorFlow strategies: Keras'
            `BatchNormalization(synchronized=True)` (one all-reduce per layer
            and step). JAX `keras.distribution`: the statistics are over the
            global batch anyway, so this changes nothing. PyTorch
            `torch.distributed`: not available, each rank normalizes over its
            shard. Has no effect on one device or without `"batch"`
            normalization. Defaults to False.
        **kwargs: `Network` arguments (`name`, `dtype`, `trainable`).

    Example:

    ```python
    generator = DCGANGenerator(image_size=32, channels=3, latent_dim=128)
    images = generator(keras.random.normal((16, 128)))   # (16, 32, 32, 3)
    ```

    References:
        Radford et al., "Unsupervised Representation Learning with Deep
        Convolutional Generative Adversarial Networks", ICLR 2016.
    """

    def __init__(
        self,
        image_size: int = 32,
        channels: int = 3,
        latent_dim: int = 128,
        base_filters: int = 64,
        max_filters: int = 512,
        normalization: str = "batch",
        spectral_norm: bool = False,
        num_classes: int | None = None,
        conditioning: str = "embedding",
        synchronized_batch_norm: bool = False,
        **kwargs,
    ):
        steps = check_image_size(image_size)
        if num_classes is not None:
            check_positive_int(num_classes, "num_classes")
        if conditioning not in ("embedding", "batchnorm"):
            raise ValueError(
                "Unknown conditioning. Received: conditioning="
                f"{conditioning!r}. Expected one of ['embedding', 'batchnorm']."
            )
        if num_classes is not None and conditioning == "batchnorm" and normalization != "batch":
            raise ValueError(
                "conditioning='batchnorm' replaces the generator's BatchNorm layers, so it "
                f"needs normalization='batch'. Received: normalization={normalization!r}"
            )
        check_positive_int(channels, "channels")
        check_positive_int(latent_dim, "latent_dim")
        check_positive_int(base_filters, "base_filters")
        check_positive_int(max_filters, "max_filters")
        normalization = check_normalization(normalization)
        kwargs.setdefault("name", "dcgan_generator")
        dtype = kwargs.get("dtype")

        def filters(i):  # hidden block i of steps - 1
            return min(base_filters * 2 ** (steps - 1 - i), max_filters)

        latents = keras.Input((latent_dim,), name="latent")
        inputs = latents
        x = latents
        labels = None
        class_norm = num_classes is not None and conditioning == "batchnorm"
        if class_norm:
            labels = keras.Input((), dtype="int32", name="label")
            inputs = [latents, labels]
        elif num_classes is not None:
            labels = keras.Input((), dtype="int32", name="label")
            embedded = keras.layers.Embedding(
                num_classes, latent_dim, dtype=dtype, name="label_embedding"
            )(labels)
            x = keras.layers.Concatenate(dtype=dtype, name="latent_and_label")([latents, embedded])
            inputs = [latents, labels]
        x = keras.layers.Dense(
            4 * 4 * filters(0) if steps > 1 else 4 * 4 * base_filters,
            use_bias=normalization == "none",
            kernel_initializer=keras.initializers.RandomNormal(stddev=0.02),
            dtype=dtype,
            name="project",
        )(x)
        x = keras.layers.Reshape((4, 4, -1), dtype=dtype, name="reshape")(x)
        if class_norm:
            x = ConditionalBatchNormalization(num_classes, dtype=dtype, name="project_norm")(
                [x, labels]
            )
        else:
            norm = make_normalization(normalization, name="project_norm", dtype=dtype)
            if norm is not None:
                x = norm(x)
        x = keras.layers.ReLU(dtype=dtype, name="project_relu")(x)
        for i in range(1, steps):
            x = UpsampleBlock(
                filters(i),
                normalization="none" if class_norm else normalization,
                activation="linear" if class_norm else "relu",
                spectral_norm=spectral_norm,
                dtype=dtype,
                name=f"up_{i}",
            )(x)
            if class_norm:
                x = ConditionalBatchNormalization(num_classes, dtype=dtype, name=f"up_{i}_norm")(
                    [x, labels]
                )
                x = keras.layers.ReLU(dtype=dtype, name=f"up_{i}_relu")(x)
        conv = keras.layers.Conv2DTranspose(
            channels,
            4,
            strides=2,
            padding="same",
            kernel_initializer=keras.initializers.RandomNormal(stddev=0.02),
            dtype=dtype,
            name="to_image",
        )
        if spectral_norm:
            conv = SpectralNormalization(conv, dtype=dtype, name="to_image_sn")
        x = conv(x)
        images = keras.layers.Activation("tanh", dtype="float32", name="tanh")(x)
        super().__init__(inputs=inputs, outputs=images, **kwargs)
        self.num_classes = num_classes
        self.conditioning = conditioning
        self.image_size = image_size
        self.channels = channels
        self.latent_dim = latent_dim
        self.base_filters = base_filters
        self.max_filters = max_filters
        self.normalization = normalization
        self.spectral_norm = spectral_norm
        self.synchronized_batch_norm = bool(synchronized_batch_norm)
        if self.synchronized_batch_norm and keras.backend.backend() == "tensorflow":
            for layer in self._flatten_layers(include_self=False):
                if isinstance(layer, keras.layers.BatchNormalization):
                    layer.synchronized = True

    def get_config(self):
        return {
            **super().get_config(),
            "image_size": self.image_size,
            "channels": self.channels,
            "latent_dim": self.latent_dim,
            "base_filters": self.base_filters,
            "max_filters": self.max_filters,
            "normalization": self.normalization,
            "spectral_norm": self.spectral_norm,
            "num_classes": self.num_classes,
            "conditioning": self.conditioning,
            "synchronized_batch_norm": self.synchronized_batch_norm,
        }
