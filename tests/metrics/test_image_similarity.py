import keras
import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view

from keras_gan_kit import metrics
from keras_gan_kit.metrics import image_similarity


def random_pair(shape=(4, 24, 20, 3), noise=0.2, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, shape).astype("float32")
    b = np.clip(a + rng.normal(0, noise, shape), -1, 1).astype("float32")
    return a, b


def reference_ssim(a, b, low=-1.0, high=1.0, size=11, sigma=1.5):
    """Direct 2-D Gaussian-window SSIM (Wang et al. 2004), one image at a time."""
    x = np.arange(size) - (size - 1) / 2
    g = np.exp(-(x**2) / (2 * sigma**2))
    window = np.outer(g, g) / np.outer(g, g).sum()
    c1, c2 = 0.01**2, 0.03**2
    values = []
    for img_a, img_b in zip(a, b):
        per_channel = []
        for c in range(img_a.shape[-1]):
            p = (img_a[..., c].astype("float64") - low) / (high - low)
            q = (img_b[..., c].astype("float64") - low) / (high - low)
            wp, wq = sliding_window_view(p, (size, size)), sliding_window_view(q, (size, size))
            mean = lambda v: np.einsum("ijkl,kl->ij", v, window)  # noqa: E731
            mp, mq = mean(wp), mean(wq)
            vp, vq = mean(wp * wp) - mp**2, mean(wq * wq) - mq**2
            cov = mean(wp * wq) - mp * mq
            s = ((2 * mp * mq + c1) * (2 * cov + c2)) / ((mp**2 + mq**2 + c1) * (vp + vq + c2))
            per_channel.append(s.mean())
        values.append(np.mean(per_channel))
    return np.array(values)


def test_identical_images():
    a, _ = random_pair()
    assert metrics.l1_distance(a, a) == 0.0
    assert metrics.psnr(a, a) == np.inf
    assert np.all(np.isinf(metrics.psnr(a, a, reduction=None)))
    np.testing.assert_allclose(metrics.ssim(a, a), 1.0, atol=1e-12)
    np.testing.assert_allclose(metrics.ssim(a, a, reduction=None), np.ones(4), atol=1e-12)


def test_l1_matches_numpy_per_image_and_mean():
    a, b = random_pair()
    expected = np.abs(a.astype("float64") - b).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(metrics.l1_distance(a, b, reduction=None), expected, rtol=1e-12)
    np.testing.assert_allclose(metrics.l1_distance(a, b), expected.mean(), rtol=1e-12)


def test_psnr_closed_form():
    # +-0.1 checkerboard error: MSE = 0.01 exactly
    a = np.zeros((2, 8, 8, 3))
    sign = np.where(np.indices((8, 8)).sum(0) % 2 == 0, 1.0, -1.0)[None, :, :, None]
    b = a + 0.1 * sign
    b[1] *= 2  # MSE 0.04 for the second image
    values = metrics.psnr(a, b, reduction=None)
    np.testing.assert_allclose(values, [10 * np.log10(4 / 0.01), 10 * np.log10(4 / 0.04)])
    np.testing.assert_allclose(metrics.psnr(a, b), values.mean())
    # 8-bit images: R = 255
    np.testing.assert_allclose(
        metrics.psnr(a * 0, np.full((2, 8, 8, 3), 5.0), value_range=(0, 255)),
        10 * np.log10(255**2 / 25),
    )


def test_ssim_of_constant_images_is_the_luminance_term():
    # no variance: SSIM = (2 x y + C1) / (x^2 + y^2 + C1) with x, y mapped to [0, 1]
    a = np.full((1, 16, 16, 3), 0.5)
    b = np.full((1, 16, 16, 3), -0.6)
    x, y, c1 = 0.75, 0.2, 0.01**2
    np.testing.assert_allclose(metrics.ssim(a, b), (2 * x * y + c1) / (x * x + y * y + c1))


