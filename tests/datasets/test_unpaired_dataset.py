"""`UnpairedDataset`: epoch length, independent shuffles, cycling the shorter set."""

import numpy as np
import pytest

from keras_gan_kit.datasets import UnpairedDataset


def test_epoch_covers_the_longer_set_and_cycles_the_shorter():
    a = np.arange(7, dtype="float32")[:, None]
    b = 100 + np.arange(3, dtype="float32")[:, None]
    data = UnpairedDataset(a, b, batch_size=2, seed=0)
    assert len(data) == 4
    batches = [data[i] for i in range(len(data))]
    seen_a = np.concatenate([x for x, _ in batches])[:, 0]
    seen_b = np.concatenate([y for _, y in batches])[:, 0]
    assert sorted(seen_a) == list(range(7))  # each A image once
    assert len(seen_b) == 7 and set(seen_b) == {100, 101, 102}  # B cycled
    first = seen_a.copy()
    data.on_epoch_end()
    again = np.concatenate([data[i][0] for i in range(len(data))])[:, 0]
    assert sorted(again) == list(range(7)) and not np.array_equal(again, first)


def test_without_shuffle_order_is_sequential():
    data = UnpairedDataset(np.arange(4)[:, None], np.arange(2)[:, None], shuffle=False)
    assert [int(data[i][1][0, 0]) for i in range(4)] == [0, 1, 0, 1]
    with pytest.raises(IndexError):
        data[4]


def test_bad_arguments():
    with pytest.raises(ValueError, match="images_b"):
        UnpairedDataset(np.zeros((2, 1)), np.zeros((0, 1)))
    with pytest.raises(ValueError, match="Received: batch_size=0"):
        UnpairedDataset(np.zeros((2, 1)), np.zeros((2, 1)), batch_size=0)
