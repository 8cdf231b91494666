import numpy as np
import pytest

from keras_gan_kit.metrics import FeatureStatistics, fid_from_features, frechet_distance


def reference_fid(x, y):
    """Straightforward FID with scipy.linalg.sqrtm (as pytorch-fid)."""
    scipy_linalg = pytest.importorskip("scipy.linalg")
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    covmean = scipy_linalg.sqrtm(s1 @ s2)
    covmean = np.real(covmean)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def random_features(n, d, seed, shift=0.0):
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(d, d)) / np.sqrt(d)
    return rng.normal(size=(n, d)) @ mixing + shift


def test_identical_sets_give_zero():
    x = random_features(500, 16, 0)
    assert fid_from_features(x, x) == pytest.approx(0.0, abs=1e-9)


def test_closed_form_for_diagonal_covariances():
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([0.5, -1.0, 0.0])
    s1, s2 = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    expected = np.sum((mu1 - mu2) ** 2) + np.sum(s1 + s2 - 2 * np.sqrt(s1 * s2))
    got = frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2))
    assert got == pytest.approx(expected, rel=1e-12)


def test_closed_form_for_commuting_non_diagonal_covariances():
    rng = np.random.default_rng(1)
    q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    s1, s2 = rng.uniform(0.1, 3, 5), rng.uniform(0.1, 3, 5)
    got = frechet_distance(np.zeros(5), q @ np.diag(s1) @ q.T, np.ones(5), q @ np.diag(s2) @ q.T)
    assert got == pytest.approx(5 + np.sum(s1 + s2 - 2 * np.sqrt(s1 * s2)), rel=1e-10)


@pytest.mark.parametrize("shift", [0.0, 0.3, 2.0])
def test_matches_scipy_sqrtm_reference(shift):
    x = random_features(400, 12, 2)
    y = random_features(300, 12, 3, shift=shift) * 1.3
    assert fid_from_features(x, y) == pytest.approx(reference_fid(x, y), rel=1e-6)


def test_singular_covariance_is_finite_and_close_to_reference():
    # Fewer samples than features: both covariances are singular.
    x = random_features(20, 40, 4)
    y = random_features(25, 40, 5, shift=0.1)
    got = fid_from_features(x, y)
    assert np.isfinite(got) and got > 0
    assert got == pytest.approx(reference_fid(x, y), rel=1e-4)
    # Rank-deficient zero covariance against itself.
    assert frechet_distance(np.zeros(3), np.zeros((3, 3)), np.zeros(3), np.zeros((3, 3))) == 0.0


def test_is_symmetric():
    x, y = random_features(200, 8, 6), random_features(200, 8, 7, shift=0.5)
    assert fid_from_features(x, y) == pytest.approx(fid_from_features(y, x), rel=1e-9)


@pytest.mark.parametrize(
    "real, fake, match",
    [
        (np.zeros((10, 3)), np.zeros((10, 4)), "same feature dimension"),
        (
            np.zeros((1, 3)),
            np.zeros((10, 3)),
            r"at least 2 samples\. Received: real.shape=\(1, 3\)",
        ),
        (np.zeros(10), np.zeros((10, 1)), "must be 2-D"),
        (np.full((4, 2), np.nan), np.zeros((4, 2)), "NaN"),
    ],
)
def test_fid_input_errors(real, fake, match):
    with pytest.raises(ValueError, match=match):
        fid_from_features(real, fake)


def test_frechet_distance_input_errors():
    with pytest.raises(ValueError, match="sigma1.shape"):
        frechet_distance(np.zeros(3), np.eye(2), np.zeros(3), np.eye(3))
    with pytest.raises(ValueError, match="same dimension"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(2), np.eye(2))
    with pytest.raises(ValueError, match="symmetric"):
        frechet_distance(np.zeros(2), np.array([[1.0, 0.5], [0.0, 1.0]]), np.zeros(2), np.eye(2))


def test_feature_statistics_matches_one_shot():
    # A large mean makes naive sum / sum-of-squares accumulation lose digits.
    x = random_features(1000, 6, 8, shift=1e4)
    stats = FeatureStatistics()
    for batch in np.array_split(x, [1, 7, 300, 301, 650]):
        stats.update(batch)
    assert stats.count == 1000
    np.testing.assert_allclose(stats.mean, x.mean(0), rtol=1e-13)
    np.testing.assert_allclose(stats.covariance, np.cov(x, rowvar=False), rtol=1e-9, atol=1e-9)
    other = FeatureStatistics.from_features(random_features(500, 6, 9, shift=1e4))
    assert stats.frechet_distance(other) == pytest.approx(
        frechet_distance(x.mean(0), np.cov(x, rowvar=False), other.mean, other.covariance),
        rel=1e-9,
    )


def test_feature_statistics_save_load_round_trip(tmp_path):
    x = random_features(100, 5, 10)
    stats = FeatureStatistics.from_features(x)
    path = stats.save(tmp_path / "sub" / "stats.npz")
    restored = FeatureStatistics.load(path)
    assert restored.count == 100
    np.testing.assert_array_equal(restored.mean, stats.mean)
    np.testing.assert_allclose(restored.covariance, stats.covariance, rtol=1e-15)
    # A restored object keeps accumulating correctly.
    y = random_features(50, 5, 11)
    restored.update(y)
    np.testing.assert_allclose(
        restored.covariance, np.cov(np.concatenate([x, y]), rowvar=False), rtol=1e-12
    )


def test_feature_statistics_loads_pytorch_fid_files(tmp_path):
    x = random_features(100, 4, 12)
    np.savez(tmp_path / "ref.npz", mu=x.mean(0), sigma=np.cov(x, rowvar=False))
    stats = FeatureStatistics.load(tmp_path / "ref.npz")
    assert stats.count is None
    assert stats.frechet_distance(FeatureStatistics.from_features(x)) == pytest.approx(0, abs=1e-9)
    with pytest.raises(ValueError, match="without a sample count"):
        stats.update(x)


def test_feature_statistics_errors(tmp_path):
    stats = FeatureStatistics().update(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"Expected batches of 4 features. Received: batch.shape"):
        stats.update(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="count=1"):
        _ = FeatureStatistics().update(np.zeros((1, 4))).covariance
    with pytest.raises(ValueError, match="num_features"):
        FeatureStatistics(num_features=0)
    with pytest.raises(ValueError, match=r"end with '.npz'"):
        stats.save(tmp_path / "x.txt")
    with pytest.raises(ValueError, match="No statistics file"):
        FeatureStatistics.load(tmp_path / "missing.npz")
    np.savez(tmp_path / "bad.npz", mean=np.zeros(2))
    with pytest.raises(ValueError, match="'mu' and 'sigma'"):
        FeatureStatistics.load(tmp_path / "bad.npz")
