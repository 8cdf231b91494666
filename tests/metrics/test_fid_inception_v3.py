"""FIDInceptionV3 against pytorch-fid's FID Inception with the same random weights.

pytorch-fid builds its network on torchvision's Inception-V3 classes, and
torchvision is not a test dependency. The reference below loads the real
`pytorch_fid.inception` module (its FID-patched blocks and its `InceptionV3`
wrapper) on top of a small stand-in `torchvision` that defines the base
classes exactly as torchvision does (same module names, kernel sizes,
paddings and strides; checked against torchvision/models/inception.py).
"""

import importlib
import sys
import types

import numpy as np
import pytest

from tests.test_case import BACKEND

torch = pytest.importorskip("torch")
pytest.importorskip("pytorch_fid")

import keras  # noqa: E402

from keras_gan_kit.metrics import FeatureExtractor, FIDInceptionV3  # noqa: E402

nn = torch.nn
F = torch.nn.functional

# Building the 95-convolution graph takes ~25 s under JAX on 2 CPU cores (one
# compiled initializer per weight shape); the port is backend-independent
# Keras, so the full comparison runs under TensorFlow and PyTorch, and under
# JAX only with --run-slow.
slow_on_jax = pytest.mark.slow if BACKEND == "jax" else lambda f: f


# --------------------------------------------------------------------------- #
# A stand-in for the parts of torchvision that pytorch_fid.inception uses.
# --------------------------------------------------------------------------- #
class BasicConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(out_channels, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class InceptionA(nn.Module):
    def __init__(self, in_channels, pool_features):
        super().__init__()
        self.branch1x1 = BasicConv2d(in_channels, 64, kernel_size=1)
        self.branch5x5_1 = BasicConv2d(in_channels, 48, kernel_size=1)
        self.branch5x5_2 = BasicConv2d(48, 64, kernel_size=5, padding=2)
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 64, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, kernel_size=3, padding=1)
        self.branch_pool = BasicConv2d(in_channels, pool_features, kernel_size=1)


class InceptionB(nn.Module):
    def __init__(self, in_channels):
        super().__init__()
        self.branch3x3 = BasicConv2d(in_channels, 384, kernel_size=3, stride=2)
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 64, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, kernel_size=3, stride=2)

    def forward(self, x):
        b3 = self.branch3x3(x)
        bd = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([b3, bd, F.max_pool2d(x, kernel_size=3, stride=2)], 1)


