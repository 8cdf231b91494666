"""The contract every backend trainer keeps, checked through `fit` on each backend.

Model families state their algorithm once in `keras.ops` and rely on
`keras_gan_kit.trainers` for the rest. These tests pin what they rely on, on the
active `KERAS_BACKEND`, through the real path (`fit` with `jit_compile="auto"`:
XLA on JAX, `tf.function` on TensorFlow, eager PyTorch):

- `run_phase` updates the phase's variables with its own optimizer (an SGD step
  equals `-lr *` the analytic gradient, even when the loss goes through other
  networks), leaves every other trainable variable and every other optimizer's
  state bit-identical, keeps the non-trainable state its loss updates
  (BatchNorm statistics), and a later phase sees an earlier phase's update;
- `input_gradients` returns `fn(x)` and the analytic input gradient, inside and
  outside a training step, and that gradient can be differentiated again with
  respect to the weights (double backprop); `x` is a constant;
- `no_gradient` (with `keras.ops.stop_gradient`, as documented) carries no
  gradient into the weights; on PyTorch it records no autograd graph at all;
- `get_trainer` refuses an unknown backend.

Reference gradients are written out in NumPy (float64), never taken from the
backend under test.
"""

import keras
import numpy as np
import pytest
from keras import ops

from keras_gan_kit import trainers
from keras_gan_kit.optimizers import OptimizerGroup

BACKEND = keras.backend.backend()
LR = 0.1
X = np.array([[1.0, -2.0], [0.5, 3.0], [-1.5, 0.25], [2.0, 1.0]], dtype="float32")


class PhaseModel(keras.Model):
    """Named networks, one optimizer each in one `OptimizerGroup`, and a step.

    `step(model, x) -> logs` states the algorithm with `model.run(name, loss_fn, x)`,
    as a model family does with its phases.
    """

    def __init__(self, networks, step, **kwargs):
        super().__init__(**kwargs)
        self.networks = dict(networks)
        for name, network in self.networks.items():
            setattr(self, name, network)
        self.step = step
        self.built = True

    def compile(self, optimizers):
        group = OptimizerGroup(dict(optimizers))
        group.build_members({name: self.networks[name].trainable_variables for name in optimizers})
        super().compile(optimizer=group, jit_compile="auto", auto_scale_loss=False)

    @property
    def metrics(self):
        # No trackers: `fit` reports the step's own logs (a "loss" log would
        # otherwise be replaced by Keras' unused loss tracker).
        return []

    def run(self, name, loss_fn, *inputs):
        """Runs the phase training network `name` with its own optimizer."""
        phase = trainers.Phase(
            name, loss_fn, self.networks[name].trainable_variables, self.optimizer[name]
        )
        return trainers.get_trainer().run_phase(phase, *inputs)

    def train_step(self, *args):
        return trainers.get_trainer().train_step(self, args, self._step)

    def _step(self, data):
        x = data[0] if isinstance(data, (tuple, list)) else data
        logs = self.step(self, ops.cast(x, "float32"))
        self.optimizer.iterations.assign_add(1)
        return logs


def fit_one_step(model):
    return model.fit(X, batch_size=len(X), epochs=1, shuffle=False, verbose=0).history


def dense(inputs, units, name, activation=None, seed=0):
    return keras.Sequential(
        [
            keras.Input((inputs,)),
            keras.layers.Dense(
                units,
                activation=activation,
                kernel_initializer=keras.initializers.GlorotUniform(seed),
                bias_initializer=keras.initializers.RandomNormal(stddev=0.1, seed=seed + 1),
            ),
        ],
        name=name,
    )


def numpy_values(variables):
    return [np.array(ops.convert_to_numpy(v), dtype="float64") for v in variables]


def assert_bit_identical(before, variables):
    for expected, variable in zip(before, variables):
        np.testing.assert_array_equal(ops.convert_to_numpy(variable), expected, variable.path)


