"""`SpectralNormalization`: Miyato et al.'s reparametrization, on every backend."""

from __future__ import annotations

import keras
from keras import ops

from keras_gan_kit.utils.validation import check_positive_int

__all__ = ["SpectralNormalization"]


def _l2_normalize(x, eps=1e-12):
    return x / ops.sqrt(ops.sum(ops.square(x)) + eps)


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class SpectralNormalization(keras.layers.Wrapper):
    """Divides a layer's kernel by its largest singular value (SNGAN).

    The wrapped layer runs with the kernel `W / sigma(W)`, where `sigma` is
    estimated by power iteration with a persistent vector `u` (updated in
    training mode only). Gradients flow through `W / sigma(W)` as in the
    paper; the trainable kernel itself is never overwritten.

    Why not `keras_gan_kit.layers.SpectralNormalization`: that layer *assigns* the
    normalized kernel back into the kernel variable on every training call.
    A GAN calls its discriminator several times before one backward pass
    (real batch, fake batch, gradient penalty), and on PyTorch that in-place
    write invalidates the saved autograd graph ("modified by an inplace
    operation"); under JAX's stateless step the write is not kept, so the
    three backends would train different models. This layer keeps the
    kernel untouched and works identically on all three.

    Args:
        layer: `keras.layers.Layer` with a `kernel` (Dense, Conv2D,
            Conv2DTranspose, ...). The output-channel axis is the kernel's last
            axis, except for `Conv2DTranspose` (second to last).
        power_iterations: int. Power-iteration steps per training call.
            Defaults to 1 (as in the paper).
        **kwargs: standard layer arguments.

    Example:

    ```python
    conv = SpectralNormalization(keras.layers.Conv2D(64, 4, strides=2, padding="same"))
    y = conv(images, training=True)
    ```

    References:
        Miyato et al., "Spectral Normalization for Generative Adversarial
        Networks", ICLR 2018.
    """

    def __init__(self, layer, power_iterations: int = 1, **kwargs):
        super().__init__(layer, **kwargs)
        self.power_iterations = check_positive_int(power_iterations, "power_iterations")

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(input_shape)
        if not hasattr(self.layer, "kernel"):
            raise ValueError(
                "SpectralNormalization needs a layer with a `kernel` attribute. Received: "
                f"layer={self.layer.__class__.__name__}"
            )
        shape = tuple(self.layer.kernel.shape)
        self._out_axis = (
            len(shape) - 2
            if isinstance(self.layer, keras.layers.Conv2DTranspose)
            else len(shape) - 1
        )
        self.vector_u = self.add_weight(
            shape=(1, shape[self._out_axis]),
            initializer=keras.initializers.RandomNormal(),
            trainable=False,
            name="vector_u",
            dtype=self.layer.kernel.dtype,
        )
        self.built = True

    def _matrix(self, kernel):
        """The kernel as a (fan_in, out_channels) matrix."""
        rank = len(kernel.shape)
        if self._out_axis != rank - 1:
            perm = [i for i in range(rank) if i != self._out_axis] + [self._out_axis]
            kernel = ops.transpose(kernel, perm)
        return ops.reshape(kernel, (-1, kernel.shape[-1]))

    def call(self, inputs, training=False):
        kernel = self.layer.kernel
        w = self._matrix(ops.convert_to_tensor(kernel))
        # A copy, so the in-place update below cannot touch saved autograd tensors.
        u = ops.copy(ops.stop_gradient(self.vector_u.value))
        v = None
        for _ in range(self.power_iterations):
            v = _l2_normalize(ops.matmul(u, ops.transpose(ops.stop_gradient(w))))
            u = _l2_normalize(ops.matmul(v, ops.stop_gradient(w)))
        u, v = ops.stop_gradient(u), ops.stop_gradient(v)
        sigma = ops.sum(ops.matmul(v, w) * u)
        if training:
            self.vector_u.assign(u)
        normalized = ops.convert_to_tensor(kernel) / sigma
        others = [x for x in self.layer.weights if x is not kernel]
        mapping = [(kernel, normalized)] + [(x, x.value) for x in others]
        with keras.StatelessScope(state_mapping=mapping):
            return self.layer(inputs)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}
