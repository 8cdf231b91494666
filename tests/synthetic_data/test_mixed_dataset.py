import keras
import numpy as np
import pytest

from keras_gan_kit import synthetic_data
from tests.synthetic_data.toy_models import label_gan, real_points
from tests.test_case import small_gan

REAL_X1 = 5.0  # real samples sit at x1 = 5, synthetic ones near x1 = 0


def dataset(**kwargs):
    x, y = real_points(50, x1=REAL_X1, noise=0.01)
    kwargs = {"synthetic_fraction": 0.25, "batch_size": 8, "seed": 0, **kwargs}
    return synthetic_data.MixedDataset(label_gan(noise=0.05), x, y, **kwargs), x, y


def test_batches_have_the_ratio_and_every_real_sample_once():
    ds, x, y = dataset()
    assert (ds.num_real, ds.num_synthetic) == (6, 2)
    assert len(ds) == 9  # ceil(50 / 6)
    seen_real, synthetic_labels = [], []
    for i in range(len(ds)):
        xb, yb = ds[i]
        is_real = xb[:, 1] > REAL_X1 / 2
        expected = (6, 2) if i < 8 else (2, 1)  # last batch: 2 real, round(2 * 2 / 6) synthetic
        assert (is_real.sum(), (~is_real).sum()) == expected
        assert np.all(is_real[: expected[0]])  # real first
        seen_real.append(xb[is_real])
        np.testing.assert_array_equal(np.round(xb[:, 0]), yb)  # labels match the samples
        synthetic_labels.append(yb[~is_real])
    np.testing.assert_array_equal(np.sort(np.concatenate(seen_real), axis=0), np.sort(x, axis=0))
    np.testing.assert_array_equal(np.bincount(np.concatenate(synthetic_labels)), [9, 8])


def test_fresh_synthetic_samples_each_epoch():
    ds, _, _ = dataset()
    first = [ds[i] for i in range(len(ds))]
    again = ds[0]
    np.testing.assert_array_equal(again[0], first[0][0])  # same within an epoch
    ds.on_epoch_end()
    second = [ds[i] for i in range(len(ds))]
    syn_1 = np.concatenate([b[0][b[0][:, 1] < 2.5] for b in first])
    syn_2 = np.concatenate([b[0][b[0][:, 1] < 2.5] for b in second])
    assert syn_1.shape == syn_2.shape and not np.any(np.isin(syn_1[:, 0], syn_2[:, 0]))
    assert not np.array_equal(first[0][0][:6], second[0][0][:6])  # real order reshuffled
    # a seeded dataset repeats its sequence of epochs
    ds2, _, _ = dataset()
    np.testing.assert_array_equal(ds2[3][0], first[3][0])


def test_fit_any_classifier_with_it():
    ds, x, y = dataset(one_hot=True, class_weights=[1, 3])
    xb, yb = ds[0]
    assert yb.shape == (8, 2) and yb.dtype == np.float32
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "categorical_crossentropy")
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"][-1])
    assert ds.epoch >= 2  # fit() called on_epoch_end after each epoch (TF: once more)


def test_zero_fraction_is_real_only():
    ds, x, _ = dataset(synthetic_fraction=0.0)
    assert (ds.num_real, ds.num_synthetic, len(ds)) == (8, 0, 7)
    assert sum(len(ds[i][0]) for i in range(len(ds))) == 50


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"synthetic_fraction": 1.0}, r"in \[0, 1\). Received: synthetic_fraction=1.0"),
        ({"synthetic_fraction": 0.1, "batch_size": 2}, "too small for synthetic_fraction=0.1"),
        ({"batch_size": 0}, "Received: batch_size=0"),
        ({"class_weights": [1, 2, 3]}, "one weight per class"),
        ({"filter": 3}, "`filter` must be a callable"),
    ],
)
def test_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        dataset(**kwargs)


def test_data_errors():
    x, y = real_points(10)
    with pytest.raises(ValueError, match="needs a class-conditional GAN"):
        synthetic_data.MixedDataset(small_gan(), x, y)
    with pytest.raises(ValueError, match=r"sample shape \(2,\). Received: x.shape=\(10, 3\)"):
        synthetic_data.MixedDataset(label_gan(), np.zeros((10, 3)), y)
    with pytest.raises(ValueError, match=r"must lie in \[0, 2\)"):
        synthetic_data.MixedDataset(label_gan(), x, y + 1)
