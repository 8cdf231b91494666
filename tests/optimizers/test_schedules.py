"""`CosineSchedule` and `LinearSchedule` against R3GAN's reference ramp and Keras' CosineDecay."""

import keras
import numpy as np
import pytest

from keras_gan_kit.optimizers import CosineSchedule, LinearSchedule
from tests.test_case import assert_serialization_round_trip


def r3gan_cosine(cur_nimg, base_value, total_nimg, final_value=0.0, hold_base_value_nimg=0):
    """`cosine_decay_with_warmup` of brownvc/R3GAN's training_loop.py, without warm-up."""
    ramp = float(total_nimg - hold_base_value_nimg)
    decay = 0.5 * (1 + np.cos(np.pi * (cur_nimg - hold_base_value_nimg) / ramp))
    cur_value = base_value + (1 - decay) * (final_value - base_value)
    if hold_base_value_nimg > 0:
        cur_value = np.where(cur_nimg > hold_base_value_nimg, cur_value, base_value)
    return float(np.where(cur_nimg > total_nimg, final_value, cur_value))


def values(schedule, steps):
    return np.array([float(keras.ops.convert_to_numpy(schedule(t))) for t in steps])


# R3GAN's CIFAR-10 ramps over 20M images (train.py), at images seen
R3GAN_CIFAR10 = [
    ("lr", 2e-4, 5e-5),
    ("beta2", 0.9, 0.99),
    ("gamma", 0.05, 0.005),
    ("ema_nimg", 0.0, 5e6),
]
IMAGES = [0, 512, 1e6, 5e6, 1e7, 1.5e7, 2e7 - 512, 2e7, 3e7]


def test_cosine_matches_r3gan_reference():
    for name, base, final in R3GAN_CIFAR10:
        schedule = CosineSchedule(base, final, steps=2e7)
        expected = [r3gan_cosine(t, base, 2e7, final) for t in IMAGES]
        np.testing.assert_allclose(
            values(schedule, IMAGES), expected, rtol=1e-5, atol=1e-7 * final, err_msg=name
        )


def test_cosine_with_start_step_holds_then_ramps():
    schedule = CosineSchedule(1.0, 3.0, steps=10, start_step=5)
    steps = [0, 5, 7.5, 10, 12.5, 15, 40]
    expected = [r3gan_cosine(t, 1.0, 15, 3.0, hold_base_value_nimg=5) for t in steps]
    np.testing.assert_allclose(values(schedule, steps), expected, rtol=1e-6)
    np.testing.assert_allclose(values(schedule, [10]), [2.0], rtol=1e-6)  # half-way


def test_falling_cosine_equals_keras_cosine_decay():
    ours = CosineSchedule(2e-4, 5e-5, steps=1000)
    theirs = keras.optimizers.schedules.CosineDecay(2e-4, 1000, alpha=0.25)
    steps = [0, 1, 250, 500, 999, 1000, 5000]
    np.testing.assert_allclose(values(ours, steps), values(theirs, steps), rtol=1e-5)


def test_linear_closed_form():
    schedule = LinearSchedule(0.9, 0.99, steps=100, start_step=20)
    steps = [0, 20, 45, 70, 120, 10**6]
    np.testing.assert_allclose(
        values(schedule, steps), [0.9, 0.9, 0.9225, 0.945, 0.99, 0.99], rtol=1e-6
    )


def test_schedules_drive_a_keras_optimizer():
    """As `learning_rate`: SGD steps of lr(t) at t = 0, 1, 2, 3 (lr 0.1 -> 0.3 linearly)."""
    variable = keras.Variable(0.0)
    optimizer = keras.optimizers.SGD(LinearSchedule(0.1, 0.3, steps=2))
    for _ in range(4):
        optimizer.apply([keras.ops.ones(())], [variable])
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(variable), -(0.1 + 0.2 + 0.3 + 0.3), rtol=1e-6
    )
    restored = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    assert type(restored._learning_rate) is LinearSchedule


def test_round_trip():
    for schedule in (
        CosineSchedule(0.05, 0.005, 39_062),
        LinearSchedule(1.0, 0.0, 10, start_step=3, name="x"),
    ):
        restored = assert_serialization_round_trip(schedule)
        np.testing.assert_allclose(values(restored, [0, 5, 10**5]), values(schedule, [0, 5, 10**5]))


BAD_ARGUMENTS = [
    ({"steps": 0}, "steps=0"),
    ({"steps": float("inf")}, "steps=inf"),
    ({"initial_value": float("nan")}, "initial_value=nan"),
    ({"final_value": "0.1"}, "final_value='0.1'"),
    ({"start_step": -1}, "start_step=-1"),
]


def test_bad_arguments():
    for kwargs, match in BAD_ARGUMENTS:
        arguments = {"initial_value": 1.0, "final_value": 0.0, "steps": 10, **kwargs}
        for cls in (CosineSchedule, LinearSchedule):
            with pytest.raises(ValueError, match=match):
                cls(**arguments)