class InceptionC(nn.Module):
    def __init__(self, in_channels, channels_7x7):
        super().__init__()
        c7 = channels_7x7
        self.branch1x1 = BasicConv2d(in_channels, 192, kernel_size=1)
        self.branch7x7_1 = BasicConv2d(in_channels, c7, kernel_size=1)
        self.branch7x7_2 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7_3 = BasicConv2d(c7, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = BasicConv2d(in_channels, c7, kernel_size=1)
        self.branch7x7dbl_2 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = BasicConv2d(c7, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch_pool = BasicConv2d(in_channels, 192, kernel_size=1)


class InceptionD(nn.Module):
    def __init__(self, in_channels):
        super().__init__()
        self.branch3x3_1 = BasicConv2d(in_channels, 192, kernel_size=1)
        self.branch3x3_2 = BasicConv2d(192, 320, kernel_size=3, stride=2)
        self.branch7x7x3_1 = BasicConv2d(in_channels, 192, kernel_size=1)
        self.branch7x7x3_2 = BasicConv2d(192, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7x3_3 = BasicConv2d(192, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7x3_4 = BasicConv2d(192, 192, kernel_size=3, stride=2)

    def forward(self, x):
        b3 = self.branch3x3_2(self.branch3x3_1(x))
        b7 = self.branch7x7x3_1(x)
        b7 = self.branch7x7x3_4(self.branch7x7x3_3(self.branch7x7x3_2(b7)))
        return torch.cat([b3, b7, F.max_pool2d(x, kernel_size=3, stride=2)], 1)


class InceptionE(nn.Module):
    def __init__(self, in_channels):
        super().__init__()
        self.branch1x1 = BasicConv2d(in_channels, 320, kernel_size=1)
        self.branch3x3_1 = BasicConv2d(in_channels, 384, kernel_size=1)
        self.branch3x3_2a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3_2b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 448, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(448, 384, kernel_size=3, padding=1)
        self.branch3x3dbl_3a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch_pool = BasicConv2d(in_channels, 192, kernel_size=1)


class Inception3(nn.Module):
    built = []

    def __init__(self, num_classes=1000, aux_logits=True, **kwargs):
        super().__init__()
        assert not aux_logits
        self.Conv2d_1a_3x3 = BasicConv2d(3, 32, kernel_size=3, stride=2)
        self.Conv2d_2a_3x3 = BasicConv2d(32, 32, kernel_size=3)
        self.Conv2d_2b_3x3 = BasicConv2d(32, 64, kernel_size=3, padding=1)
        self.maxpool1 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.Conv2d_3b_1x1 = BasicConv2d(64, 80, kernel_size=1)
        self.Conv2d_4a_3x3 = BasicConv2d(80, 192, kernel_size=3)
        self.maxpool2 = nn.MaxPool2d(kernel_size=3, stride=2)
        self.Mixed_5b = InceptionA(192, pool_features=32)
        self.Mixed_5c = InceptionA(256, pool_features=64)
        self.Mixed_5d = InceptionA(288, pool_features=64)
        self.Mixed_6a = InceptionB(288)
        self.Mixed_6b = InceptionC(768, channels_7x7=128)
        self.Mixed_6c = InceptionC(768, channels_7x7=160)
        self.Mixed_6d = InceptionC(768, channels_7x7=160)
        self.Mixed_6e = InceptionC(768, channels_7x7=192)
        self.Mixed_7a = InceptionD(768)
        self.Mixed_7b = InceptionE(1280)
        self.Mixed_7c = InceptionE(2048)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(2048, num_classes)
        Inception3.built.append(self)

    def load_state_dict(self, state_dict, *args, **kwargs):
        # pytorch-fid loads its downloaded weights here; the test keeps random ones.
        if state_dict is not None:
            return super().load_state_dict(state_dict, *args, **kwargs)


def _pytorch_fid_inception_module():
    """pytorch_fid.inception, imported against the stand-in torchvision."""
    fake = types.ModuleType("torchvision")
    fake.__version__ = "0.20.0"
    fake.models = types.ModuleType("torchvision.models")
    fake.models.inception = types.ModuleType("torchvision.models.inception")
    for cls in (BasicConv2d, InceptionA, InceptionB, InceptionC, InceptionD, InceptionE):
        setattr(fake.models.inception, cls.__name__, cls)
    fake.models.inception_v3 = lambda weights=None, init_weights=False, **kw: Inception3(**kw)
    saved = {k: sys.modules.get(k) for k in ("torchvision", "pytorch_fid.inception")}
    sys.modules["torchvision"] = fake
    sys.modules.pop("pytorch_fid.inception", None)
    try:
        module = importlib.import_module("pytorch_fid.inception")
    finally:
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    module.load_state_dict_from_url = lambda *args, **kwargs: None
    return module


def _randomize(model, seed):
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if not tensor.is_floating_point():
                continue
            shape = tensor.shape
            if name.endswith("conv.weight"):
                fan_in = shape[1] * shape[2] * shape[3]
                value = torch.randn(shape, generator=generator) * (2.0 / fan_in) ** 0.5
            elif name.endswith("running_var") or name.endswith("bn.weight"):
                value = 0.5 + torch.rand(shape, generator=generator)
            else:  # biases, running means, fc
                value = 0.1 * torch.randn(shape, generator=generator)
            tensor.copy_(value)


@pytest.fixture(scope="module")
def reference():
    module = _pytorch_fid_inception_module()
    Inception3.built.clear()
    torch.manual_seed(0)
    wrapper = module.InceptionV3(
        output_blocks=(0, 1, 2, 3), resize_input=False, normalize_input=False
    ).eval()
    (inception,) = Inception3.built
    _randomize(inception, seed=0)
    return module, wrapper, inception.state_dict()


def _relative_error(a, b):
    return float(np.max(np.abs(a - b)) / (np.max(np.abs(b)) + 1e-12))


@slow_on_jax
def test_blocks_match_pytorch_fid(reference):
    _, wrapper, state_dict = reference
    # 139x139 leaves 3x3 maps in the last blocks (75x75 would leave 1x1, where
    # Mixed_7c's max-pool patch and the pools' padding rule are invisible).
    model = FIDInceptionV3.from_pytorch_fid(state_dict, input_shape=(139, 139, 3))
    images = np.random.default_rng(0).uniform(-1, 1, size=(2, 139, 139, 3)).astype("float32")
    with torch.no_grad():
        expected = wrapper(torch.from_numpy(images.transpose(0, 3, 1, 2)))
    expected = [e.numpy().transpose(0, 2, 3, 1) for e in expected]
    expected[3] = expected[3].reshape(2, 2048)
    assert tuple(model.get_layer("Mixed_7c").output.shape) == (None, 3, 3, 2048)
    names = ("maxpool1", "maxpool2", "Mixed_6e", "avgpool")
    probe = keras.Model(model.input, [model.get_layer(n).output for n in names])
    got = [keras.ops.convert_to_numpy(g) for g in probe(images, training=False)]
    for index, (g, e) in enumerate(zip(got, expected)):
        assert g.shape == e.shape, f"block {index}"
        assert _relative_error(g, e) < 1e-4, f"block {index}: {_relative_error(g, e)}"
    # The features differ between images (the comparison is not vacuous).
    assert _relative_error(got[3][0], got[3][1]) > 1e-2
    # The model's own output is the block-3 features.
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(model(images)), got[3], rtol=1e-5, atol=1e-6
    )


@slow_on_jax
def test_loads_pth_and_npz_files_and_checks_keys(reference, tmp_path):
    _, _, state_dict = reference
    torch.save(state_dict, tmp_path / "weights.pth")
    np.savez(tmp_path / "weights.npz", **{k: v.numpy() for k, v in state_dict.items()})
    a = FIDInceptionV3.from_pytorch_fid(
        str(tmp_path / "weights.pth"), input_shape=(75, 75, 3), include_logits=True
    )
    b = FIDInceptionV3.from_pytorch_fid(tmp_path / "weights.npz", input_shape=(75, 75, 3))
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(b.get_layer("Mixed_7c_branch_pool_conv").kernel),
        state_dict["Mixed_7c.branch_pool.conv.weight"].numpy().transpose(2, 3, 1, 0),
    )
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(a.get_layer("fc").kernel), state_dict["fc.weight"].numpy().T
    )
    broken = dict(state_dict)
    del broken["Mixed_6b.branch7x7_2.bn.running_var"]
    with pytest.raises(ValueError, match=r"no 'Mixed_6b.branch7x7_2.bn.running_var'"):
        a.load_pytorch_fid_state_dict(broken)
    extra = dict(state_dict, **{"Mixed_8a.conv.weight": np.zeros(1)})
    with pytest.raises(ValueError, match="Mixed_8a"):
        a.load_pytorch_fid_state_dict(extra)


def test_resize_matches_pytorch_fid_preprocessing():
    """FeatureExtractor's bilinear resize equals pytorch-fid's F.interpolate."""
    images = np.random.default_rng(1).uniform(0, 1, size=(2, 32, 32, 3)).astype("float32")
    identity = FeatureExtractor(lambda x: x, image_size=(299, 299), value_range=(0, 1))
    got = keras.ops.convert_to_numpy(identity.preprocess(images))
    with torch.no_grad():
        x = F.interpolate(
            torch.from_numpy(images.transpose(0, 3, 1, 2)),
            size=(299, 299),
            mode="bilinear",
            align_corners=False,
        )
        expected = (2 * x - 1).numpy().transpose(0, 2, 3, 1)
    # Our resize weights are float64-exact then rounded; torch derives them in
    # float32: differences of a few 1e-6 on values in [-1, 1].
    np.testing.assert_allclose(got, expected, atol=1e-5)
    # Without the half-pixel centres (TF1's legacy resize) it would be far off.
    legacy = FeatureExtractor(
        lambda x: x, image_size=(299, 299), value_range=(0, 1), resize_method="tf1_bilinear"
    )
    assert np.abs(keras.ops.convert_to_numpy(legacy.preprocess(images)) - expected).max() > 0.05


def test_input_shape_errors():
    with pytest.raises(ValueError, match=r"Received: input_shape=\(64, 64, 3\)"):
        FIDInceptionV3(input_shape=(64, 64, 3))
    with pytest.raises(ValueError, match="path_or_state_dict"):
        FIDInceptionV3.from_pytorch_fid(42)
