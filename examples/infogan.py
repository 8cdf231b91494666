"""InfoGAN on a ring of eight 2-D Gaussians: a model family the library does not ship.

InfoGAN (Chen et al. 2016) feeds the generator a categorical code `c` (one of
`num_codes` values, one-hot) besides its noise `z`, and asks an auxiliary head
`Q`, sharing the discriminator's body, to recover `c` from `G(z, c)`. Both the
generator and `D`/`Q` minimise `mi_weight * CE(c, Q(G(z, c)))`, the negative
of the variational lower bound on the mutual information `I(c; G(z, c))`
(up to the constant `H(c)`). Nothing tells the model what the code should
mean: on a mixture of eight Gaussians it learns, unsupervised, to let each
code value pick one mode.

The family below is written only as networks plus one subclass of
`keras_gan_kit.models.AdversarialModel` that lists its phases; it touches no
file of the library (see the guide page "Writing a model family"). After
training, the script reports:

- how well `Q` recovers the code of generated samples (chance: 1 / num_codes),
- for each code value, the mode most of its samples fall in and that share
  (its "purity"), and how many distinct modes the eight codes pick,
- the usual mode coverage of all samples.

```bash
KERAS_BACKEND=jax python examples/infogan.py
python examples/infogan.py --mi-weight 0   # ablation: a plain GAN with an ignored code
```
"""

from __future__ import annotations

import argparse
import math
import time

import keras
import numpy as np
from keras import ops

import keras_gan_kit as kgk
from keras_gan_kit.trainers import Phase

STD = 0.05  # of each of the eight Gaussians
NUM_CODES = 8
NOISE_DIM = 4


