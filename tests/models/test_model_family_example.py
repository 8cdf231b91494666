"""The worked model family of the docs (`examples/infogan.py`) trains through `fit`.

The example defines `InfoGAN` as networks plus one subclass of
`keras_gan_kit.models.AdversarialModel`, touching no file of the library. These
tests import it by path and check, on the active `KERAS_BACKEND`:

- each phase updates exactly its networks (and optimizer);
- the logged values are finite and include the mutual-information term `mi`;
- on a fixed case (a generator that outputs the one-hot code, a linear
  discriminator whose `Q` head has logits `s * one_hot(c)`) the logs and one
  SGD step of each phase match closed forms: `mi = log K - (log(e^s + K - 1) - s)`,
  and the trace of the `Q` kernel's (or the generator's code rows') update is
  `lr * mi_weight * (K - 1) / (e^s + K - 1)` (times `s` for the generator),
  whatever codes were drawn;
- the augmentation hook reaches `Q`'s input;
- generator regularizers run on the family (`generator_inputs`);
- a model with an augmentation layer trains, and a `.keras` round trip keeps
  its config, its compile config (`mi_weight`), its optimizer state and its outputs.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from keras import ops

from keras_gan_kit.losses.regularizers import PathLengthRegularizer

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "infogan.py"


def _load_example():
    name = "examples_infogan"  # one module (one registered class) per session
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, EXAMPLE)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


infogan = _load_example()
InfoGAN = infogan.InfoGAN

K = 3  # code values
NOISE = 2
SCALE = 1.5  # the fixed Q head's logit for the right code
DATA = np.random.default_rng(0).standard_normal((8, K)).astype("float32")


def small_networks(features=2, width=16):
    generator = keras.Sequential(
        [
            keras.Input((NOISE + K,)),
            keras.layers.Dense(width, activation="relu"),
            keras.layers.Dense(features),
        ],
        name="generator",
    )
    x = keras.Input((features,))
    h = keras.layers.Dense(width, activation="leaky_relu")(x)
    discriminator = keras.Model(
        x, [keras.layers.Dense(1)(h), keras.layers.Dense(K)(h)], name="discriminator"
    )
    return generator, discriminator


def fixed_networks():
    """G(z, c) = one_hot(c); D linear: logit 0, Q logits `SCALE * x`."""
    generator = keras.Sequential(
        [keras.Input((NOISE + K,)), keras.layers.Dense(K, use_bias=False)], name="generator"
    )
    generator.set_weights([np.concatenate([np.zeros((NOISE, K)), np.eye(K)]).astype("float32")])
    x = keras.Input((K,))
    body = keras.layers.Dense(K, name="body")
    logits = keras.layers.Dense(1, name="logits")
    q_head = keras.layers.Dense(K, name="q_head")
    discriminator = keras.Model(x, [logits(body(x)), q_head(body(x))], name="discriminator")
    body.set_weights([np.eye(K, dtype="float32"), np.zeros(K, "float32")])
    logits.set_weights([np.zeros((K, 1), "float32"), np.zeros(1, "float32")])
    q_head.set_weights([SCALE * np.eye(K, dtype="float32"), np.zeros(K, "float32")])
    return generator, discriminator


def values(variables):
    return [np.array(ops.convert_to_numpy(v)) for v in variables]


def fit(model, data=DATA, batch_size=None, epochs=1):
    batch_size = batch_size or len(data)
    return model.fit(data, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0).history


def only(phase_name):
    """An `InfoGAN` whose step runs one of its phases only."""

    class OnePhase(InfoGAN):
        def phases(self):
            return [p for p in super().phases() if p.name == phase_name]

    return OnePhase


@pytest.mark.parametrize(
    "phase, trained, frozen, logged",
    [
        ("discriminator", "discriminator", "generator", {"d_loss", "mi"}),
        ("generator", "generator", "discriminator", {"g_loss"}),
    ],
)
def test_each_phase_updates_exactly_its_network(phase, trained, frozen, logged):
    model = only(phase)(*small_networks(), num_codes=K, noise_dim=NOISE, seed=0)
    model.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2))
    data = np.random.default_rng(1).standard_normal((8, 2)).astype("float32")
    before = {name: values(getattr(model, name).trainable_variables) for name in (trained, frozen)}
    history = fit(model, data)
    assert set(history) == logged
    for old, new in zip(before[frozen], getattr(model, frozen).trainable_variables):
        np.testing.assert_array_equal(ops.convert_to_numpy(new), old, new.path)
    for old, new in zip(before[trained], getattr(model, trained).trainable_variables):
        assert not np.allclose(ops.convert_to_numpy(new), old), f"{new.path} did not move"
    assert int(ops.convert_to_numpy(model.optimizer[trained].iterations)) == 1
    assert int(ops.convert_to_numpy(model.optimizer[frozen].iterations)) == 0


@pytest.mark.parametrize("phase", ["discriminator", "generator"])
def test_logs_and_one_sgd_step_match_the_closed_form_on_a_fixed_case(phase):
    lr, mi_weight = 0.1, 0.5
    model = InfoGAN(*fixed_networks(), num_codes=K, noise_dim=NOISE, seed=0)
    rates = {"discriminator": 0.0, "generator": 0.0, phase: lr}  # D fixed while G learns
    model.compile(
        keras.optimizers.SGD(rates["generator"]),
        keras.optimizers.SGD(rates["discriminator"]),
        mi_weight=mi_weight,
    )
    if phase == "discriminator":
        kernel = model.discriminator.get_layer("q_head").kernel
        rows = slice(None)
        start, chain = SCALE * np.eye(K), 1.0
    else:
        kernel = model.generator.layers[-1].kernel
        rows = slice(NOISE, None)  # the one-hot code's rows
        start, chain = np.eye(K), SCALE  # dlogits/dx = SCALE
    history = fit(model)  # one step on the whole batch
    # The logs are taken before the phase's own update; the generator phase runs after the
    # discriminator's update, which only keeps D as it was when D does not learn.
    cross_entropy = math.log(math.exp(SCALE) + K - 1) - SCALE
    np.testing.assert_allclose(history["d_loss"][0], 2 * math.log(2), rtol=1e-6)
    np.testing.assert_allclose(history["mi"][0], math.log(K) - cross_entropy, rtol=1e-5)
    if phase == "generator":
        np.testing.assert_allclose(history["g_loss"][0], math.log(2), rtol=1e-6)
    update = np.array(ops.convert_to_numpy(kernel))[rows] - start
    z = math.exp(SCALE) + K - 1
    # Row c of the update is -lr * mi_weight * chain * P(c) * (softmax(SCALE e_c) - e_c):
    # its diagonal sums to lr * mi_weight * chain * (K - 1) / z and each row to 0,
    # whatever the drawn codes' frequencies P(c) are.
    np.testing.assert_allclose(np.trace(update), lr * mi_weight * chain * (K - 1) / z, rtol=1e-4)
    np.testing.assert_allclose(update.sum(axis=1), 0.0, atol=1e-6)
    assert np.all(np.diag(update) >= 0)


def test_augmentation_reaches_q():
    # Q sees only zeros through Rescaling(0): its logits are 0, so mi = log K - log K = 0.
    model = InfoGAN(
        *fixed_networks(),
        num_codes=K,
        noise_dim=NOISE,
        seed=0,
        augmentation=keras.layers.Rescaling(0.0),
    )
    model.compile(keras.optimizers.SGD(0.0), keras.optimizers.SGD(0.0))
    np.testing.assert_allclose(fit(model)["mi"][0], 0.0, atol=1e-6)


def test_generator_regularizers_run_on_the_family():
    model = InfoGAN(*small_networks(), num_codes=K, noise_dim=NOISE, seed=0)
    model.compile(generator_regularizers=[PathLengthRegularizer(weight=1.0, interval=1)])
    data = np.random.default_rng(1).standard_normal((8, 2)).astype("float32")
    history = fit(model, data)
    assert set(history) == {"d_loss", "g_loss", "mi", "pl"}
    assert all(np.isfinite(v[-1]) for v in history.values())
    assert history["pl"][-1] > 0.0
    assert history["mi"][-1] <= math.log(K) + 1e-6


def test_an_augmented_model_trains_and_survives_a_keras_round_trip(tmp_path):
    model = InfoGAN(
        *small_networks(),
        num_codes=K,
        noise_dim=NOISE,
        seed=3,
        augmentation=keras.layers.GaussianNoise(0.1, seed=0),
    )
    model.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2), mi_weight=0.25)
    before = values(model.trainable_variables)
    data = np.random.default_rng(2).standard_normal((8, 2)).astype("float32")
    history = fit(model, data)
    assert set(history) == {"d_loss", "g_loss", "mi"}
    assert all(np.isfinite(v[-1]) for v in history.values())
    for old, new in zip(before, model.trainable_variables):
        assert not np.allclose(old, ops.convert_to_numpy(new)), f"{new.path} did not move"

    path = tmp_path / "infogan.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is InfoGAN
    assert (loaded.num_codes, loaded.noise_dim, loaded.seed) == (K, NOISE, 3)
    assert isinstance(loaded.augmentation, keras.layers.GaussianNoise)
    assert loaded.mi_weight == 0.25  # recompiled from the compile config
    assert loaded.get_compile_config() == model.get_compile_config()
    assert int(ops.convert_to_numpy(loaded.optimizer["generator"].iterations)) == 1
    latents = np.random.default_rng(4).standard_normal((5, NOISE + K)).astype("float32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(loaded(latents)), ops.convert_to_numpy(model(latents)), atol=1e-6
    )
    samples = model.generate(np.arange(5) % K, seed=0)
    np.testing.assert_array_equal(loaded.predict_codes(samples), model.predict_codes(samples))


def test_bad_arguments_name_what_was_received():
    generator, discriminator = small_networks()
    with pytest.raises(ValueError, match="num_codes=1"):
        InfoGAN(generator, discriminator, num_codes=1, noise_dim=NOISE)
    with pytest.raises(ValueError, match=r"noise_dim=0"):
        InfoGAN(generator, discriminator, num_codes=K, noise_dim=0)
    with pytest.raises(ValueError, match=r"num_codes=4"):
        InfoGAN(generator, discriminator, num_codes=4, noise_dim=NOISE - 1)
    single_output = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"\[logits, code_logits\]"):
        InfoGAN(generator, single_output, num_codes=K, noise_dim=NOISE)
    model = InfoGAN(generator, discriminator, num_codes=K, noise_dim=NOISE)
    with pytest.raises(ValueError, match="mi_weight=-1"):
        model.compile(mi_weight=-1)
