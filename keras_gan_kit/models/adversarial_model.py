"""`AdversarialModel`: the engine every model family (GAN, Pix2Pix, CycleGAN, ...) runs on."""

from __future__ import annotations

import warnings

import keras
from keras import ops

from keras_gan_kit import losses as losses_lib
from keras_gan_kit import trainers
from keras_gan_kit.losses.regularizers import GeneratorRegularizer
from keras_gan_kit.models.batch_monitor import BatchMonitor
from keras_gan_kit.models.common import loss_scaled, resolve_optimizer, uses_float16
from keras_gan_kit.optimizers import OptimizerGroup
from keras_gan_kit.trainers import Phase, PhaseContext
from keras_gan_kit.utils.validation import check_bool, check_positive_int, check_seed

__all__ = ["AdversarialModel"]


def _serialize(value):
    """Serializes Keras objects (also inside lists and dicts) for a compile config."""
    if isinstance(value, (list, tuple)):
        return [_serialize(v) for v in value]
    if isinstance(value, dict):
        return {k: _serialize(v) for k, v in value.items()}
    if hasattr(value, "get_config"):
        return keras.saving.serialize_keras_object(value)
    return value


def _deserialize(value):
    """Inverse of `_serialize`: Keras object configs become objects again."""
    if isinstance(value, list):
        return [_deserialize(v) for v in value]
    if isinstance(value, dict):
        if "class_name" in value and "config" in value:
            return keras.saving.deserialize_keras_object(value)
        return {k: _deserialize(v) for k, v in value.items()}
    return value


#: Codes of `AdversarialModel.batch_problems()` (0: no problem) and their words.
_BATCH_PROBLEMS = {
    1: "holds NaN or infinite sample values",
    2: "holds class labels >= num_classes={num_classes}",
    3: "holds negative class labels (they would silently wrap around to the last classes)",
    4: "holds fractional or non-finite class labels (class ids must be whole numbers)",
    5: "holds label rows that are not one-hot (soft labels would be silently arg-maxed)",
}


def _check_fit_input(model_name, x, arg):
    """Clear errors for `fit()` inputs Keras would reject with an unrelated message."""
    if x is None:
        raise ValueError(
            f"{model_name}.fit() needs training data. Received: {arg}=None. Pass a NumPy "
            "array, a tf.data.Dataset, a keras.utils.PyDataset, a generator or (on PyTorch) "
            "a DataLoader."
        )
    if isinstance(x, (list, tuple)) and not x:
        raise ValueError(
            f"{model_name}.fit() received an empty {type(x).__name__}. Received: "
            f"{arg}={x!r}. Pass the training samples as one NumPy array."
        )
    if isinstance(x, list):
        raise ValueError(
            f"{model_name}.fit() takes one array of samples (and `y` where the model takes "
            f"a second array), not a Python {type(x).__name__}. Received: {arg} as a "
            f"{type(x).__name__} of {len(x)} items. Stack them first, e.g. "
            f"{arg}=np.stack({arg}), or pass a dataset that yields tuples."
        )


class _LatestValue(keras.metrics.Metric):
    """A tracker that reports the last value it was given (state such as ADA's p)."""

    def __init__(self, name, **kwargs):
        super().__init__(name=name, **kwargs)
        self.latest = self.add_variable(shape=(), initializer="zeros", name="latest")

    def update_state(self, value):
        self.latest.assign(ops.cast(ops.reshape(value, ()), self.latest.dtype))

    def result(self):
        return ops.convert_to_tensor(self.latest)