# --8<-- [start:family]
@keras.saving.register_keras_serializable(package="examples")
class InfoGAN(kgk.models.AdversarialModel):
    """InfoGAN with one categorical code, trained by `fit()`.

    The generator takes `[noise, one_hot(code)]` concatenated into one vector
    of `noise_dim + num_codes` values. The discriminator returns
    `[logits, code_logits]`: the real/fake logit `(batch, 1)` and `Q`'s logits
    over the code values `(batch, num_codes)`, computed from a shared body.

    One training step has two phases, which draw one batch of latents:

    1. discriminator phase (updates `D` and `Q`): the adversarial
       discriminator loss plus `mi_weight * CE(c, Q(G(z, c)))` on the
       (detached) generated batch; it hands its latents to the next phase
       through `context.carry`;
    2. generator phase (updates `G`): the adversarial generator loss plus
       the same cross-entropy, now differentiated through `G`.

    Logged: `d_loss`, `g_loss` (adversarial parts only) and `mi`, the lower
    bound `log(num_codes) - CE` on the mutual information between the code
    and the generated sample that `Q` reaches in the discriminator phase, in
    nats (at most `log(num_codes)`).

    Args:
        generator: `keras.Model`. Maps `(batch, noise_dim + num_codes)`
            latents (noise, then the one-hot code) to samples.
        discriminator: `keras.Model`. Maps samples to
            `[logits, code_logits]`.
        num_codes: int. Number of values of the categorical code (>= 2).
        noise_dim: int. Size of the noise part of the latents (>= 1).
        seed: int. Seed of the training noise. Defaults to None.
        **kwargs: `keras_gan_kit.models.AdversarialModel` arguments
            (`augmentation`) and `keras.Model` ones (`name`, `dtype`).

    Example:

    ```python
    model = InfoGAN(build_generator(), build_discriminator(), num_codes=8, noise_dim=4)
    model.compile(mi_weight=1.0)
    model.fit(points, batch_size=256, epochs=20)
    samples = model.generate(np.repeat(np.arange(8), 100))  # 100 samples per code value
    ```

    References:
        Chen et al., "InfoGAN: Interpretable Representation Learning by
        Information Maximizing Generative Adversarial Nets", NeurIPS 2016.
    """

    network_names = ("generator", "discriminator")

    def __init__(self, generator, discriminator, num_codes, noise_dim, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        for arg, value in (("num_codes", num_codes), ("noise_dim", noise_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"`{arg}` must be a positive int. Received: {arg}={value!r}")
        if num_codes < 2:
            raise ValueError(f"`num_codes` must be at least 2. Received: num_codes={num_codes}")
        self.generator = generator
        self.discriminator = discriminator
        self.num_codes = num_codes
        self.noise_dim = noise_dim
        self.mi_weight = 1.0
        # Build both networks (and the augmentation) once and check that they fit together.
        samples = generator(ops.zeros((2, noise_dim + num_codes)))
        outputs = discriminator(self.augment(samples, training=False))
        if not isinstance(outputs, (list, tuple)) or len(outputs) != 2:
            raise ValueError(
                "The discriminator must return [logits, code_logits]. Received: "
                f"{type(outputs).__name__} output for a batch of 2 samples."
            )
        if tuple(outputs[1].shape) != (2, num_codes):
            raise ValueError(
                f"The discriminator's code_logits must have shape (batch, num_codes={num_codes})."
                f" Received: shape {tuple(outputs[1].shape)} for a batch of 2 samples."
            )
        self.built = True

    # -- what the engine asks of a family ---------------------------------- #
    def compile(
        self,
        generator_optimizer="auto",
        discriminator_optimizer="auto",
        loss="non_saturating",
        mi_weight=1.0,
        **kwargs,
    ):
        """Configures training.

        Args:
            generator_optimizer: optimizer, name, config or `"auto"`
                (`Adam(2e-4, beta_1=0.5)`). Defaults to `"auto"`.
            discriminator_optimizer: as `generator_optimizer`; updates `D`
                and `Q`. Defaults to `"auto"`.
            loss: adversarial loss name or `keras_gan_kit.losses.AdversarialLoss`.
                Defaults to `"non_saturating"`.
            mi_weight: float. The paper's lambda (>= 0). Defaults to 1.0.
            **kwargs: the engine's arguments (`generator_regularizers`,
                `jit_compile`, `steps_per_execution`, `run_eagerly`).
        """
        if isinstance(mi_weight, bool) or not isinstance(mi_weight, (int, float)) or mi_weight < 0:
            raise ValueError(
                f"`mi_weight` must be a number >= 0. Received: mi_weight={mi_weight!r}"
            )
        self.mi_weight = float(mi_weight)  # read by the loss functions
        super().compile(
            optimizers={
                "discriminator": discriminator_optimizer,
                "generator": generator_optimizer,
            },
            loss=loss,
            config={"mi_weight": self.mi_weight},  # saved with the model, used to recompile
            **kwargs,
        )

    def optimizer_variables(self):
        """`D` and `Q` (one network) on one optimizer, `G` on the other."""
        return {
            "discriminator": self.discriminator.trainable_variables,
            "generator": self.generator.trainable_variables,
        }

    def phases(self):
        """The discriminator (and `Q`) phase, then the generator phase."""
        return [
            Phase(
                "discriminator",
                self._discriminator_loss,
                self.discriminator.trainable_variables,
                self.optimizer["discriminator"],
                log_names=("d_loss", "mi"),
            ),
            Phase(
                "generator",
                self._generator_loss,
                self.generator.trainable_variables,
                self.optimizer["generator"],
                log_names=("g_loss",),
            ),
        ]

    def unpack_batch(self, data):
        """The real samples of a batch, as float32."""
        if isinstance(data, (tuple, list)):
            data = data[0]
        return ops.cast(data, "float32")

    def generator_inputs(self, batch):
        """The generator as a function of its noise (codes bound), for generator regularizers."""
        latents = self.draw_latents(ops.shape(batch)[0])
        noise, codes = latents[:, : self.noise_dim], latents[:, self.noise_dim :]

        def generator_fn(noise):
            return self.generator(ops.concatenate([noise, codes], axis=1), training=True)

        return [(generator_fn, noise)]

    # -- the algorithm ------------------------------------------------------ #
    def draw_latents(self, batch_size):
        """`(batch_size, noise_dim + num_codes)`: standard normal noise, then a one-hot code."""
        noise = keras.random.normal((batch_size, self.noise_dim), seed=self.seed_generator)
        codes = keras.random.randint((batch_size,), 0, self.num_codes, seed=self.seed_generator)
        return ops.concatenate([noise, ops.one_hot(codes, self.num_codes)], axis=1)

    def _discriminate(self, samples):
        """Float32 `(logits, code_logits)` of (augmented) samples, in training mode."""
        logits, code_logits = self.discriminator(self.augment(samples), training=True)
        return ops.cast(logits, "float32"), ops.cast(code_logits, "float32")

    def _code_cross_entropy(self, latents, code_logits):
        """Mean `CE(c, Q(x))`, in nats: the negative MI lower bound, up to `H(c)`."""
        one_hot = latents[:, self.noise_dim :]
        return ops.mean(
            keras.losses.categorical_crossentropy(one_hot, code_logits, from_logits=True)
        )

    def _discriminator_loss(self, real, context):
        latents = self.draw_latents(ops.shape(real)[0])
        with kgk.trainers.no_gradient():  # this phase does not train G
            fake = ops.stop_gradient(self.generator(latents, training=True))
        real_logits, _ = self._discriminate(real)
        fake_logits, code_logits = self._discriminate(fake)
        d_loss = self.adversarial_loss.discriminator_loss(real_logits, fake_logits)
        cross_entropy = self._code_cross_entropy(latents, code_logits)
        logs = {
            "d_loss": d_loss,
            "mi": math.log(self.num_codes) - cross_entropy,
            "_latents": latents,  # `_` keys reach later phases (detached) via context.carry
        }
        return d_loss + self.mi_weight * cross_entropy, logs

    def _generator_loss(self, real, context):
        latents = context.carry.get("_latents")
        if latents is None:  # run on its own (no discriminator phase before it)
            latents = self.draw_latents(ops.shape(real)[0])
        fake_logits, code_logits = self._discriminate(self.generator(latents, training=True))
        real_logits = (
            self._discriminate(real)[0]
            if self.adversarial_loss.needs_real_logits_for_generator
            else None
        )
        g_loss = self.adversarial_loss.generator_loss(fake_logits, real_logits)
        cross_entropy = self._code_cross_entropy(latents, code_logits)
        return g_loss + self.mi_weight * cross_entropy, {"g_loss": g_loss}

    # -- using the trained model -------------------------------------------- #
    def call(self, latents, training=False):
        """Runs the generator on `(batch, noise_dim + num_codes)` latents."""
        return self.generator(latents, training=training)

    def generate(self, codes, seed=None):
        """Samples for the given code values, from fresh noise, as a NumPy array.

        Args:
            codes: int array `(n,)` of code values in `[0, num_codes)`.
            seed: int. Seed of the noise. Defaults to None.

        Returns:
            float32 array `(n, *sample_shape)`.
        """
        codes = np.asarray(codes)
        noise = np.random.default_rng(seed).standard_normal((len(codes), self.noise_dim))
        latents = np.concatenate([noise, np.eye(self.num_codes)[codes]], axis=1)
        return ops.convert_to_numpy(self(latents.astype("float32"))).astype("float32")

    def predict_codes(self, samples):
        """`Q`'s most likely code value for each sample, an int array `(n,)`."""
        _, code_logits = self.discriminator(ops.convert_to_tensor(samples), training=False)
        return np.argmax(ops.convert_to_numpy(code_logits), axis=1)

    def get_config(self):
        """Config: the networks (serialized), `seed`, `augmentation`, `num_codes`, `noise_dim`."""
        config = super().get_config()
        config.update({"num_codes": self.num_codes, "noise_dim": self.noise_dim})
        return config


# --8<-- [end:family]


# --8<-- [start:networks]
def build_generator() -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((NOISE_DIM + NUM_CODES,)),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(2),  # linear output: the data span [-2.2, 2.2]
        ],
        name="generator",
    )