def linear_chain_gradients(x, wa, ba, wb, bb):
    """`L = mean((x Wa + ba) Wb + bb)^2` and its gradients, in float64."""
    h = x @ wa + ba
    y = h @ wb + bb
    dy = 2 * y / y.size
    dh = dy @ wb.T
    grads = {"a": [x.T @ dh, dh.sum(0)], "b": [h.T @ dy, dy.sum(0)]}
    return float(np.mean(y**2)), grads


def chain_loss(model):
    def loss_fn(x):
        loss = ops.mean(ops.square(model.b(model.a(x, training=True), training=True)))
        return loss, {"loss": loss}

    return loss_fn


# --------------------------------------------------------------------------- #
# run_phase
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("trained, frozen", [("a", "b"), ("b", "a")])
def test_run_phase_changes_only_its_own_variables(trained, frozen):
    model = PhaseModel(
        {"a": dense(2, 3, "a"), "b": dense(3, 1, "b", seed=2)},
        lambda m, x: m.run(trained, chain_loss(m), x),
    )
    # The frozen network's optimizer has state (Adam moments) that must stay untouched.
    model.compile({trained: keras.optimizers.SGD(LR), frozen: keras.optimizers.Adam(1e-2)})
    x = X.astype("float64")
    values = {name: numpy_values(model.networks[name].trainable_variables) for name in "ab"}
    frozen_optimizer = model.optimizer[frozen]
    frozen_state = numpy_values(frozen_optimizer.variables)
    loss, grads = linear_chain_gradients(x, *values["a"], *values["b"])

    history = fit_one_step(model)

    np.testing.assert_allclose(history["loss"][0], loss, rtol=1e-5)
    for expected, grad, variable in zip(
        values[trained], grads[trained], model.networks[trained].trainable_variables
    ):
        np.testing.assert_allclose(
            ops.convert_to_numpy(variable), expected - LR * grad, rtol=1e-5, atol=1e-6
        )
    assert_bit_identical(values[frozen], model.networks[frozen].trainable_variables)
    assert_bit_identical(frozen_state, frozen_optimizer.variables)
    assert int(ops.convert_to_numpy(frozen_optimizer.iterations)) == 0
    assert int(ops.convert_to_numpy(model.optimizer[trained].iterations)) == 1


def test_a_later_phase_sees_the_earlier_update():
    def step(m, x):
        logs_a = m.run("a", chain_loss(m), x)
        logs_b = m.run("b", chain_loss(m), x)
        return {"loss_a": logs_a["loss"], "loss_b": logs_b["loss"]}

    model = PhaseModel({"a": dense(2, 3, "a"), "b": dense(3, 1, "b", seed=2)}, step)
    model.compile({"a": keras.optimizers.SGD(LR), "b": keras.optimizers.SGD(LR)})
    x = X.astype("float64")
    wa, ba = numpy_values(model.a.trainable_variables)
    wb, bb = numpy_values(model.b.trainable_variables)
    loss_a, grads = linear_chain_gradients(x, wa, ba, wb, bb)
    wa, ba = wa - LR * grads["a"][0], ba - LR * grads["a"][1]
    loss_b, grads = linear_chain_gradients(x, wa, ba, wb, bb)  # after A's update
    expected = [wa, ba, wb - LR * grads["b"][0], bb - LR * grads["b"][1]]

    history = fit_one_step(model)

    np.testing.assert_allclose(history["loss_a"][0], loss_a, rtol=1e-5)
    np.testing.assert_allclose(history["loss_b"][0], loss_b, rtol=1e-5)
    got = numpy_values(model.a.trainable_variables + model.b.trainable_variables)
    for value, want in zip(got, expected):
        np.testing.assert_allclose(value, want, rtol=1e-5, atol=1e-6)


