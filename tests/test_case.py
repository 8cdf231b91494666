"""Shared helpers for the test suite (in the spirit of keras-hub's TestCase)."""

from __future__ import annotations

import json

import keras
import numpy as np

import keras_gan_kit as kgk

BACKEND = keras.backend.backend()


def mlp_generator(latent_dim=4, features=2, width=16, output_activation=None):
    return keras.Sequential(
        [
            keras.Input((latent_dim,)),
            keras.layers.Dense(width, activation="relu"),
            keras.layers.Dense(features, activation=output_activation),
        ],
        name="generator",
    )


def mlp_discriminator(features=2, width=16):
    return keras.Sequential(
        [
            keras.Input((features,)),
            keras.layers.Dense(width, activation="relu"),
            keras.layers.Dense(1),
        ],
        name="discriminator",
    )


def conv_generator(latent_dim=8, size=8, channels=1):
    return keras.Sequential(
        [
            keras.Input((latent_dim,)),
            keras.layers.Dense((size // 2) * (size // 2) * 8),
            keras.layers.BatchNormalization(),
            keras.layers.ReLU(),
            keras.layers.Reshape((size // 2, size // 2, 8)),
            keras.layers.Conv2DTranspose(channels, 3, strides=2, padding="same"),
            keras.layers.Activation("tanh"),
        ],
        name="generator",
    )


def conv_discriminator(size=8, channels=1):
    return keras.Sequential(
        [
            keras.Input((size, size, channels)),
            keras.layers.Conv2D(8, 3, strides=2, padding="same"),
            keras.layers.LeakyReLU(0.2),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ],
        name="discriminator",
    )


def toy_points(n=256, seed=0):
    """Points of a 2-D Gaussian in [-1, 1]."""
    rng = np.random.default_rng(seed)
    return np.clip(rng.normal(0.3, 0.2, size=(n, 2)), -1, 1).astype("float32")


def toy_images(n=64, size=8, channels=1, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, size=(n, size, size, channels)).astype("float32")


def small_gan(seed=0, **kwargs):
    return kgk.GAN(mlp_generator(), mlp_discriminator(), seed=seed, **kwargs)


def weights(model):
    """A copy of a model's weights as NumPy arrays."""
    return [np.array(keras.ops.convert_to_numpy(w)) for w in model.weights]


def max_abs_change(before, after):
    return max(float(np.max(np.abs(a - b))) for a, b in zip(before, after))


def assert_serialization_round_trip(obj):
    """`serialize -> deserialize` gives an object with the same config."""
    config = keras.saving.serialize_keras_object(obj)
    restored = keras.saving.deserialize_keras_object(config)
    assert type(restored) is type(obj)
    assert restored.get_config() == obj.get_config()
    return restored


def conditional_mlp_generator(latent_dim=4, num_classes=2, features=2, width=32):
    """`[latents, labels] -> samples`: label embedding concatenated to the latent."""
    latents = keras.Input((latent_dim,))
    labels = keras.Input((), dtype="int32")
    embedded = keras.layers.Embedding(num_classes, 4)(labels)
    x = keras.layers.Concatenate()([latents, embedded])
    x = keras.layers.Dense(width, activation="relu")(x)
    return keras.Model([latents, labels], keras.layers.Dense(features)(x), name="generator")


def conditional_mlp_discriminator(num_classes=2, features=2, width=32):
    """`[samples, labels] -> logit`: a projection discriminator (Miyato & Koyama 2018)."""
    samples = keras.Input((features,))
    labels = keras.Input((), dtype="int32")
    h = keras.layers.Dense(width, activation="relu")(samples)
    projection = keras.layers.Dot(axes=1)([keras.layers.Embedding(num_classes, width)(labels), h])
    logits = keras.layers.Add()([keras.layers.Dense(1)(h), projection])
    return keras.Model([samples, labels], logits, name="discriminator")


def two_class_points(n=1024, seed=0):
    """Class 0 around (-0.5, -0.5), class 1 around (0.5, 0.5)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    centers = np.where(labels[:, None] == 1, 0.5, -0.5)
    return (centers + 0.05 * rng.standard_normal((n, 2))).astype("float32"), labels


def image_generator(channels_in=3, channels_out=3, seed=0):
    """A tiny fully convolutional image-to-image generator (seeded, tanh output)."""
    images = keras.Input((None, None, channels_in))
    x = keras.layers.Conv2D(
        4,
        3,
        padding="same",
        activation="relu",
        kernel_initializer=keras.initializers.GlorotUniform(seed),
    )(images)
    outputs = keras.layers.Conv2D(
        channels_out,
        1,
        activation="tanh",
        kernel_initializer=keras.initializers.GlorotUniform(seed + 1),
    )(x)
    return keras.Model(images, outputs)


def image_discriminator(channels=3, condition_channels=None):
    """A tiny PatchGAN-like critic; with `condition_channels` it takes `[condition, image]`."""
    image = keras.Input((None, None, channels))
    inputs, x = image, image
    if condition_channels:
        condition = keras.Input((None, None, condition_channels))
        inputs = [condition, image]
        x = keras.layers.Concatenate()([condition, image])
    x = keras.layers.Conv2D(4, 3, strides=2, padding="same", activation="relu")(x)
    return keras.Model(inputs, keras.layers.Conv2D(1, 3, padding="same")(x))


# ----------------------------------------------------------------------------------------- #
# Layer / network / saving harness (in the spirit of keras-hub's run_layer_test,
# run_precision_test and run_model_saving_test).
# ----------------------------------------------------------------------------------------- #
def to_numpy(x):
    """A NumPy copy of a tensor, or of every tensor in a list."""
    if isinstance(x, (list, tuple)):
        return [to_numpy(v) for v in x]
    return np.asarray(keras.ops.convert_to_numpy(x))


def _shapes(x):
    return [tuple(v.shape) for v in x] if isinstance(x, (list, tuple)) else tuple(x.shape)


def _inputs_like(data):
    """`keras.Input`s matching arrays (batch dimension left free, dtype kept)."""
    if isinstance(data, (list, tuple)):
        return [_inputs_like(d) for d in data]
    return keras.Input(tuple(data.shape[1:]), dtype=str(np.asarray(data).dtype))


def layer_policies(obj):
    """`[(class, policy)]` of every layer inside `obj`, depth first (input layers left out)."""
    return [
        (type(layer).__name__, layer.dtype_policy.name)
        for layer in obj._flatten_layers(include_self=False)
        if not isinstance(layer, keras.layers.InputLayer)
    ]


def no_weight_init():
    """A scope in which variables are created but not initialized.

    For structural checks (shapes, layouts, parameter counts) of large
    networks: nothing is drawn or, on JAX, compiled for the initializers
    (one XLA program per kernel shape otherwise). The variables stay
    uninitialized: do not read their values.
    """
    return keras.StatelessScope(initialize_variables=False)


def symbolic_output_shape(obj, *shapes, dtypes=None):
    """Output shape(s) of `obj` for inputs of these shapes (shape inference, nothing run)."""
    dtypes = dtypes or ["float32"] * len(shapes)
    inputs = [keras.KerasTensor(shape, dtype=dtype) for shape, dtype in zip(shapes, dtypes)]
    return _shapes(obj(inputs[0] if len(inputs) == 1 else inputs))


def _build_under_global_policy(build, policy):
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        return build()
    finally:
        keras.config.set_dtype_policy(previous)


def _check_same_outputs(a, b, atol, rtol=1e-6):
    for x, y in zip(a if isinstance(a, list) else [a], b if isinstance(b, list) else [b]):
        np.testing.assert_allclose(x, y, atol=atol, rtol=rtol)


def _as_json(config):
    """A config as it reads back from JSON (tuples become lists)."""
    return json.loads(json.dumps(config))


def run_model_saving_test(model, input_data, atol=1e-6, call_kwargs=None):
    """`model.save` to `.keras` and `keras.models.load_model` give the same model.

    Checks the class, the config, the per-layer dtype policies and the
    inference outputs on `input_data`. Returns the loaded model.
    """
    import tempfile

    call_kwargs = call_kwargs or {}
    expected = to_numpy(model(input_data, **call_kwargs))
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/model.keras"
        model.save(path)
        loaded = keras.models.load_model(path)
    assert type(loaded) is type(model)
    assert _as_json(loaded.get_config()) == _as_json(model.get_config())
    assert layer_policies(loaded) == layer_policies(model)
    _check_same_outputs(to_numpy(loaded(input_data, **call_kwargs)), expected, atol)
    return loaded


def run_layer_test(
    cls,
    init_kwargs,
    input_data,
    expected_output_shape,
    *,
    expected_num_trainable_weights=None,
    expected_num_non_trainable_weights=None,
    expected_output_dtype=None,
    run_training_check=True,
    run_precision_check=True,
    run_saving_check=True,
    precision_atol=0.05,
):
    """The checks every layer of the package passes.

    1. Build and call on `input_data` (inference): the output shape is
       `expected_output_shape`, also by shape inference on symbolic inputs
       with a free batch dimension, and the weight counts are as given.
    2. Config: `serialize -> deserialize` gives the same config; the copy,
       given the same weights, computes the same outputs.
    3. `.keras` file: a functional model around the layer saves and loads
       with the same outputs (`run_model_saving_test`).
    4. Mixed precision (`mixed_float16`): built with `dtype=` it has exactly
       the sublayer policies it has when built under the global policy (so
       `dtype` reaches every sublayer); weights stay float32; the output has
       the compute dtype (or `expected_output_dtype`) and matches the float32
       output with the same weights to `precision_atol`.
    5. One training step (SGD on a squared error to a random target) changes
       every trainable weight: gradients reach all of them.

    Returns the layer of step 1.
    """
    layer = cls(**init_kwargs)
    output = to_numpy(layer(input_data))
    assert _shapes(output if isinstance(output, list) else np.asarray(output)) == (
        expected_output_shape
    )
    symbolic = _inputs_like(input_data)
    free_batch = layer(symbolic)
    expected_free = (
        [(None,) + s[1:] for s in expected_output_shape]
        if isinstance(expected_output_shape, list)
        else (None,) + tuple(expected_output_shape[1:])
    )
    assert _shapes(free_batch) == expected_free
    if expected_num_trainable_weights is not None:
        assert len(layer.trainable_weights) == expected_num_trainable_weights
    if expected_num_non_trainable_weights is not None:
        assert len(layer.non_trainable_weights) == expected_num_non_trainable_weights

    # 2. Config round trip.
    restored = assert_serialization_round_trip(layer)
    restored(input_data)
    restored.set_weights(layer.get_weights())
    _check_same_outputs(to_numpy(restored(input_data)), output, atol=1e-6)

    # 3. `.keras` round trip inside a functional model.
    if run_saving_check:
        inputs = _inputs_like(input_data)
        run_model_saving_test(keras.Model(inputs, layer(inputs)), input_data)

    # 4. Mixed precision.
    if run_precision_check:
        policy = "mixed_float16"
        explicit = cls(**init_kwargs, dtype=policy)
        low = explicit(input_data)
        with no_weight_init():
            under_global = _build_under_global_policy(lambda: cls(**init_kwargs), policy)
            under_global(_inputs_like(input_data))
        assert layer_policies(explicit) == layer_policies(under_global)
        assert explicit.dtype_policy.name == policy
        for w in explicit.weights:
            if w.dtype in ("float16", "bfloat16"):
                raise AssertionError(f"{cls.__name__}: weight {w.path} is {w.dtype} under {policy}")
        dtype = expected_output_dtype or explicit.compute_dtype
        for y in low if isinstance(low, (list, tuple)) else [low]:
            assert keras.backend.standardize_dtype(y.dtype) == dtype
        explicit.set_weights(layer.get_weights())
        low = to_numpy(explicit(input_data))
        for y, y32 in zip(
            low if isinstance(low, list) else [low],
            [output] if not isinstance(output, list) else output,
        ):
            assert np.all(np.isfinite(y.astype("float32")))
            np.testing.assert_allclose(y.astype("float32"), y32, atol=precision_atol, rtol=0.02)

    # 5. One training step.
    if run_training_check and layer.trainable_weights:
        inputs = _inputs_like(input_data)
        model = keras.Model(inputs, layer(inputs))
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mean_squared_error")
        target = np.random.default_rng(0).normal(size=np.shape(output)).astype("float32")
        before = [to_numpy(w) for w in layer.trainable_weights]
        model.train_on_batch(input_data, target)
        for w, b in zip(layer.trainable_weights, before):
            assert not np.array_equal(to_numpy(w), b), f"no gradient reached {w.path}"
    return layer


def run_network_test(
    cls,
    init_kwargs,
    input_data,
    expected_output_shape,
    *,
    expected_output_dtype="float32",
    run_saving_check=False,
    policy="mixed_bfloat16",
):
    """The checks every `keras_gan_kit.networks.Network` passes.

    1. Build and call on `input_data` (inference): outputs of
       `expected_output_shape` and `expected_output_dtype`.
    2. Config: `get_config` has the base keys (`name`, `trainable`, `dtype`);
       `serialize -> deserialize` gives the same class and config, and with
       the same weights the same outputs.
    3. dtype (structural, no weights drawn): built with `dtype=policy` it has
       the config and per-layer policies it has when built under the global
       `policy`, keeps both through a config round trip made under the
       float32 global policy, and its outputs keep `expected_output_dtype`.
       (Numerics under mixed precision, through a `.keras` file in a fresh
       process: tests/networks/test_network.py.)
    4. With `run_saving_check`, a `.keras` round trip (`run_model_saving_test`).

    Returns the network of step 1.
    """
    net = cls(**init_kwargs)
    output = to_numpy(net(input_data))
    assert _shapes(output) == expected_output_shape
    for y in output if isinstance(output, list) else [output]:
        assert str(y.dtype) == expected_output_dtype

    config = net.get_config()
    assert {"name", "trainable", "dtype"} <= set(config)
    assert keras.dtype_policies.get(config["dtype"]).name == "float32"
    restored = assert_serialization_round_trip(net)
    restored.set_weights(net.get_weights())
    _check_same_outputs(to_numpy(restored(input_data)), output, atol=1e-6)

    # The dtype checks are structural: the networks are built without drawing weights.
    with no_weight_init():
        explicit = cls(**init_kwargs, dtype=policy)
        under_global = _build_under_global_policy(lambda: cls(**init_kwargs), policy)
        copy = cls.from_config(explicit.get_config())
        low = explicit(_inputs_like(input_data))
    assert explicit.get_config() == under_global.get_config()
    assert keras.dtype_policies.get(explicit.get_config()["dtype"]).name == policy
    assert layer_policies(explicit) == layer_policies(under_global)
    assert any(name == policy for _, name in layer_policies(explicit))
    assert copy.dtype_policy.name == policy
    assert layer_policies(copy) == layer_policies(explicit)
    for y in low if isinstance(low, (list, tuple)) else [low]:
        assert keras.backend.standardize_dtype(y.dtype) == expected_output_dtype

    if run_saving_check:
        run_model_saving_test(net, input_data)
    return net
