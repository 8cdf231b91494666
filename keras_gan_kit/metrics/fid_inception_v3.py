"""`FIDInceptionV3`: the Inception-V3 graph of TensorFlow's FID code, in Keras."""

from __future__ import annotations

import hashlib
import os
import re

import keras
import numpy as np

from keras_gan_kit.networks.network import Network

__all__ = ["FIDInceptionV3"]

PYTORCH_FID_WEIGHTS_URL = (
    "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/"
    "pt_inception-2015-12-05-6726825d.pth"
)
PYTORCH_FID_WEIGHTS_FILE = "pt_inception-2015-12-05-6726825d.pth"
PYTORCH_FID_SHA256_PREFIX = "6726825d"


def _conv_bn(x, filters, kernel_size, name, dtype, strides=1, padding="valid"):
    """Conv (no bias) + BatchNorm(eps=1e-3) + ReLU, named after the torch module."""
    x = keras.layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=False,
        dtype=dtype,
        name=f"{name}_conv",
    )(x)
    norm = keras.layers.BatchNormalization(
        epsilon=1e-3, momentum=0.9, dtype=dtype, name=f"{name}_bn"
    )
    x = norm(x)
    return keras.layers.ReLU(dtype=dtype, name=f"{name}_relu")(x)


def _avg_pool_3x3(x, name, dtype):
    # "same" average pooling ignores the padded zeros, like TF and pytorch-fid's
    # patch (`count_include_pad=False`).
    return keras.layers.AveragePooling2D(3, strides=1, padding="same", dtype=dtype, name=name)(x)


def _inception_a(x, pool_features, name, dtype):
    b1 = _conv_bn(x, 64, 1, f"{name}_branch1x1", dtype)
    b5 = _conv_bn(x, 48, 1, f"{name}_branch5x5_1", dtype)
    b5 = _conv_bn(b5, 64, 5, f"{name}_branch5x5_2", dtype, padding="same")
    b3 = _conv_bn(x, 64, 1, f"{name}_branch3x3dbl_1", dtype)
    b3 = _conv_bn(b3, 96, 3, f"{name}_branch3x3dbl_2", dtype, padding="same")
    b3 = _conv_bn(b3, 96, 3, f"{name}_branch3x3dbl_3", dtype, padding="same")
    bp = _avg_pool_3x3(x, f"{name}_pool", dtype)
    bp = _conv_bn(bp, pool_features, 1, f"{name}_branch_pool", dtype)
    return keras.layers.Concatenate(dtype=dtype, name=name)([b1, b5, b3, bp])


def _inception_b(x, name, dtype):
    b3 = _conv_bn(x, 384, 3, f"{name}_branch3x3", dtype, strides=2)
    bd = _conv_bn(x, 64, 1, f"{name}_branch3x3dbl_1", dtype)
    bd = _conv_bn(bd, 96, 3, f"{name}_branch3x3dbl_2", dtype, padding="same")
    bd = _conv_bn(bd, 96, 3, f"{name}_branch3x3dbl_3", dtype, strides=2)
    bp = keras.layers.MaxPooling2D(3, strides=2, dtype=dtype, name=f"{name}_pool")(x)
    return keras.layers.Concatenate(dtype=dtype, name=name)([b3, bd, bp])


def _inception_c(x, channels_7x7, name, dtype):
    c7 = channels_7x7
    b1 = _conv_bn(x, 192, 1, f"{name}_branch1x1", dtype)
    b7 = _conv_bn(x, c7, 1, f"{name}_branch7x7_1", dtype)
    b7 = _conv_bn(b7, c7, (1, 7), f"{name}_branch7x7_2", dtype, padding="same")
    b7 = _conv_bn(b7, 192, (7, 1), f"{name}_branch7x7_3", dtype, padding="same")
    bd = _conv_bn(x, c7, 1, f"{name}_branch7x7dbl_1", dtype)
    bd = _conv_bn(bd, c7, (7, 1), f"{name}_branch7x7dbl_2", dtype, padding="same")
    bd = _conv_bn(bd, c7, (1, 7), f"{name}_branch7x7dbl_3", dtype, padding="same")
    bd = _conv_bn(bd, c7, (7, 1), f"{name}_branch7x7dbl_4", dtype, padding="same")
    bd = _conv_bn(bd, 192, (1, 7), f"{name}_branch7x7dbl_5", dtype, padding="same")
    bp = _avg_pool_3x3(x, f"{name}_pool", dtype)
    bp = _conv_bn(bp, 192, 1, f"{name}_branch_pool", dtype)
    return keras.layers.Concatenate(dtype=dtype, name=name)([b1, b7, bd, bp])