def test_run_phase_keeps_non_trainable_updates_of_any_network():
    """BatchNorm statistics of network B, updated in A's phase, are kept; B's weights are not."""
    b = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.BatchNormalization(momentum=0.5),
            keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(3)),
        ],
        name="b",
    )
    model = PhaseModel({"a": dense(2, 3, "a"), "b": b}, lambda m, x: m.run("a", chain_loss(m), x))
    model.compile({"a": keras.optimizers.SGD(LR), "b": keras.optimizers.SGD(LR)})
    wa, ba = numpy_values(model.a.trainable_variables)
    h = X.astype("float64") @ wa + ba  # what B's BatchNorm sees, before A's update
    b_weights = numpy_values(b.trainable_variables)
    batch_norm = b.layers[0]

    fit_one_step(model)

    np.testing.assert_allclose(
        ops.convert_to_numpy(batch_norm.moving_mean), 0.5 * h.mean(0), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(batch_norm.moving_variance), 0.5 + 0.5 * h.var(0), rtol=1e-5
    )
    assert_bit_identical(b_weights, b.trainable_variables)
    assert not np.allclose(ops.convert_to_numpy(model.a.layers[0].kernel), wa)


# --------------------------------------------------------------------------- #
# input_gradients
# --------------------------------------------------------------------------- #
class WeightedSquares(keras.layers.Layer):
    """`f(x) = sum_i w_i x_i^2`, whose input gradient `2 w x` depends on w and x."""

    def __init__(self, w, **kwargs):
        super().__init__(**kwargs)
        self.initial_w = list(w)

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1],), initializer=keras.initializers.Constant(self.initial_w)
        )

    def call(self, x):
        return ops.sum(self.w * ops.square(x), axis=-1, keepdims=True)


def weighted_squares():
    return keras.Sequential([keras.Input((2,)), WeightedSquares([0.5, -1.5])], name="f")


def tanh_critic():
    return keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(
                3,
                activation="tanh",
                kernel_initializer=keras.initializers.GlorotUniform(5),
                bias_initializer=keras.initializers.RandomNormal(stddev=0.5, seed=6),
            ),
            keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(7)),
        ],
        name="f",
    )


def tanh_critic_numpy(x, w1, b1, w2, b2):
    """Outputs and input gradients of `tanh(x W1 + b1) W2 + b2`, in float64."""
    t = np.tanh(x @ w1 + b1)
    return t @ w2 + b2, ((1 - t**2) * w2[:, 0]) @ w1.T


def r1(grads_fn, weights):
    """`mean_n |grad_x f(x_n)|^2`, the R1-like loss built from input gradients."""
    return float(np.mean(np.sum(grads_fn(*weights) ** 2, axis=-1)))


def finite_difference(fn, weights, eps=1e-6):
    """Central differences of the scalar `fn(weights)`, in float64."""
    grads = []
    for k, w in enumerate(weights):
        grad = np.zeros_like(w)
        for index in np.ndindex(w.shape):
            shifted = [v.copy() for v in weights]
            shifted[k][index] += eps
            up = fn(shifted)
            shifted[k][index] -= 2 * eps
            grad[index] = (up - fn(shifted)) / (2 * eps)
        grads.append(grad)
    return grads


def gradient_loss(model):
    """`mean sum(grad_x f(x)^2)`, logging `fn(x)` and every input-gradient entry."""

    def loss_fn(x):
        outputs, grads = trainers.input_gradients(lambda t: model.f(t, training=True), x)
        loss = ops.mean(ops.sum(ops.square(grads), axis=-1))
        logs = {"loss": loss, "outputs": ops.sum(outputs)}
        for n, i in np.ndindex(X.shape):
            logs[f"grad_{n}_{i}"] = grads[n, i]
        return loss, logs

    return loss_fn


