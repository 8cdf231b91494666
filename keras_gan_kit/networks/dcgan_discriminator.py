"""`DCGANDiscriminator`: the DCGAN discriminator at any power-of-two resolution."""

from __future__ import annotations

import keras

from keras_gan_kit.layers import DownsampleBlock, SpectralNormalization
from keras_gan_kit.layers.normalization import check_normalization
from keras_gan_kit.networks.network import Network
from keras_gan_kit.utils.validation import check_fraction, check_image_size, check_positive_int

__all__ = ["DCGANDiscriminator"]

CONDITIONINGS = ("projection", "auxiliary")


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class DCGANDiscriminator(Network):
    """DCGAN discriminator: `DownsampleBlock`s down to 4x4, then one logit.

    One stride-2 `DownsampleBlock` per halving of resolution down to 4x4
    (filters double each time, from `base_filters` up to `max_filters`; the
    first block is never normalized), then a dense layer to one float32
    logit (no sigmoid: the losses take logits).

    Args:
        image_size: int. Input height and width: a power of two >= 8.
            Defaults to 32.
        channels: int. Input channels. Defaults to 3.
        base_filters: int. Filters of the first block. Defaults to 64.
        max_filters: int. Cap on the filters of any block. Defaults to 512.
        normalization: str. `"batch"` (DCGAN), `"layer"` or `"none"`. Use
            `"none"` or `"layer"` with gradient penalties (WGAN-GP, R1).
            Defaults to `"batch"`.
        spectral_norm: bool. Spectral normalization on every layer (SNGAN).
            Defaults to False.
        dropout: float. Dropout rate before the logit. Defaults to 0.
        num_classes: int or None. Class-conditional variant (see
            `conditioning`). Defaults to None (unconditional).
        conditioning: str. How a class-conditional discriminator uses labels.
            `"projection"`: it takes `[images, labels]` (integer labels) and
            adds the projection `<embed(label), features>` to the logit
            (Miyato & Koyama 2018). `"auxiliary"`: it takes images only and
            returns `[logits, class_logits]`, a second head classifying the
            image into `num_classes` classes (ACGAN, Odena et al. 2017; `GAN`
            then adds the auxiliary-classifier terms). Ignored without
            `num_classes`. Defaults to `"projection"`.
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
    discriminator = DCGANDiscriminator(image_size=32, channels=3, spectral_norm=True,
                                       normalization="none")
    logits = discriminator(images)   # (batch, 1), float32
    ```
    """

    def __init__(
        self,
        image_size: int = 32,
        channels: int = 3,
        base_filters: int = 64,
        max_filters: int = 512,
        normalization: str = "batch",
        spectral_norm: bool = False,
        dropout: float = 0.0,
        num_classes: int | None = None,
        conditioning: str = "projection",
        synchronized_batch_norm: bool = False,
        **kwargs,
    ):
        steps = check_image_size(image_size)
        if num_classes is not None:
            check_positive_int(num_classes, "num_classes")
        if conditioning not in CONDITIONINGS:
            raise ValueError(
                f"Unknown conditioning. Received: conditioning={conditioning!r}. Expected one "
                f"of {list(CONDITIONINGS)}."
            )
        check_positive_int(channels, "channels")
        check_positive_int(base_filters, "base_filters")
        check_positive_int(max_filters, "max_filters")
        normalization = check_normalization(normalization)
        dropout = check_fraction(dropout, "dropout", high_open=True)
        kwargs.setdefault("name", "dcgan_discriminator")
        dtype = kwargs.get("dtype")

        images = keras.Input((image_size, image_size, channels), name="image")
        x = images
        for i in range(steps):
            x = DownsampleBlock(
                min(base_filters * 2**i, max_filters),
                normalization="none" if i == 0 else normalization,
                spectral_norm=spectral_norm,
                dtype=dtype,
                name=f"down_{i + 1}",
            )(x)
        x = keras.layers.Flatten(dtype=dtype, name="flatten")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, dtype=dtype, name="dropout")(x)
        dense = keras.layers.Dense(1, dtype="float32", name="logit")
        if spectral_norm:
            dense = SpectralNormalization(dense, dtype="float32", name="logit_sn")
        logits = dense(x)
        inputs = images
        outputs = logits
        if num_classes is not None and conditioning == "auxiliary":
            head = keras.layers.Dense(num_classes, dtype="float32", name="class_logits")
            if spectral_norm:
                head = SpectralNormalization(head, dtype="float32", name="class_logits_sn")
            outputs = [logits, head(x)]
        elif num_classes is not None:
            # Projection discriminator: logit = psi(h) + <embed(y), h>.
            labels = keras.Input((), dtype="int32", name="label")
            embedding = keras.layers.Embedding(
                num_classes, int(x.shape[-1]), dtype="float32", name="label_embedding"
            )
            h = keras.layers.Activation("linear", dtype="float32", name="features_f32")(x)
            projection = keras.layers.Dot(axes=1, dtype="float32", name="projection")(
                [embedding(labels), h]
            )
            outputs = keras.layers.Add(dtype="float32", name="logit_plus_projection")(
                [logits, projection]
            )
            inputs = [images, labels]
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self.num_classes = num_classes
        self.conditioning = conditioning
        self.image_size = image_size
        self.channels = channels
        self.base_filters = base_filters
        self.max_filters = max_filters
        self.normalization = normalization
        self.spectral_norm = spectral_norm
        self.synchronized_batch_norm = bool(synchronized_batch_norm)
        if self.synchronized_batch_norm and keras.backend.backend() == "tensorflow":
            for layer in self._flatten_layers(include_self=False):
                if isinstance(layer, keras.layers.BatchNormalization):
                    layer.synchronized = True
        self.dropout = dropout

    def get_config(self):
        return {
            **super().get_config(),
            "image_size": self.image_size,
            "channels": self.channels,
            "base_filters": self.base_filters,
            "max_filters": self.max_filters,
            "normalization": self.normalization,
            "spectral_norm": self.spectral_norm,
            "dropout": self.dropout,
            "num_classes": self.num_classes,
            "conditioning": self.conditioning,
            "synchronized_batch_norm": self.synchronized_batch_norm,
        }