def build_discriminator() -> keras.Model:
    """A shared body with two heads: the real/fake logit and Q's code logits."""
    points = keras.Input((2,))
    features = keras.layers.Dense(128, activation="leaky_relu")(points)
    features = keras.layers.Dense(128, activation="leaky_relu")(features)
    logits = keras.layers.Dense(1, name="logits")(features)
    q_features = keras.layers.Dense(128, activation="leaky_relu")(features)
    code_logits = keras.layers.Dense(NUM_CODES, name="code_logits")(q_features)
    return keras.Model(points, [logits, code_logits], name="discriminator")


# --8<-- [end:networks]


def code_report(model: InfoGAN, centers: np.ndarray, per_code: int, seed: int) -> dict:
    """Measures what the code controls on `per_code` generated samples per code value."""
    codes = np.repeat(np.arange(model.num_codes), per_code)
    samples = model.generate(codes, seed=seed)
    q_accuracy = float(np.mean(model.predict_codes(samples) == codes))
    distances = np.linalg.norm(samples[:, None, :] - centers[None], axis=-1)
    nearest = distances.argmin(axis=1)
    close = distances.min(axis=1) <= 3 * STD  # "high-quality" samples
    dominant, purity, agreement = [], [], []
    for code in range(model.num_codes):
        modes = nearest[(codes == code) & close]
        counts = np.bincount(modes, minlength=len(centers))
        dominant.append(int(counts.argmax()) if len(modes) else None)  # None: no sample near one
        purity.append(float(counts.max() / per_code))  # share of all samples of the code
        agreement.append(float(counts.max() / max(len(modes), 1)))  # of its close samples
    return {
        "q_accuracy": q_accuracy,
        "dominant_modes": dominant,
        "purity": purity,
        "agreement": agreement,
        "distinct_modes": len(set(dominant) - {None}),
        "coverage": kgk.metrics.mode_coverage(samples, centers, std=STD),
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--num-samples", type=int, default=8192, help="size of the training set")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--mi-weight", type=float, default=1.0, help="the paper's lambda")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=2, help="fit() verbosity (0, 1, 2)")
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    data, centers = kgk.datasets.gaussian_mixture_2d(
        "ring", args.num_samples, std=STD, seed=args.seed, return_centers=True
    )
    model = InfoGAN(build_generator(), build_discriminator(), NUM_CODES, NOISE_DIM, seed=args.seed)
    model.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        mi_weight=args.mi_weight,
    )
    print(
        f"Backend: {keras.backend.backend()} | InfoGAN, {NUM_CODES} codes, noise {NOISE_DIM}, "
        f"mi_weight {args.mi_weight} | {args.num_samples} points, {args.epochs} epochs"
    )
    start = time.perf_counter()
    history = model.fit(data, batch_size=args.batch_size, epochs=args.epochs, verbose=args.verbose)
    final = {k: round(float(v[-1]), 3) for k, v in history.history.items()}
    print(f"Trained in {time.perf_counter() - start:.1f} s. Final logs: {final}")

    report = code_report(model, centers, per_code=500, seed=args.seed + 1)
    chance = 1.0 / NUM_CODES
    print(
        f"Q recovers the code of generated samples: {report['q_accuracy']:.1%} "
        f"(chance {chance:.1%})"
    )
    print(
        f"Distinct modes picked by the {NUM_CODES} codes: {report['distinct_modes']} / "
        f"{len(centers)}; a code's samples at its mode: {np.mean(report['purity']):.1%} of all, "
        f"{np.mean(report['agreement']):.1%} of those within 3 std of a mode"
    )
    for code, (mode, purity) in enumerate(zip(report["dominant_modes"], report["purity"])):
        target = "no mode" if mode is None else f"mode {mode}"
        print(f"  code {code} -> {target} ({purity:.0%} of its samples)")
    coverage = report["coverage"]
    print(
        f"Modes covered: {coverage['modes_covered']} / {coverage['num_modes']}; "
        f"high-quality samples {coverage['high_quality_fraction']:.1%}"
    )
    return report


if __name__ == "__main__":
    main()