class AdversarialModel(keras.Model):
    """Base class of the adversarial model families: one engine, any number of networks.

    A model family (`GAN`, `Pix2Pix`, `CycleGAN`, or one of your own) holds
    only its algorithm: its networks, the losses of its update phases, and
    how a batch is read. This base class owns everything else:

    - the training `SeedGenerator` (`self.seed_generator`) and its saved state,
      so a resumed run draws the same noise as an uninterrupted one;
    - compiling any number of named optimizers into one
      `keras_gan_kit.optimizers.OptimizerGroup` (the single `model.optimizer`
      Keras threads, saves and restores), each wrapped in its own
      `LossScaleOptimizer` under `mixed_float16`;
    - one `keras.metrics.Mean` tracker per logged value, the compile config
      (`.keras` files and `BackupAndRestore` recompile the model), and the
      refusal of `evaluate()`;
    - `train_step`: the phases returned by `phases()` run in order through
      the backend trainer (`keras_gan_kit.trainers`), each as often as its
      `repeat` and only on the steps its `interval` selects.

    Two hooks come for free to every family:

    - **Discriminator-input augmentation** (`augmentation=`): a
      differentiable layer applied, in training, to every sample a
      discriminator sees, real and generated, in every phase and inside
      penalties (DiffAugment, ADA). Families route discriminator inputs
      through `augment()`, and report the discriminator's logits on real
      samples with `observe_real_logits()` (ADA's adaptive p). An
      augmentation with `log_names` and `logs()` has its values (ADA's
      `ada_p`) logged after every step, as the latest value.
    - **Generator regularizers** (`compile(generator_regularizers=[...])`,
      e.g. `keras_gan_kit.losses.PathLengthRegularizer`): each runs as a phase
      of its own after the family's phases, on the generator optimizer, with
      its own weight and interval (StyleGAN2's lazy regularization).

    A subclass defines:

    - `network_names`: class attribute, the constructor arguments that are
      networks (written to the config, checked for float16);
    - `optimizer_variables()`: optimizer name -> the variables it updates;
    - `phases()`: the ordered list of `keras_gan_kit.trainers.Phase`, whose
      loss functions take `(batch, context)` (`context` is a
      `keras_gan_kit.trainers.PhaseContext`) and return `(loss, logs)`;
    - `unpack_batch(data)`: the batch structure the loss functions receive;
    - optionally `generator_inputs(batch)` (for generator regularizers),
      `finish_step(batch)` (e.g. an EMA update), `log_names()`, `_saved_seed_generators()`
      and a `compile()` with the family's own arguments that calls
      `super().compile(optimizers=..., loss=..., config=..., **kwargs)`.

    See the guide page "Writing a model family" for a worked example.

    Args:
        seed: int. Seed of the training noise (`self.seed_generator`).
            Defaults to None (random).
        augmentation: `keras.layers.Layer` or None. Differentiable augmentation
            of every discriminator input in training; called as
            `augmentation(images, training=True)` on float32 images. Defaults to
            None.
        **kwargs: forwarded to `keras.Model` (`name`, `dtype`).
    """

    network_names: tuple = ()
    #: Maps an optimizer name to its `compile()` argument, where the name is
    #: not `f"{name}_optimizer"` (used in error messages).
    optimizer_arguments: dict = {}
    #: The optimizer that generator regularizers use.
    generator_optimizer_name: str = "generator"

    def __init__(self, seed=None, augmentation=None, **kwargs):
        super().__init__(**kwargs)
        if augmentation is not None and not isinstance(augmentation, keras.layers.Layer):
            raise ValueError(
                "`augmentation` must be a keras.layers.Layer (a differentiable augmentation "
                f"of discriminator inputs) or None. Received: augmentation={augmentation!r} of "
                f"type {type(augmentation).__name__}"
            )
        self.seed = check_seed(seed)
        # Distinct draws per data-parallel replica (trainers.ReplicaSeedGenerator).
        self.seed_generator = trainers.ReplicaSeedGenerator(seed, name="training_seed")
        self.augmentation = augmentation
        self.adversarial_loss = None
        self.generator_regularizers = []
        self._trackers = {}
        self._phases = None
        self._compile_arguments = None
        self.check_batches = True
        # [problem code, training step] of the first batch that failed `batch_problems`
        # (0: none yet); read between steps by the fit-time batch monitor.
        self.batch_status = keras.Variable(
            [0, 0], dtype="int32", trainable=False, name="batch_status"
        )

    # ------------------------------------------------------------------ #
    # What a family defines
    # ------------------------------------------------------------------ #
    def networks(self) -> dict:
        """The model's networks by name (from `network_names`)."""
        return {name: getattr(self, name) for name in self.network_names}

    def optimizer_variables(self) -> dict:
        """Optimizer name -> list of the trainable variables it updates."""
        raise NotImplementedError(f"{type(self).__name__} must define optimizer_variables().")

    def phases(self) -> list:
        """The ordered list of `keras_gan_kit.trainers.Phase` of one training step.

        Called by `compile()`, after the optimizers exist
        (`self.optimizer[name]`).
        """
        raise NotImplementedError(f"{type(self).__name__} must define phases().")

    def unpack_batch(self, data):
        """Turns one batch from the data pipeline into what the loss functions take."""
        return data

    def generator_inputs(self, batch) -> list:
        """`(generator_fn, inputs)` pairs that generator regularizers act on.

        `generator_fn(inputs)` must run a generator in training mode on a
        differentiable float input (latents, or images); the regularizer
        differentiates the output with respect to `inputs`.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not support generator regularizers: it defines no "
            "generator_inputs()."
        )

    def finish_step(self, batch) -> None:
        """Runs after every phase of a step (e.g. an EMA update). Defaults to nothing."""

    def log_names(self) -> list:
        """The logged values, in order: every phase's `log_names`, then the regularizers'."""
        names = []
        for phase in self._phases or ():
            names.extend(n for n in phase.log_names if n not in names)
        return names

    # ------------------------------------------------------------------ #
    # Hooks for the families
    # ------------------------------------------------------------------ #
    def augment(self, images, *paired, training=True):
        """Applies the discriminator-input augmentation (identity when there is none).

        Args:
            images: Tensor `(batch, ...)`. Samples a discriminator will see.
            *paired: Tensors with the same leading axes as `images` that must
                undergo the same transform (e.g. Pix2Pix's condition image):
                they are concatenated with `images` on the last axis,
                augmented together and split again.
            training: bool. Augment only in training. Defaults to True.

        Returns:
            The augmented `images` (float32), or a tuple with the augmented
            `images` and each of `paired`, in order.
        """
        tensors = [ops.cast(t, "float32") for t in (images, *paired)]
        if self.augmentation is not None and not self.augmentation.built:
            # Built on the first (probe) call, so that fit() finds every layer built.
            channels = sum(int(t.shape[-1]) for t in tensors)
            self.augmentation.build((None, *tuple(tensors[0].shape[1:-1]), channels))
        if self.augmentation is None or not training:
            return tensors[0] if not paired else tuple(tensors)
        if not paired:
            return ops.cast(self.augmentation(tensors[0], training=True), "float32")
        sizes = [int(t.shape[-1]) for t in tensors]
        joint = ops.cast(
            self.augmentation(ops.concatenate(tensors, axis=-1), training=True), "float32"
        )
        splits, start = [], 0
        for size in sizes:
            splits.append(joint[..., start : start + size])
            start += size
        return tuple(splits)

    def observe_real_logits(self, logits):
        """Reports the discriminator's logits on a real batch to the augmentation.

        Families call it in their discriminator phase, once per real batch
        the discriminator scores (inside the compiled step). An augmentation
        that defines `update_state(real_logits)` (ADA: its overfitting
        heuristic `r_t = E[sign(D(real))]` and the adjustment of `p`) gets the
        float32, gradient-stopped logits; its non-trainable variables are
        updated like BatchNorm statistics on every backend. Does nothing
        otherwise.

        Args:
            logits: Tensor `(batch, ...)`. The discriminator's logits on the
                real samples (one logit or a logit map per sample).
        """
        update = getattr(self.augmentation, "update_state", None)
        if update is not None:
            update(ops.stop_gradient(ops.cast(logits, "float32")))

    def _augmentation_log_names(self):
        """The log keys of the augmentation (`log_names`), if it has any."""
        if self.augmentation is None or not hasattr(self.augmentation, "logs"):
            return ()
        return tuple(getattr(self.augmentation, "log_names", ()))

    def _augmentation_logs(self):
        """Log key -> value of the augmentation, logged after every step.

        Families with several augmentations (`CycleGAN`: one per discriminator)
        override this and `_augmentation_log_names`.
        """
        if not self._augmentation_log_names():
            return {}
        return dict(self.augmentation.logs())

    # ------------------------------------------------------------------ #
    # Compile
    # ------------------------------------------------------------------ #
    def compile(
        self,
        optimizers: dict,
        loss="non_saturating",
        generator_regularizers=(),
        jit_compile="auto",
        steps_per_execution: int = 1,
        run_eagerly: bool = False,
        check_batches: bool = True,
        config: dict | None = None,
    ):
        """Compiles the optimizers, phases and trackers.

        Families call this from their own `compile()`.

        Args:
            optimizers: dict of optimizer name (the keys of
                `optimizer_variables()`) to an optimizer instance, name,
                config or `"auto"` (`Adam(2e-4, beta_1=0.5)`).
            loss: str, dict or `keras_gan_kit.losses.AdversarialLoss`. Defaults
                to `"non_saturating"`.
            generator_regularizers: sequence of
                `keras_gan_kit.losses.GeneratorRegularizer`. Each runs as a phase
                of its own on the generator optimizer every `interval` steps.
                Defaults to none.
            jit_compile: bool or `"auto"`, as in `keras.Model.compile`.
            steps_per_execution: int. Defaults to 1 (must be 1 on PyTorch).
            run_eagerly: bool. Defaults to False.
            check_batches: bool. Check every training batch inside the step
                (`batch_problems()`: NaN/inf samples, labels out of range,
                negative or fractional) and skip the update of a bad batch;
                `fit()` then raises a `ValueError` naming the batch. Defaults
                to True.
            config: dict. The family's own `compile()` arguments, recorded
                (serialized) in the compile config together with the above, so
                that a loaded model is compiled the same way. Defaults to None.
        """
        check_positive_int(steps_per_execution, "steps_per_execution")
        check_bool(check_batches, "check_batches")
        if steps_per_execution > 1 and keras.backend.backend() == "torch":
            raise ValueError(
                "Keras runs one step per call on the PyTorch backend; "
                "`steps_per_execution` must be 1 there. Received: "
                f"steps_per_execution={steps_per_execution}"
            )
        adversarial_loss = losses_lib.get(loss)
        regularizers = self._check_regularizers(generator_regularizers)
        variables = self.optimizer_variables()
        if set(optimizers) != set(variables):
            raise ValueError(
                f"{type(self).__name__}.compile() needs one optimizer per entry of "
                f"optimizer_variables() {sorted(variables)}. Received: {sorted(optimizers)}"
            )
        resolved = {
            key: resolve_optimizer(value, self._optimizer_argument(key))
            for key, value in optimizers.items()
        }
        if len({id(o) for o in resolved.values()}) != len(resolved):
            arguments = [self._optimizer_argument(key) for key in resolved]
            raise ValueError(
                "The networks need separate optimizer instances (an optimizer keeps "
                "per-variable state). Received the same instance for "
                f"{' and '.join(arguments)}."
            )
        recorded = {self._optimizer_argument(key): o for key, o in resolved.items()}
        recorded.update(config or {})
        recorded.update(
            loss=adversarial_loss,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
            check_batches=check_batches,
        )
        if regularizers:
            recorded["generator_regularizers"] = regularizers
        self._compile_arguments = _serialize(recorded)
        if uses_float16(self, *self.networks().values()):
            resolved = {key: loss_scaled(o, key) for key, o in resolved.items()}
        group = OptimizerGroup({key: resolved[key] for key in variables})
        group.build_members(variables)
        super().compile(
            optimizer=group,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
            run_eagerly=run_eagerly,
            auto_scale_loss=False,
        )
        self.adversarial_loss = adversarial_loss
        self.generator_regularizers = regularizers
        self.check_batches = check_batches
        phases = list(self.phases()) + [self._regularizer_phase(r) for r in regularizers]
        self._phases = tuple(phases)
        names = list(self.log_names())
        names += [r.name for r in regularizers if r.name not in names]
        self._trackers = {name: keras.metrics.Mean(name=name) for name in names}
        # State of the augmentation (ADA's p): the latest value, not an epoch mean.
        for name in self._augmentation_log_names():
            self._trackers.setdefault(name, _LatestValue(name=name))

    def _optimizer_argument(self, key):
        return self.optimizer_arguments.get(key, f"{key}_optimizer")

    def _check_regularizers(self, regularizers):
        if isinstance(regularizers, GeneratorRegularizer):
            regularizers = [regularizers]
        regularizers = list(regularizers or ())
        for regularizer in regularizers:
            if not isinstance(regularizer, GeneratorRegularizer):
                raise ValueError(
                    "`generator_regularizers` must hold keras_gan_kit.losses.GeneratorRegularizer "
                    f"instances. Received: {regularizer!r} of type {type(regularizer).__name__}"
                )
        names = [r.name for r in regularizers]
        if len(set(names)) != len(names):
            raise ValueError(
                f"Each generator regularizer needs a distinct name. Received names {names}."
            )
        if regularizers:
            if type(self).generator_inputs is AdversarialModel.generator_inputs:
                raise ValueError(
                    f"{type(self).__name__} does not support generator regularizers (it defines "
                    f"no generator_inputs()). Received: generator_regularizers={regularizers!r}"
                )
        return regularizers

    def _regularizer_phase(self, regularizer):
        key = self.generator_optimizer_name

        def loss_fn(batch, context):
            value = 0.0
            for generator_fn, inputs in self.generator_inputs(batch):
                value = value + regularizer.regularization(
                    generator_fn, inputs, self.seed_generator
                )
            weighted = regularizer.weight * value
            # Lazy regularization: applied every `interval` steps, scaled to keep its strength.
            return float(regularizer.interval) * weighted, {regularizer.name: weighted}

        return Phase(
            regularizer.name,
            loss_fn,
            self.optimizer_variables()[key],
            self.optimizer[key],
            interval=regularizer.interval,
            log_names=(regularizer.name,),
        )

    @property
    def metrics(self):
        """The loss trackers, one per logged value."""
        return list(self._trackers.values())

    def get_compile_config(self):
        """The arguments of the last `compile()` call, serialized."""
        return self._compile_arguments

    def compile_from_config(self, config):
        """Compiles the model from `get_compile_config()`'s output."""
        self.compile(**_deserialize(dict(config)))

    # ------------------------------------------------------------------ #
    # Training step
    # ------------------------------------------------------------------ #
    def train_step(self, *args):
        """One update of every network; the signature follows the backend's contract.

        TensorFlow and PyTorch call `train_step(data) -> logs`; JAX calls
        `train_step(state, data) -> (logs, state)`.
        """
        return trainers.get_trainer().train_step(self, args, self._run_phases)

    def batch_problems(self, data):
        """What is wrong with one training batch, as an int32 scalar tensor (0: nothing).

        Runs inside the compiled step on the raw batch (before
        `unpack_batch`), so it must use `keras.ops` only. The engine skips
        every update of a batch with a non-zero code and `fit()` raises a
        `ValueError` naming the batch and the problem
        (`BATCH_PROBLEMS[code]`). The default checks that every float tensor
        of the batch is finite (code 1); families with labels add their
        checks.

        Args:
            data: one batch as the data pipeline yields it.
        """
        finite = [
            ops.all(ops.isfinite(x))
            for x in keras.tree.flatten(data)
            if hasattr(x, "dtype") and keras.backend.is_float_dtype(x.dtype)
        ]
        ok = finite[0] if finite else True
        for value in finite[1:]:
            ok = ops.logical_and(ok, value)
        return ops.where(ok, 0, 1)

    def describe_batch_problem(self, code: int) -> str:
        """The words for a `batch_problems()` code, completing "batch 3 of epoch 1 ..."."""
        text = _BATCH_PROBLEMS.get(int(code), f"failed check {int(code)}")
        return text.format(num_classes=getattr(self, "num_classes", None))

    def _run_phases(self, data):
        batch = self.unpack_batch(data)
        step = self.optimizer.iterations
        if self.check_batches:
            code = ops.cast(self.batch_problems(data), "int32")
            status = self.batch_status.value
            first = ops.logical_and(ops.equal(status[0], 0), ops.greater(code, 0))
            status = ops.where(first, ops.stack([code, ops.cast(step, "int32")]), status)
            self.batch_status.assign(status)
            self._update_if(ops.equal(status[0], 0), batch, step)
        else:
            self._update(batch, step)
        self.optimizer.iterations.assign_add(1)
        return {name: tracker.result() for name, tracker in self._trackers.items()}

    def _update_if(self, ok, batch, step):
        """Runs `_update` and keeps its effect only where `ok` (a scalar bool tensor) holds."""
        if keras.backend.backend() != "jax":
            trainers.get_trainer().run_if(ok, lambda: self._update(batch, step))
            return
        # JAX: a `lax.cond` around the whole step made XLA:CPU run it ~10x slower (measured
        # with benchmarks/train_speed.py --batch-check-overhead); the step always runs and
        # every variable then selects its new or its old value (a fused elementwise select).
        variables = [
            *self.trainable_variables,
            *self.non_trainable_variables,
            *self.optimizer.variables,
            *self.metrics_variables,
        ]
        before = [v.value for v in variables]
        self._update(batch, step)
        for variable, old in zip(variables, before):
            variable.assign(ops.where(ok, variable.value, old))

    def _update(self, batch, step):
        """Every phase of one step, then `finish_step`."""
        trainer = trainers.get_trainer()
        carry = {}
        for phase in self._phases:
            for repetition in range(phase.repeat):
                context = PhaseContext(
                    step=step,
                    index=step * phase.repeat + repetition,
                    repetition=repetition,
                    carry=dict(carry),
                )
                if phase.interval == 1:
                    logs = trainer.run_phase(phase, batch, context)
                    self._track(logs)
                    carry.update(
                        {k: ops.stop_gradient(v) for k, v in logs.items() if k.startswith("_")}
                    )
                else:

                    def run(phase=phase, context=context):
                        self._track(trainer.run_phase(phase, batch, context))

                    trainer.run_if(ops.equal(ops.mod(step, phase.interval), 0), run)
        self.finish_step(batch)
        for name, value in self._augmentation_logs().items():
            self._trackers[name].update_state(value)

    def _track(self, logs):
        """Updates the trackers; `_applied_<name>` logs weigh `<name>` (lazy penalties)."""
        for name, value in logs.items():
            if name.startswith("_"):
                continue
            if name not in self._trackers:
                raise ValueError(
                    f"{type(self).__name__}: a phase logged {name!r}, which is not in "
                    f"log_names() {list(self._trackers)}."
                )
            weight = logs.get("_applied_" + name)
            self._trackers[name].update_state(value, sample_weight=weight)

    def _no_evaluation(self, *args, **kwargs):
        # Raised before Keras' evaluate() starts: on JAX it purges the model's
        # variables first and would leave the model unusable after the error.
        raise NotImplementedError(
            f"{type(self).__name__}.evaluate() and fit(validation_data=...) are not "
            "supported: adversarial losses do not measure sample quality. Track FID with "
            "keras_gan_kit.callbacks.FIDMonitor, or use keras_gan_kit.metrics on the outputs "
            "(FID, KID; L1/PSNR/SSIM on held-out pairs for translation)."
        )

    test_step = _no_evaluation
    evaluate = _no_evaluation
    test_on_batch = _no_evaluation

    def _check_compiled(self):
        name = type(self).__name__
        if self._phases is None or not getattr(self, "compiled", False):
            raise ValueError(
                f"{name}.fit() was called before {name}.compile(). Call model.compile() first."
            )

    def fit(self, x=None, y=None, **kwargs):
        """Trains the model; see `keras.Model.fit`. Refuses validation data.

        Every batch is checked inside the step (see `batch_problems()` and
        `compile(check_batches=...)`): a bad batch makes no update and `fit`
        raises a `ValueError` naming the batch and epoch. The batch logs that
        callbacks receive carry a `loss` entry exactly when a logged value is
        NaN or infinite, so `keras.callbacks.TerminateOnNaN` stops a diverged
        run; `keras_gan_kit.callbacks.DivergenceGuard` also restores the last
        good weights and names the phase.
        """
        name = type(self).__name__
        self._check_compiled()
        if kwargs.get("validation_data") is not None or kwargs.get("validation_split"):
            raise ValueError(
                f"{name}.fit() does not support validation_data / validation_split: "
                "adversarial losses do not measure quality. Use keras_gan_kit.metrics "
                "(FID, or L1/PSNR/SSIM on held-out pairs) instead."
            )
        _check_fit_input(name, x, "x")
        callbacks = kwargs.pop("callbacks", None)
        monitor = BatchMonitor()
        if isinstance(callbacks, keras.callbacks.CallbackList):
            callbacks.callbacks.insert(0, monitor)
            monitor.set_model(self)
        else:
            if isinstance(callbacks, keras.callbacks.Callback):
                callbacks = [callbacks]
            callbacks = [monitor, *(callbacks or [])]
        self.batch_status.assign([0, 0])
        return super().fit(x, y, callbacks=callbacks, **kwargs)

    # ------------------------------------------------------------------ #
    # Serialization
    # ------------------------------------------------------------------ #
    def get_config(self):
        """Config: the networks (serialized), `seed`, `augmentation` and the family's arguments."""
        config = super().get_config()
        for name, network in self.networks().items():
            config[name] = keras.saving.serialize_keras_object(network)
        config["seed"] = self.seed
        if self.augmentation is not None:
            config["augmentation"] = keras.saving.serialize_keras_object(self.augmentation)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Recreates the model and its networks from `get_config()`'s output."""
        config = dict(config)
        for name in (*cls.network_names, "augmentation"):
            if config.get(name) is not None:
                config[name] = keras.saving.deserialize_keras_object(
                    config[name], custom_objects=custom_objects
                )
        return cls(**config)

    def _saved_seed_generators(self):
        """The seed generators whose state is saved with the model."""
        return [self.seed_generator]

    def save_own_variables(self, store):
        """Saves the seed generators' states (networks save themselves).

        Keras does not save `SeedGenerator` state by itself; storing it makes
        a resumed run draw the same noise as an uninterrupted one.
        """
        for i, generator in enumerate(self._saved_seed_generators()):
            store[str(i)] = ops.convert_to_numpy(generator.state)

    def load_own_variables(self, store):
        """Restores the seed states saved by `save_own_variables`."""
        generators = self._saved_seed_generators()
        if len(store.keys()) != len(generators):
            warnings.warn(
                f"Not restoring {type(self).__name__}'s seed state: the file stores "
                f"{len(store.keys())} values, expected {len(generators)}. Training noise will "
                "differ from an uninterrupted run.",
                stacklevel=2,
            )
            return
        for i, generator in enumerate(generators):
            generator.state.assign(store[str(i)])
