import keras
import numpy as np
import pytest

from keras_gan_kit.optimizers import OptimizerGroup


def two_layers():
    a, b = keras.layers.Dense(2), keras.layers.Dense(3)
    a.build((None, 2))
    b.build((None, 2))
    return a, b


def test_apply_routes_gradients_to_members():
    a, b = two_layers()
    group = OptimizerGroup({"a": keras.optimizers.SGD(1.0), "b": keras.optimizers.SGD(0.0)})
    group.build_members({"a": a.trainable_variables, "b": b.trainable_variables})
    a0 = keras.ops.convert_to_numpy(a.kernel).copy()
    b0 = keras.ops.convert_to_numpy(b.kernel).copy()
    variables = a.trainable_variables + b.trainable_variables
    grads = [keras.ops.ones(v.shape) for v in variables]
    group.apply(grads, variables)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(a.kernel), a0 - 1.0)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(b.kernel), b0)
    assert int(keras.ops.convert_to_numpy(group.iterations)) == 1
    assert int(keras.ops.convert_to_numpy(group["a"].iterations)) == 1


def test_variables_are_own_then_members_in_order():
    a, b = two_layers()
    opt_a, opt_b = keras.optimizers.Adam(), keras.optimizers.Adam()
    group = OptimizerGroup({"a": opt_a, "b": opt_b})
    group.build_members({"a": a.trainable_variables, "b": b.trainable_variables})
    own = group.variables[: len(group.variables) - len(opt_a.variables) - len(opt_b.variables)]
    assert [id(v) for v in group.variables] == [
        id(v) for v in own + opt_a.variables + opt_b.variables
    ]
    assert group.built


def test_errors():
    opt = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="same instance twice"):
        OptimizerGroup({"a": opt, "b": opt})
    with pytest.raises(ValueError, match="not a keras optimizer"):
        OptimizerGroup({"a": "adam"})
    with pytest.raises(ValueError, match="non-empty dict"):
        OptimizerGroup({})
    group = OptimizerGroup({"a": keras.optimizers.Adam()})
    with pytest.raises(ValueError, match="one variable list per member"):
        group.build_members({"b": []})
    a, _ = two_layers()
    group.build_members({"a": a.trainable_variables})
    stray = keras.Variable(np.zeros(2, "float32"))
    with pytest.raises(ValueError, match="belongs to no member"):
        group.apply([keras.ops.ones(2)], [stray])


def test_config_round_trip():
    group = OptimizerGroup(
        {
            "d": keras.optimizers.Adam(1e-3, beta_1=0.5),
            "g": keras.optimizers.RMSprop(5e-4),
        }
    )
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(group))
    assert isinstance(restored, OptimizerGroup)
    assert isinstance(restored["g"], keras.optimizers.RMSprop)
    assert restored["d"].beta_1 == 0.5
    np.testing.assert_allclose(float(keras.ops.convert_to_numpy(restored["g"].learning_rate)), 5e-4)