def test_ssim_matches_direct_reference():
    a, b = random_pair(shape=(3, 19, 23, 2))
    np.testing.assert_allclose(
        metrics.ssim(a, b, reduction=None), reference_ssim(a, b), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(
        metrics.ssim(a, b, window_size=7, sigma=1.0, reduction=None),
        reference_ssim(a, b, size=7, sigma=1.0),
        rtol=1e-10,
    )


def test_ssim_is_independent_of_the_value_range_encoding():
    a, b = random_pair()
    a255, b255 = (a + 1) * 127.5, (b + 1) * 127.5
    np.testing.assert_allclose(metrics.ssim(a255, b255, value_range=(0, 255)), metrics.ssim(a, b))
    np.testing.assert_allclose(metrics.psnr(a255, b255, value_range=(0, 255)), metrics.psnr(a, b))


def test_ssim_properties():
    a, b = random_pair(noise=0.1)
    _, c = random_pair(noise=0.5)
    np.testing.assert_allclose(metrics.ssim(a, b), metrics.ssim(b, a), rtol=1e-12)
    assert metrics.ssim(a, b) > metrics.ssim(a, c)
    assert np.all(metrics.ssim(a, c, reduction=None) <= 1.0)
    assert metrics.psnr(a, b) > metrics.psnr(a, c)


def test_chunking_gives_the_same_values(monkeypatch):
    a, b = random_pair(shape=(9, 16, 16, 3))
    full = [f(a, b, reduction=None) for f in (metrics.l1_distance, metrics.psnr, metrics.ssim)]
    monkeypatch.setattr(image_similarity, "_CHUNK_VALUES", 1000)  # 1 image per chunk
    for f, expected in zip((metrics.l1_distance, metrics.psnr, metrics.ssim), full):
        np.testing.assert_allclose(f(a, b, reduction=None), expected, rtol=1e-12)


def test_backend_tensors_and_uint8_are_accepted():
    a, b = random_pair()
    expected = metrics.ssim(a, b)
    got = metrics.ssim(keras.ops.convert_to_tensor(a), keras.ops.convert_to_tensor(b))
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    a8, b8 = np.round((a + 1) * 127.5).astype("uint8"), np.round((b + 1) * 127.5).astype("uint8")
    assert 0 < metrics.psnr(a8, b8, value_range=(0, 255)) < np.inf  # no uint8 wrap-around
    np.testing.assert_allclose(
        metrics.l1_distance(a8, b8),
        np.abs(a8.astype(float) - b8).mean(),
    )


def test_against_tensorflow():
    tf = pytest.importorskip("tensorflow")
    a, b = random_pair(shape=(5, 32, 36, 3))
    np.testing.assert_allclose(
        metrics.ssim(a, b, reduction=None),
        tf.image.ssim((a + 1) / 2, (b + 1) / 2, max_val=1.0).numpy(),
        atol=2e-6,
    )
    np.testing.assert_allclose(
        metrics.psnr(a, b, reduction=None), tf.image.psnr(a, b, max_val=2.0).numpy(), rtol=1e-5
    )


@pytest.mark.parametrize("fn", [metrics.l1_distance, metrics.psnr, metrics.ssim])
def test_shape_errors(fn):
    a, b = random_pair()
    with pytest.raises(ValueError, match=r"same shape.*a.shape=\(4, 24, 20, 3\)"):
        fn(a, b[:, :-1])
    with pytest.raises(ValueError, match=r"must be 4-D.*a.shape=\(24, 20, 3\)"):
        fn(a[0], b[0])
    with pytest.raises(ValueError, match="reduction='sum'"):
        fn(a, b, reduction="sum")


@pytest.mark.parametrize("value_range", [(1, 1), (1, -1), (0, np.inf), "ab", (0,), None])
def test_bad_value_range(value_range):
    a, b = random_pair()
    for fn in (metrics.psnr, metrics.ssim):
        with pytest.raises(ValueError, match="value_range"):
            fn(a, b, value_range=value_range)


def test_ssim_argument_errors():
    a, b = random_pair(shape=(2, 8, 12, 3))
    with pytest.raises(ValueError, match=r"at least `window_size` \(11\).*a.shape=\(2, 8, 12, 3\)"):
        metrics.ssim(a, b)
    assert np.isfinite(metrics.ssim(a, b, window_size=7))
    with pytest.raises(ValueError, match="window_size=0"):
        metrics.ssim(a, b, window_size=0)
    with pytest.raises(ValueError, match="sigma=0"):
        metrics.ssim(a, b, window_size=3, sigma=0)
