"""`LinearDecay`: constant, then linearly to zero."""

import keras
import numpy as np
import pytest

from keras_gan_kit.optimizers import LinearDecay


def test_values_follow_the_reference_schedule():
    schedule = LinearDecay(2e-4, constant_steps=100, decay_steps=50)
    steps = np.array([0, 50, 100, 125, 150, 1000])
    values = [float(keras.ops.convert_to_numpy(schedule(s))) for s in steps]
    np.testing.assert_allclose(values, [2e-4, 2e-4, 2e-4, 1e-4, 0.0, 0.0], atol=1e-10)


def test_drives_an_optimizer_and_round_trips():
    schedule = LinearDecay(0.1, constant_steps=1, decay_steps=2)
    variable = keras.Variable(1.0)
    optimizer = keras.optimizers.SGD(schedule)
    for _ in range(4):
        optimizer.apply([keras.ops.ones(())], [variable])
    # Updates of 0.1 (step 0), 0.1 (step 1), 0.05 (step 2), 0 (step 3).
    np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), 0.75, atol=1e-6)
    restored = keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    assert restored.learning_rate is not None
    assert LinearDecay.from_config(schedule.get_config()).get_config() == schedule.get_config()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"initial_learning_rate": 0, "constant_steps": 1, "decay_steps": 1}, "initial_learning"),
        (
            {"initial_learning_rate": 1e-3, "constant_steps": -1, "decay_steps": 1},
            "constant_steps=-1",
        ),
        ({"initial_learning_rate": 1e-3, "constant_steps": 0, "decay_steps": 0}, "decay_steps=0"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LinearDecay(**kwargs)