@pytest.mark.filterwarnings("ignore:Gradients do not exist")  # b2: None on TF and PyTorch
@pytest.mark.parametrize("network", ["weighted_squares", "tanh_critic"])
def test_input_gradients_are_differentiable_again_in_fit(network):
    f = weighted_squares() if network == "weighted_squares" else tanh_critic()
    model = PhaseModel({"f": f}, lambda m, x: m.run("f", gradient_loss(m), x))
    model.compile({"f": keras.optimizers.SGD(LR)})
    x = X.astype("float64")
    weights = numpy_values(f.trainable_variables)
    if network == "weighted_squares":
        (w,) = weights
        outputs = np.sum(w * x**2, axis=-1)
        input_grads = 2 * w * x
        # R1 = 4 mean_n sum_i w_i^2 x_ni^2, so dR1/dw = 8 w mean_n x_n^2.
        expected = [w - LR * 8 * w * np.mean(x**2, axis=0)]
    else:
        outputs, input_grads = tanh_critic_numpy(x, *weights)
        weight_grads = finite_difference(
            lambda ws: r1(lambda *v: tanh_critic_numpy(x, *v)[1], ws), weights
        )
        assert np.all(weight_grads[3] == 0)  # b2 does not reach the input gradient
        assert np.abs(weight_grads[0]).max() > 1e-2  # second derivatives of tanh do
        expected = [w - LR * g for w, g in zip(weights, weight_grads)]

    history = fit_one_step(model)

    np.testing.assert_allclose(history["outputs"][0], outputs.sum(), rtol=1e-5, atol=1e-6)
    got_grads = np.array([[history[f"grad_{n}_{i}"][0] for i in range(2)] for n in range(4)])
    np.testing.assert_allclose(got_grads, input_grads, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(history["loss"][0], np.mean(np.sum(input_grads**2, -1)), rtol=1e-5)
    for variable, want in zip(f.trainable_variables, expected):
        np.testing.assert_allclose(
            ops.convert_to_numpy(variable), want, rtol=1e-4, atol=1e-6, err_msg=variable.path
        )


@pytest.mark.parametrize("network", ["weighted_squares", "tanh_critic"])
def test_input_gradients_outside_a_train_step(network):
    f = weighted_squares() if network == "weighted_squares" else tanh_critic()
    x = X.astype("float64")
    weights = numpy_values(f.trainable_variables)
    if network == "weighted_squares":
        want_outputs, want_grads = np.sum(weights[0] * x**2, -1, keepdims=True), 2 * weights[0] * x
    else:
        want_outputs, want_grads = tanh_critic_numpy(x, *weights)

    outputs, grads = trainers.input_gradients(f, ops.convert_to_tensor(X))

    assert tuple(grads.shape) == X.shape
    assert keras.backend.standardize_dtype(outputs.dtype) == "float32"
    np.testing.assert_allclose(ops.convert_to_numpy(outputs), want_outputs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ops.convert_to_numpy(grads), want_grads, rtol=1e-5, atol=1e-6)


def test_input_gradients_treat_x_as_a_constant():
    """No gradient flows back through `x` into the network that produced it."""

    def loss_fn_of(m):
        def loss_fn(x):
            h = m.a(x, training=True)
            _, grads = trainers.input_gradients(m.f, h)
            # Without the stop at `x`, the penalty would also move A (its gradient is 2 w h).
            loss = ops.mean(h) + ops.mean(ops.sum(ops.square(grads), axis=-1))
            return loss, {"loss": loss}

        return loss_fn

    f = keras.Sequential([keras.Input((3,)), WeightedSquares([0.5, -1.5, 2.0])], name="f")
    model = PhaseModel({"a": dense(2, 3, "a"), "f": f}, lambda m, x: m.run("a", loss_fn_of(m), x))
    model.compile({"a": keras.optimizers.SGD(LR), "f": keras.optimizers.SGD(LR)})
    wa, ba = numpy_values(model.a.trainable_variables)
    n, units = X.shape[0], 3
    # d mean(h) / d Wa[i, j] = sum_n x_ni / (n * units); d mean(h) / d ba[j] = 1 / units.
    expected_wa = wa - LR * np.repeat(X.sum(0, keepdims=True).T, units, 1) / (n * units)
    expected_ba = ba - LR / units

    fit_one_step(model)

    np.testing.assert_allclose(ops.convert_to_numpy(model.a.layers[0].kernel), expected_wa, 1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(model.a.layers[0].bias), expected_ba, 1e-5)


def test_input_gradients_discard_state_updates_of_fn():
    """`trainers.input_gradients` says BatchNorm updates made by `fn` are discarded."""

    def loss_fn_of(m):
        def loss_fn(x):
            _, grads = trainers.input_gradients(lambda t: m.f(t, training=True), x)
            loss = ops.mean(ops.sum(ops.square(grads), axis=-1))
            return loss, {"loss": loss}

        return loss_fn

    f = keras.Sequential(
        [keras.Input((2,)), keras.layers.BatchNormalization(momentum=0.5), WeightedSquares([1, 2])],
        name="f",
    )
    model = PhaseModel({"f": f}, lambda m, x: m.run("f", loss_fn_of(m), x))
    model.compile({"f": keras.optimizers.SGD(LR)})

    fit_one_step(model)

    np.testing.assert_array_equal(ops.convert_to_numpy(f.layers[0].moving_mean), [0.0, 0.0])


# --------------------------------------------------------------------------- #
# no_gradient
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("stop_gradient", [True, False])
def test_a_no_gradient_forward_moves_no_weight(stop_gradient):
    """A's update comes from `mean(A(x))` only, not from the pass made under no_gradient."""
    if not stop_gradient and BACKEND != "torch":
        pytest.skip("no_gradient() alone records nothing only on PyTorch (documented)")

    def loss_fn_of(m):
        def loss_fn(x):
            with trainers.no_gradient():
                h = m.a(x, training=True)
                if stop_gradient:
                    h = ops.stop_gradient(h)
            loss = ops.mean(m.a(x, training=True)) + ops.mean(ops.square(m.b(h, training=True)))
            return loss, {"loss": loss}

        return loss_fn

    model = PhaseModel(
        {"a": dense(2, 3, "a"), "b": dense(3, 1, "b", seed=2)},
        lambda m, x: m.run("a", loss_fn_of(m), x),
    )
    model.compile({"a": keras.optimizers.SGD(LR), "b": keras.optimizers.SGD(LR)})
    wa, ba = numpy_values(model.a.trainable_variables)
    wb, bb = numpy_values(model.b.trainable_variables)
    h = X.astype("float64") @ wa + ba
    n, units = X.shape[0], 3
    expected_wa = wa - LR * np.repeat(X.sum(0, keepdims=True).T, units, 1) / (n * units)
    expected_ba = ba - LR / units

    history = fit_one_step(model)

    np.testing.assert_allclose(history["loss"][0], h.mean() + np.mean((h @ wb + bb) ** 2), 1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(model.a.layers[0].kernel), expected_wa, 1e-5)
    np.testing.assert_allclose(ops.convert_to_numpy(model.a.layers[0].bias), expected_ba, 1e-5)
    assert_bit_identical([wb, bb], model.b.trainable_variables)


def test_no_gradient_computes_the_same_values():
    a = dense(2, 3, "a")
    with trainers.no_gradient():
        inside = ops.convert_to_numpy(a(X))
    np.testing.assert_array_equal(inside, ops.convert_to_numpy(a(X)))


@pytest.mark.skipif(BACKEND != "torch", reason="autograd recording is a PyTorch notion")
def test_no_gradient_records_no_autograd_graph_on_torch():
    a = dense(2, 3, "a")
    x = ops.convert_to_tensor(X)
    assert a(x).requires_grad  # recorded outside the context
    with trainers.no_gradient():
        outputs = a(x)
    assert not outputs.requires_grad
    assert outputs.grad_fn is None


# --------------------------------------------------------------------------- #
# get_trainer
# --------------------------------------------------------------------------- #
def test_get_trainer_returns_the_active_backends_trainer():
    trainer = trainers.get_trainer()
    assert trainer is trainers.get_trainer(BACKEND)
    for method in ("train_step", "run_phase", "input_gradients", "no_gradient"):
        assert callable(getattr(trainer, method)), method


def test_get_trainer_refuses_an_unknown_backend():
    with pytest.raises(ValueError, match="Received: backend='nope'"):
        trainers.get_trainer("nope")
