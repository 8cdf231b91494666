"""`trainers.vjp` (differentiable pullbacks) and `trainers.run_if` (conditional phases), via fit."""

import keras
import numpy as np
from keras import ops

from keras_gan_kit import trainers
from tests.trainers.test_trainer_contract import LR, PhaseModel, X, numpy_values


def linear(name, kernel):
    """`x -> x @ kernel` (no bias)."""
    return keras.Sequential(
        [
            keras.Input((kernel.shape[0],)),
            keras.layers.Dense(
                kernel.shape[1],
                use_bias=False,
                kernel_initializer=keras.initializers.Constant(kernel),
            ),
        ],
        name=name,
    )


W = np.array([[0.5, -1.0], [2.0, 0.25]], dtype="float32")


def test_vjp_pullback_matches_closed_form_and_is_differentiable_again():
    # fn(x) = x W, so pullback(c) = c W^T; the loss mean_i ||W c_i||^2 has the
    # weight gradient (2 / n) W C^T C, reached only through the pullback.
    cotangent = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0], [-1.0, 0.5]], "float32")

    def step(model, x):
        def loss_fn(x):
            outputs, pullback = trainers.vjp(lambda inputs: model.a(inputs, training=True), x)
            pulled = pullback(ops.convert_to_tensor(cotangent))
            loss = ops.mean(ops.sum(ops.square(pulled), axis=1))
            return loss, {"pulled_sum": ops.sum(pulled), "outputs_sum": ops.sum(outputs)}

        return model.run("a", loss_fn, x)

    model = PhaseModel({"a": linear("a", W)}, step)
    model.compile({"a": keras.optimizers.SGD(LR)})
    history = model.fit(X, batch_size=len(X), epochs=1, shuffle=False, verbose=0).history
    w = W.astype("float64")
    c = cotangent.astype("float64")
    np.testing.assert_allclose(history["pulled_sum"][0], np.sum(c @ w.T), rtol=1e-5)
    np.testing.assert_allclose(history["outputs_sum"][0], np.sum(X @ w), rtol=1e-5)
    expected = w - LR * (2.0 / len(c)) * w @ c.T @ c
    (kernel,) = numpy_values(model.a.trainable_variables)
    np.testing.assert_allclose(kernel, expected, rtol=1e-5)


class Counter(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.count = self.add_weight(shape=(), initializer="zeros", trainable=False, name="count")
        self.built = True


def run_every_other_step(always_skip=False):
    counter = Counter()
    seed = keras.random.SeedGenerator(0)

    def step(model, x):
        def loss_fn(x):
            return ops.mean(ops.square(model.a(x, training=True))), {}

        def run():
            keras.random.normal((1,), seed=seed)  # advances the seed only when run
            counter.count.assign(counter.count + 1.0)
            model.run("a", loss_fn, x)

        every_other = ops.equal(ops.mod(model.optimizer.iterations, 2), 0)
        trainers.run_if(ops.logical_and(every_other, not always_skip), run)
        return {"count": ops.convert_to_tensor(counter.count)}

    model = PhaseModel({"a": linear("a", W)}, step)
    model.counter, model.seed_generator = counter, seed
    model.compile({"a": keras.optimizers.SGD(LR)})
    seed_before = np.array(ops.convert_to_numpy(seed.state))
    model.fit(np.tile(X, (3, 1)), batch_size=len(X), epochs=1, shuffle=False, verbose=0)
    return model, float(ops.convert_to_numpy(counter.count)), seed_before, seed


def test_run_if_runs_the_phase_on_selected_steps_only():
    model, count, seed_before, seed = run_every_other_step()
    assert count == 2.0  # steps 0 and 2 of 0, 1, 2
    # Two SGD steps of L = mean((x W)^2): W <- W - lr * (2 / N) x^T x W, twice.
    w = W.astype("float64")
    x = X.astype("float64")
    for _ in range(2):
        w = w - LR * (2.0 / x.size) * x.T @ (x @ w)
    (kernel,) = numpy_values(model.a.trainable_variables)
    np.testing.assert_allclose(kernel, w, rtol=1e-5)
    assert not np.array_equal(ops.convert_to_numpy(seed.state), seed_before)


def test_run_if_leaves_every_variable_alone_when_false():
    model, count, seed_before, seed = run_every_other_step(always_skip=True)
    assert count == 0.0
    (kernel,) = numpy_values(model.a.trainable_variables)
    np.testing.assert_array_equal(kernel, W)
    np.testing.assert_array_equal(ops.convert_to_numpy(seed.state), seed_before)
    assert int(ops.convert_to_numpy(model.optimizer["a"].iterations)) == 0