def _inception_d(x, name, dtype):
    b3 = _conv_bn(x, 192, 1, f"{name}_branch3x3_1", dtype)
    b3 = _conv_bn(b3, 320, 3, f"{name}_branch3x3_2", dtype, strides=2)
    b7 = _conv_bn(x, 192, 1, f"{name}_branch7x7x3_1", dtype)
    b7 = _conv_bn(b7, 192, (1, 7), f"{name}_branch7x7x3_2", dtype, padding="same")
    b7 = _conv_bn(b7, 192, (7, 1), f"{name}_branch7x7x3_3", dtype, padding="same")
    b7 = _conv_bn(b7, 192, 3, f"{name}_branch7x7x3_4", dtype, strides=2)
    bp = keras.layers.MaxPooling2D(3, strides=2, dtype=dtype, name=f"{name}_pool")(x)
    return keras.layers.Concatenate(dtype=dtype, name=name)([b3, b7, bp])


def _inception_e(x, name, dtype, max_pool):
    """InceptionE; the FID graph's last block (`max_pool=True`) max-pools its pool branch."""
    b1 = _conv_bn(x, 320, 1, f"{name}_branch1x1", dtype)
    b3 = _conv_bn(x, 384, 1, f"{name}_branch3x3_1", dtype)
    b3 = keras.layers.Concatenate(dtype=dtype, name=f"{name}_branch3x3")(
        [
            _conv_bn(b3, 384, (1, 3), f"{name}_branch3x3_2a", dtype, padding="same"),
            _conv_bn(b3, 384, (3, 1), f"{name}_branch3x3_2b", dtype, padding="same"),
        ]
    )
    bd = _conv_bn(x, 448, 1, f"{name}_branch3x3dbl_1", dtype)
    bd = _conv_bn(bd, 384, 3, f"{name}_branch3x3dbl_2", dtype, padding="same")
    bd = keras.layers.Concatenate(dtype=dtype, name=f"{name}_branch3x3dbl")(
        [
            _conv_bn(bd, 384, (1, 3), f"{name}_branch3x3dbl_3a", dtype, padding="same"),
            _conv_bn(bd, 384, (3, 1), f"{name}_branch3x3dbl_3b", dtype, padding="same"),
        ]
    )
    if max_pool:
        bp = keras.layers.MaxPooling2D(
            3, strides=1, padding="same", dtype=dtype, name=f"{name}_pool"
        )(x)
    else:
        bp = _avg_pool_3x3(x, f"{name}_pool", dtype)
    bp = _conv_bn(bp, 192, 1, f"{name}_branch_pool", dtype)
    return keras.layers.Concatenate(dtype=dtype, name=name)([b1, b3, bd, bp])


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
    `load_pretrained()` (downloads pytorch-fid's public weight file once) or
    `from_pytorch_fid(path_or_state_dict)`.

    Args:
        input_shape: tuple. Input shape `(height, width, 3)`, height and width
            at least 75. Defaults to `(299, 299, 3)`.
        include_logits: bool. Also return the 1008 class logits of the
            network's classifier (for the Inception Score: apply softmax to
            them). The model then has two outputs, `[features, logits]`.
            Defaults to False.
        **kwargs: `keras_gan_kit.networks.Network` arguments (`name`, `dtype`,
            `trainable`).

    Example:

    ```python
    from keras_gan_kit.metrics import FIDInceptionV3, fid_from_features

    inception = FIDInceptionV3.load_pretrained()        # downloads ~92 MB once
    extractor = inception.feature_extractor(value_range=(0, 255))
    fid = fid_from_features(extractor(real_images), extractor(fake_images))
    ```

    References:
        - [Szegedy et al., 2016](https://arxiv.org/abs/1512.00567)
        - [Heusel et al., 2017](https://arxiv.org/abs/1706.08500)
        - [pytorch-fid](https://github.com/mseitzer/pytorch-fid)
    """

    def __init__(self, input_shape=(299, 299, 3), include_logits=False, **kwargs):
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
        dtype = kwargs.get("dtype")
        inputs = keras.Input(input_shape, name="images")
        x = _conv_bn(inputs, 32, 3, "Conv2d_1a_3x3", dtype, strides=2)
        x = _conv_bn(x, 32, 3, "Conv2d_2a_3x3", dtype)
        x = _conv_bn(x, 64, 3, "Conv2d_2b_3x3", dtype, padding="same")
        x = keras.layers.MaxPooling2D(3, strides=2, dtype=dtype, name="maxpool1")(x)
        x = _conv_bn(x, 80, 1, "Conv2d_3b_1x1", dtype)
        x = _conv_bn(x, 192, 3, "Conv2d_4a_3x3", dtype)
        x = keras.layers.MaxPooling2D(3, strides=2, dtype=dtype, name="maxpool2")(x)
        x = _inception_a(x, 32, "Mixed_5b", dtype)
        x = _inception_a(x, 64, "Mixed_5c", dtype)
        x = _inception_a(x, 64, "Mixed_5d", dtype)
        x = _inception_b(x, "Mixed_6a", dtype)
        x = _inception_c(x, 128, "Mixed_6b", dtype)
        x = _inception_c(x, 160, "Mixed_6c", dtype)
        x = _inception_c(x, 160, "Mixed_6d", dtype)
        x = _inception_c(x, 192, "Mixed_6e", dtype)
        x = _inception_d(x, "Mixed_7a", dtype)
        x = _inception_e(x, "Mixed_7b", dtype, max_pool=False)
        x = _inception_e(x, "Mixed_7c", dtype, max_pool=True)
        features = keras.layers.GlobalAveragePooling2D(dtype=dtype, name="avgpool")(x)
        outputs = features
        if include_logits:
            logits = keras.layers.Dense(1008, dtype=dtype, name="fc")(features)
            outputs = [features, logits]
        kwargs.setdefault("name", "fid_inception_v3")
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        self.input_shape_arg = input_shape
        self.include_logits = bool(include_logits)

    def get_config(self):
        return {
            **super().get_config(),
            "input_shape": self.input_shape_arg,
            "include_logits": self.include_logits,
        }

    def feature_extractor(self, value_range=(-1.0, 1.0), batch_size: int = 64):
        """A `FeatureExtractor` for images in `value_range` (resized to this model's input)."""
        from keras_gan_kit.metrics.feature_extractor import FeatureExtractor

        model = self
        if self.include_logits:
            model = keras.Model(self.inputs, self.outputs[0], name=f"{self.name}_features")
        return FeatureExtractor(model, value_range=value_range, batch_size=batch_size)

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
    def from_pytorch_fid(cls, path_or_state_dict, input_shape=(299, 299, 3), include_logits=False):
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
        elif hasattr(path_or_state_dict, "items"):
            state_dict = path_or_state_dict
        else:
            raise ValueError(
                "`path_or_state_dict` must be a file path or a mapping of names to arrays. "
                f"Received: path_or_state_dict of type {type(path_or_state_dict).__name__}"
            )
        model = cls(input_shape=input_shape, include_logits=include_logits)
        model.load_pytorch_fid_state_dict(state_dict)
        return model

    @classmethod
    def load_pretrained(
        cls, input_shape=(299, 299, 3), include_logits=False, cache_dir=None
    ) -> FIDInceptionV3:
        """Downloads pytorch-fid's public FID weights once and builds the network.

        The file (`pt_inception-2015-12-05-6726825d.pth`, about 92 MB, the
        TensorFlow FID graph's weights converted by pytorch-fid) is cached by
        `keras.utils.get_file` in `~/.keras/models` (or `cache_dir`). Reading
        it needs PyTorch installed. Offline, place the file there yourself or
        call `from_pytorch_fid(path)`.

        Args:
            input_shape: tuple. As in the constructor. Defaults to (299, 299, 3).
            include_logits: bool. As in the constructor. Defaults to False.
            cache_dir: str or None. Cache folder for `keras.utils.get_file`.
                Defaults to None (Keras' default, `~/.keras`).

        Returns:
            `FIDInceptionV3` with the FID weights.
        """
        try:
            path = keras.utils.get_file(
                PYTORCH_FID_WEIGHTS_FILE,
                PYTORCH_FID_WEIGHTS_URL,
                cache_subdir="models",
                cache_dir=cache_dir,
            )
        except Exception as e:  # network errors differ between Python versions
            raise RuntimeError(
                f"Could not download the FID Inception weights from {PYTORCH_FID_WEIGHTS_URL} "
                f"({type(e).__name__}: {e}). Offline, download that file elsewhere and put it "
                f"in ~/.keras/models/ (or pass cache_dir), or call "
                "FIDInceptionV3.from_pytorch_fid(path)."
            ) from e
        _check_sha256_prefix(path, PYTORCH_FID_SHA256_PREFIX)
        return cls.from_pytorch_fid(path, input_shape=input_shape, include_logits=include_logits)


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
