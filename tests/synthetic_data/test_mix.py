import numpy as np
import pytest

from keras_gan_kit import synthetic_data


def real_and_synthetic(n_real=30, n_syn=40):
    """Real samples have x >= 0, synthetic x < 0: the source of every row is known."""
    rng = np.random.default_rng(0)
    x_real = rng.uniform(0, 1, (n_real, 3)).astype("float32")
    x_syn = -rng.uniform(0.1, 1, (n_syn, 3)).astype("float32")
    return (x_real, np.arange(n_real) % 3), (x_syn, np.arange(n_syn) % 3)


@pytest.mark.parametrize("fraction, n_syn", [(0.25, 10), (0.5, 30), (0.0, 0), (0.2, 8)])
def test_mix_ratio_is_exact(fraction, n_syn):
    real, synthetic = real_and_synthetic()
    x, y = synthetic_data.mix(real, synthetic, synthetic_fraction=fraction, seed=0)
    is_synthetic = x[:, 0] < 0
    assert len(x) == 30 + n_syn and is_synthetic.sum() == n_syn
    if n_syn:
        assert is_synthetic.mean() == pytest.approx(fraction, abs=0.5 / len(x))
    # every real sample kept once; the synthetic ones are the first n_syn, with their labels
    np.testing.assert_array_equal(np.sort(x[~is_synthetic], axis=0), np.sort(real[0], axis=0))
    np.testing.assert_array_equal(
        np.sort(x[is_synthetic], axis=0), np.sort(synthetic[0][:n_syn], axis=0)
    )
    row = {
        tuple(v): label
        for v, label in zip(np.concatenate([real[0], synthetic[0]]), [*real[1], *synthetic[1]])
    }
    assert all(row[tuple(v)] == label for v, label in zip(x, y))


def test_mix_options():
    real, synthetic = real_and_synthetic(10, 20)
    x, y = synthetic_data.mix(real, synthetic, shuffle=False)  # all synthetic, real first
    assert len(x) == 30 and np.all(x[:10] >= 0) and np.all(x[10:] < 0)
    x, y = synthetic_data.mix(real, synthetic, synthetic_fraction=1.0)
    assert len(x) == 20 and np.all(x < 0)
    one_hot_real = (real[0], np.eye(3, dtype="float32")[real[1]])
    x, y = synthetic_data.mix(one_hot_real, synthetic, synthetic_fraction=0.5, one_hot=True, seed=1)
    assert y.shape == (20, 3) and y.dtype == np.float32
    x2, y2 = synthetic_data.mix(real, synthetic, synthetic_fraction=0.5, seed=1)
    np.testing.assert_array_equal(y.argmax(axis=1), y2)
    np.testing.assert_array_equal(x, x2)
    _, y = synthetic_data.mix(real, synthetic, one_hot=True, num_classes=5)
    assert y.shape == (30, 5)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"synthetic_fraction": 1.5}, r"in \[0, 1\]. Received: synthetic_fraction=1.5"),
        ({"synthetic_fraction": -0.1}, "Received: synthetic_fraction=-0.1"),
        ({"synthetic_fraction": "half"}, "Received: synthetic_fraction='half'"),
        ({"synthetic_fraction": 0.9}, "needs 90 synthetic samples. Received: 40"),
        ({"num_classes": 2, "one_hot": True}, "beyond num_classes=2"),
        ({"seed": "x"}, "Received: seed='x'"),
    ],
)
def test_mix_errors(kwargs, match):
    real, synthetic = real_and_synthetic(10, 40)
    with pytest.raises(ValueError, match=match):
        synthetic_data.mix(real, synthetic, **kwargs)


def test_mix_shape_errors():
    real, synthetic = real_and_synthetic(10, 40)
    with pytest.raises(ValueError, match="must be a pair"):
        synthetic_data.mix(real[0], synthetic)
    with pytest.raises(ValueError, match="same shape"):
        synthetic_data.mix(real, (synthetic[0][:, :2], synthetic[1]))
    with pytest.raises(ValueError, match="expected 10, received 9"):
        synthetic_data.mix((real[0], real[1][:9]), synthetic)
    with pytest.raises(ValueError, match="integer class ids"):
        synthetic_data.mix((real[0], real[1] + 0.5), synthetic)


def test_tf_dataset_matches_numpy():
    pytest.importorskip("tensorflow")
    real, synthetic = real_and_synthetic()
    x, y = synthetic_data.mix(real, synthetic, synthetic_fraction=0.5, seed=0)
    dataset = synthetic_data.to_tf_dataset(x, y, batch_size=16)
    batches = list(dataset.as_numpy_iterator())
    assert [len(b[0]) for b in batches] == [16, 16, 16, 12]
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), x)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), y)
    shuffled = synthetic_data.to_tf_dataset(x, batch_size=7, shuffle=True, seed=3)
    order = np.random.default_rng(3).permutation(len(x))
    np.testing.assert_array_equal(np.concatenate(list(shuffled.as_numpy_iterator())), x[order])
    with pytest.raises(ValueError, match="Received: len\\(x\\)=60, len\\(y\\)=3"):
        synthetic_data.to_tf_dataset(x, y[:3])
