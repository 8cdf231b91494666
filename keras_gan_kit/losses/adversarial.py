"""Adversarial losses: pure per-sample functions of logits, and thin classes.

Every loss comes as two pure functions of discriminator logits that return one
value per sample (`*_discriminator_loss(real_logits, fake_logits)` and
`*_generator_loss(fake_logits, real_logits=None)`), and a small class that
reduces them to a scalar, carries a config and can be resolved by name through
`keras_gan_kit.losses.get()`: a class registers its names with class keywords,
`class HingeLoss(AdversarialLoss, register_as="hinge")`.

Logits may have any shape `(batch, ...)`: a single logit per sample, or a map
of logits (PatchGAN). Values are averaged over the non-batch axes, so every
function returns a tensor of shape `(batch,)`.
"""

from __future__ import annotations

import keras
from keras import ops

from keras_gan_kit.losses.registry import LOSSES

__all__ = [
    "AdversarialLoss",
    "NonSaturatingLoss",
    "MinimaxLoss",
    "WassersteinLoss",
    "HingeLoss",
    "LeastSquaresLoss",
    "RelativisticAverageLoss",
    "RelativisticPairingLoss",
    "non_saturating_discriminator_loss",
    "non_saturating_generator_loss",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "wasserstein_discriminator_loss",
    "wasserstein_generator_loss",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "relativistic_average_discriminator_loss",
    "relativistic_average_generator_loss",
    "relativistic_pairing_discriminator_loss",
    "relativistic_pairing_generator_loss",
]


def _per_sample(values):
    """Averages `values` over every axis but the first: `(batch, ...) -> (batch,)`."""
    values = ops.convert_to_tensor(values)
    if len(values.shape) <= 1:
        return values
    return ops.mean(values, axis=tuple(range(1, len(values.shape))))


def _float(logits):
    """Logits as float32: adversarial losses are never computed in half precision."""
    return ops.cast(ops.convert_to_tensor(logits), "float32")


# --------------------------------------------------------------------------- #
# Pure functions
# --------------------------------------------------------------------------- #
def non_saturating_discriminator_loss(real_logits, fake_logits):
    """Discriminator loss of the standard GAN (Goodfellow et al. 2014).

    `-log sigmoid(real) - log(1 - sigmoid(fake))`, computed stably as
    `softplus(-real) + softplus(fake)`.

    Args:
        real_logits: Tensor `(batch, ...)`. Discriminator logits on real data.
        fake_logits: Tensor `(batch, ...)`. Discriminator logits on generated data.

    Returns:
        Tensor of shape `(batch,)`.
    """
    real, fake = _float(real_logits), _float(fake_logits)
    return _per_sample(ops.softplus(-real)) + _per_sample(ops.softplus(fake))


def non_saturating_generator_loss(fake_logits, real_logits=None):
    """Non-saturating generator loss: `-log sigmoid(fake) = softplus(-fake)`.

    Args:
        fake_logits: Tensor `(batch, ...)`. Discriminator logits on generated data.
        real_logits: Unused; accepted so every generator loss has one signature.

    Returns:
        Tensor of shape `(batch,)`.
    """
    del real_logits
    return _per_sample(ops.softplus(-_float(fake_logits)))


def minimax_discriminator_loss(real_logits, fake_logits):
    """Discriminator loss of the original minimax game (same as non-saturating).

    Args:
        real_logits: Tensor `(batch, ...)`. Discriminator logits on real data.
        fake_logits: Tensor `(batch, ...)`. Discriminator logits on generated data.

    Returns:
        Tensor of shape `(batch,)`.
    """
    return non_saturating_discriminator_loss(real_logits, fake_logits)


def minimax_generator_loss(fake_logits, real_logits=None):
    """Minimax generator loss: `log(1 - sigmoid(fake)) = -softplus(fake)`.

    The generator minimises the discriminator's log-probability of being
    right; its gradient vanishes when the discriminator wins, which is why the
    non-saturating form is the usual choice.

    Args:
        fake_logits: Tensor `(batch, ...)`. Discriminator logits on generated data.
        real_logits: Unused.

    Returns:
        Tensor of shape `(batch,)`.
    """
    del real_logits
    return _per_sample(-ops.softplus(_float(fake_logits)))


def wasserstein_discriminator_loss(real_logits, fake_logits):
    """Critic loss of WGAN (Arjovsky et al. 2017): `fake - real`.

    Only meaningful with a Lipschitz constraint on the critic
    (`GradientPenalty`, or spectral normalization).

    Args:
        real_logits: Tensor `(batch, ...)`. Critic outputs on real data.
        fake_logits: Tensor `(batch, ...)`. Critic outputs on generated data.

    Returns:
        Tensor of shape `(batch,)`.
    """
    return _per_sample(_float(fake_logits)) - _per_sample(_float(real_logits))


def wasserstein_generator_loss(fake_logits, real_logits=None):
    """WGAN generator loss: `-fake`.

    Args:
        fake_logits: Tensor `(batch, ...)`. Critic outputs on generated data.
        real_logits: Unused.

    Returns:
        Tensor of shape `(batch,)`.
    """
    del real_logits
    return _per_sample(-_float(fake_logits))


def hinge_discriminator_loss(real_logits, fake_logits):
    """Hinge discriminator loss (Lim & Ye 2017; SNGAN, BigGAN).

    `relu(1 - real) + relu(1 + fake)`.

    Args:
        real_logits: Tensor `(batch, ...)`. Discriminator logits on real data.
        fake_logits: Tensor `(batch, ...)`. Discriminator logits on generated data.

    Returns:
        Tensor of shape `(batch,)`.
    """
    real, fake = _float(real_logits), _float(fake_logits)
    return _per_sample(ops.relu(1.0 - real)) + _per_sample(ops.relu(1.0 + fake))


def hinge_generator_loss(fake_logits, real_logits=None):
    """Hinge generator loss: `-fake`.

    Args:
        fake_logits: Tensor `(batch, ...)`. Discriminator logits on generated data.
        real_logits: Unused.

    Returns:
        Tensor of shape `(batch,)`.
    """
    del real_logits
    return _per_sample(-_float(fake_logits))


def least_squares_discriminator_loss(real_logits, fake_logits):
    """LSGAN discriminator loss (Mao et al. 2017, targets a=0, b=1).

    `0.5 * (real - 1)^2 + 0.5 * fake^2`.

    Args:
        real_logits: Tensor `(batch, ...)`. Discriminator outputs on real data.
        fake_logits: Tensor `(batch, ...)`. Discriminator outputs on generated data.

    Returns:
        Tensor of shape `(batch,)`.
    """
    real, fake = _float(real_logits), _float(fake_logits)
    return 0.5 * _per_sample(ops.square(real - 1.0)) + 0.5 * _per_sample(ops.square(fake))


def least_squares_generator_loss(fake_logits, real_logits=None):
    """LSGAN generator loss (target c=1): `0.5 * (fake - 1)^2`.

    Args:
        fake_logits: Tensor `(batch, ...)`. Discriminator outputs on generated data.
        real_logits: Unused.

    Returns:
        Tensor of shape `(batch,)`.
    """
    del real_logits
    return 0.5 * _per_sample(ops.square(_float(fake_logits) - 1.0))


def _relativistic(a, b):
    """`a - mean_batch(b)`, elementwise over the logit map."""
    return a - ops.mean(b, axis=0, keepdims=True)


def relativistic_average_discriminator_loss(real_logits, fake_logits):
    """Relativistic average discriminator loss, RaSGAN (Jolicoeur-Martineau 2018).

    `softplus(-(real - mean(fake))) + softplus(fake - mean(real))`, where the
    means run over the batch.

    Args:
        real_logits: Tensor `(batch, ...)`. Discriminator logits on real data.
        fake_logits: Tensor `(batch, ...)`. Discriminator logits on generated data.

    Returns:
        Tensor of shape `(batch,)`.
    """
    real, fake = _float(real_logits), _float(fake_logits)
    return _per_sample(ops.softplus(-_relativistic(real, fake))) + _per_sample(
        ops.softplus(_relativistic(fake, real))
    )


def relativistic_average_generator_loss(fake_logits, real_logits):
    """Relativistic average generator loss, RaSGAN.

    `softplus(-(fake - mean(real))) + softplus(real - mean(fake))`: the
    generator's loss depends on the real logits too.

    Args:
        fake_logits: Tensor `(batch, ...)`. Discriminator logits on generated data.
        real_logits: Tensor `(batch, ...)`. Discriminator logits on real data.
            Required.

    Returns:
        Tensor of shape `(batch,)`.
    """
    if real_logits is None:
        raise ValueError(
            "relativistic_average_generator_loss needs the discriminator's logits "
            "on real data. Received: real_logits=None"
        )
    real, fake = _float(real_logits), _float(fake_logits)
    return _per_sample(ops.softplus(-_relativistic(fake, real))) + _per_sample(
        ops.softplus(_relativistic(real, fake))
    )


def _paired(real_logits, fake_logits, caller):
    """Float32 `(real, fake)`, refusing shapes that would pair the wrong samples."""
    real, fake = _float(real_logits), _float(fake_logits)
    if tuple(real.shape) != tuple(fake.shape) and None not in (*real.shape, *fake.shape):
        raise ValueError(
            f"{caller} pairs the i-th real sample with the i-th generated one, so both "
            "logit tensors need the same shape. Received: real_logits.shape="
            f"{tuple(real.shape)}, fake_logits.shape={tuple(fake.shape)}"
        )
    return real, fake


def relativistic_pairing_discriminator_loss(real_logits, fake_logits):
    """Relativistic pairing discriminator loss, RpGAN (R3GAN's loss).

    `softplus(-(real_i - fake_i))`: the discriminator is asked how much more
    realistic the i-th real sample is than the i-th generated one. Unlike the
    relativistic *average* loss, each real sample is paired with one
    generated sample, not with the batch mean.

    Args:
        real_logits: Tensor `(batch, ...)`. Discriminator logits on real data.
        fake_logits: Tensor `(batch, ...)`, the same shape. Logits on generated
            data.

    Returns:
        Tensor of shape `(batch,)`.
    """
    real, fake = _paired(real_logits, fake_logits, "relativistic_pairing_discriminator_loss")
    return _per_sample(ops.softplus(-(real - fake)))


def relativistic_pairing_generator_loss(fake_logits, real_logits):
    """Relativistic pairing generator loss, RpGAN: `softplus(-(fake_i - real_i))`.

    The generator term needs the discriminator's logits on the real batch.

    Args:
        fake_logits: Tensor `(batch, ...)`. Discriminator logits on generated data.
        real_logits: Tensor `(batch, ...)`, the same shape. Logits on real data.
            Required.

    Returns:
        Tensor of shape `(batch,)`.
    """
    if real_logits is None:
        raise ValueError(
            "relativistic_pairing_generator_loss needs the discriminator's logits "
            "on real data. Received: real_logits=None"
        )
    real, fake = _paired(real_logits, fake_logits, "relativistic_pairing_generator_loss")
    return _per_sample(ops.softplus(-(fake - real)))


# --------------------------------------------------------------------------- #
# Classes
# --------------------------------------------------------------------------- #
@keras.saving.register_keras_serializable(package="keras_gan_kit")
class AdversarialLoss:
    """Base class of adversarial losses: a discriminator and a generator term.

    Write your own loss in one of two ways, both in `keras.ops`:

    - set the class attributes `discriminator_fn(real_logits, fake_logits)` and
      `generator_fn(fake_logits, real_logits)` to pure per-sample functions
      (as the built-in losses do), or
    - override `discriminator_loss_per_sample` and `generator_loss_per_sample`.

    Either way the functions receive float32 logits of shape `(batch, ...)` and
    return a tensor of shape `(batch,)`. Pass an instance to
    `GAN.compile(loss=...)`. Decorate the class with
    `keras.saving.register_keras_serializable()` so that `.keras` files that use
    it can be loaded again.

    To make a loss resolvable by name (`losses.get("soft_hinge")`,
    `GAN.compile(loss="soft_hinge")`, and listed by `losses.available()`),
    give the class keywords `register_as="soft_hinge"` and optionally
    `aliases=("sh",)`. Names are matched case-insensitively, with `-` and
    spaces read as `_`; a name held by another class is refused.

    Args:
        name: str. Short name, used in error messages and configs. Defaults to
            the snake-case class name.

    Attributes:
        needs_real_logits_for_generator: bool. Whether the generator term needs
            the discriminator's logits on real data (relativistic losses); the
            GAN then runs the discriminator on the real batch in the
            generator's phase too.
        is_critic_loss: bool. True for losses whose discriminator is an
            unbounded critic (Wasserstein). Zero-centred penalties (R1, R2)
            do not bound such a critic and are refused with it.

    Example:

    ```python
    import keras
    from keras import ops
    import keras_gan_kit as kgk

    def soft_hinge_d(real_logits, fake_logits):
        per_element = ops.softplus(1.0 - real_logits) + ops.softplus(1.0 + fake_logits)
        return ops.mean(ops.reshape(per_element, (ops.shape(per_element)[0], -1)), axis=1)

    def soft_hinge_g(fake_logits, real_logits=None):
        return ops.mean(ops.reshape(-fake_logits, (ops.shape(fake_logits)[0], -1)), axis=1)

    @keras.saving.register_keras_serializable(package="my_project")
    class SoftHingeLoss(kgk.losses.AdversarialLoss, register_as="soft_hinge"):
        discriminator_fn = staticmethod(soft_hinge_d)
        generator_fn = staticmethod(soft_hinge_g)

    gan.compile(loss=SoftHingeLoss())  # or loss="soft_hinge"
    ```
    """

    discriminator_fn = None
    generator_fn = None
    needs_real_logits_for_generator = False
    is_critic_loss = False

    def __init_subclass__(cls, register_as: str | None = None, aliases=(), **kwargs):
        super().__init_subclass__(**kwargs)
        if register_as is not None:
            LOSSES.register(cls, register_as, aliases)
        elif aliases:
            raise ValueError(
                f"{cls.__name__}: `aliases` needs `register_as`, the loss's main name. "
                f"Received: aliases={aliases!r}"
            )

    def __init__(self, name: str | None = None):
        self.name = name or _snake_case(type(self).__name__)

    def discriminator_loss_per_sample(self, real_logits, fake_logits):
        """Discriminator loss per sample.

        Calls `discriminator_fn`; override this method instead if you prefer.

        Args:
            real_logits: float32 tensor `(batch, ...)`.
            fake_logits: float32 tensor `(batch, ...)`.

        Returns:
            Tensor `(batch,)`.
        """
        if type(self).discriminator_fn is None:
            raise NotImplementedError(
                f"{type(self).__name__} must set `discriminator_fn` or override "
                "`discriminator_loss_per_sample()`."
            )
        return type(self).discriminator_fn(real_logits, fake_logits)

    def generator_loss_per_sample(self, fake_logits, real_logits=None):
        """Generator loss per sample.

        Calls `generator_fn`; override this method instead if you prefer.

        Args:
            fake_logits: float32 tensor `(batch, ...)`.
            real_logits: float32 tensor `(batch, ...)`, or None unless
                `needs_real_logits_for_generator` is True.

        Returns:
            Tensor `(batch,)`.
        """
        if type(self).generator_fn is None:
            raise NotImplementedError(
                f"{type(self).__name__} must set `generator_fn` or override "
                "`generator_loss_per_sample()`."
            )
        return type(self).generator_fn(fake_logits, real_logits)

    def discriminator_loss(self, real_logits, fake_logits):
        """Mean discriminator loss over the batch (a float32 scalar).

        Args:
            real_logits: Tensor `(batch, ...)`. Logits on real data.
            fake_logits: Tensor `(batch, ...)`. Logits on generated data.

        Returns:
            Scalar tensor.
        """
        per_sample = self.discriminator_loss_per_sample(_float(real_logits), _float(fake_logits))
        return ops.mean(per_sample)

    def generator_loss(self, fake_logits, real_logits=None):
        """Mean generator loss over the batch (a float32 scalar).

        Args:
            fake_logits: Tensor `(batch, ...)`. Logits on generated data.
            real_logits: Tensor `(batch, ...)` or None. Logits on real data.

        Returns:
            Scalar tensor.
        """
        if real_logits is not None:
            real_logits = _float(real_logits)
        return ops.mean(self.generator_loss_per_sample(_float(fake_logits), real_logits))

    def get_config(self) -> dict:
        """Returns the loss's config (its constructor arguments)."""
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict):
        """Creates a loss from `get_config()`'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def _snake_case(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i > 0:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class NonSaturatingLoss(
    AdversarialLoss, register_as="non_saturating", aliases=("ns", "standard", "bce")
):
    """Standard GAN loss with the non-saturating generator term (the default).

    Discriminator: `softplus(-real) + softplus(fake)`; generator:
    `softplus(-fake)`. Name in `losses.get()`: `"non_saturating"` (aliases
    `"ns"`, `"standard"`, `"bce"`).

    Args:
        name: str. Defaults to `"non_saturating_loss"`.

    References:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
    """

    discriminator_fn = staticmethod(non_saturating_discriminator_loss)
    generator_fn = staticmethod(non_saturating_generator_loss)


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class MinimaxLoss(AdversarialLoss, register_as="minimax", aliases=("saturating",)):
    """The original minimax GAN loss (saturating generator term).

    Discriminator: `softplus(-real) + softplus(fake)`; generator:
    `-softplus(fake)`. Name: `"minimax"` (alias `"saturating"`).

    Args:
        name: str. Defaults to `"minimax_loss"`.

    References:
        Goodfellow et al., "Generative Adversarial Nets", NeurIPS 2014.
    """

    discriminator_fn = staticmethod(minimax_discriminator_loss)
    generator_fn = staticmethod(minimax_generator_loss)


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class WassersteinLoss(AdversarialLoss, register_as="wasserstein", aliases=("wgan", "w")):
    """Wasserstein loss (WGAN). Pair with `GradientPenalty` or spectral norm.

    Critic: `fake - real`; generator: `-fake`. Name: `"wasserstein"` (aliases
    `"wgan"`, `"w"`).

    Args:
        name: str. Defaults to `"wasserstein_loss"`.

    References:
        Arjovsky et al., "Wasserstein GAN", ICML 2017.
    """

    discriminator_fn = staticmethod(wasserstein_discriminator_loss)
    generator_fn = staticmethod(wasserstein_generator_loss)
    is_critic_loss = True


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class HingeLoss(AdversarialLoss, register_as="hinge"):
    """Hinge loss, as in SNGAN, SAGAN and BigGAN.

    Discriminator: `relu(1 - real) + relu(1 + fake)`; generator: `-fake`.
    Name: `"hinge"`.

    Args:
        name: str. Defaults to `"hinge_loss"`.

    References:
        Lim & Ye, "Geometric GAN", 2017; Miyato et al., "Spectral Normalization
        for Generative Adversarial Networks", ICLR 2018.
    """

    discriminator_fn = staticmethod(hinge_discriminator_loss)
    generator_fn = staticmethod(hinge_generator_loss)


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class LeastSquaresLoss(AdversarialLoss, register_as="least_squares", aliases=("lsgan", "mse")):
    """Least-squares GAN loss (LSGAN), the CycleGAN default.

    Discriminator: `0.5 (real - 1)^2 + 0.5 fake^2`; generator:
    `0.5 (fake - 1)^2`. Name: `"least_squares"` (aliases `"lsgan"`, `"mse"`).

    Args:
        name: str. Defaults to `"least_squares_loss"`.

    References:
        Mao et al., "Least Squares Generative Adversarial Networks", ICCV 2017.
    """

    discriminator_fn = staticmethod(least_squares_discriminator_loss)
    generator_fn = staticmethod(least_squares_generator_loss)


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class RelativisticAverageLoss(
    AdversarialLoss, register_as="relativistic_average", aliases=("rasgan", "relativistic")
):
    """Relativistic average standard GAN loss (RaSGAN), as in ESRGAN.

    The discriminator estimates whether real data is more realistic than the
    average fake, and vice versa. The generator term uses real logits too.
    Name: `"relativistic_average"` (aliases `"rasgan"`, `"relativistic"`).

    Args:
        name: str. Defaults to `"relativistic_average_loss"`.

    References:
        Jolicoeur-Martineau, "The relativistic discriminator: a key element
        missing from standard GAN", ICLR 2019.
    """

    discriminator_fn = staticmethod(relativistic_average_discriminator_loss)
    generator_fn = staticmethod(relativistic_average_generator_loss)
    needs_real_logits_for_generator = True


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class RelativisticPairingLoss(
    AdversarialLoss, register_as="rpgan", aliases=("relativistic_pairing", "rp_gan")
):
    """Relativistic pairing GAN loss (RpGAN), the loss of R3GAN.

    Discriminator: `softplus(-(r_i - f_i))`; generator:
    `softplus(-(f_i - r_i))`, where `r_i` and `f_i` are the logits of the
    i-th real and i-th generated sample of the batch (a logit map is paired
    cell by cell, then averaged). The generator term uses real logits, so the
    GAN runs the discriminator on the real batch in the generator phase too,
    as R3GAN's `AccumulateGeneratorGradients` does. Name: `"rpgan"` (aliases
    `"relativistic_pairing"`, `"rp_gan"`).

    R3GAN's full objective is this loss plus R1 and R2 with the same gamma:
    `compile(loss="rpgan", penalties=[R1Penalty(gamma), R2Penalty(gamma)])`,
    whose discriminator loss is `softplus(-(r - f)) + gamma/2 (|grad r|^2 +
    |grad f|^2)`. Without the penalties RpGAN alone does not converge
    locally (Huang et al., section 2).

    Args:
        name: str. Defaults to `"relativistic_pairing_loss"`.

    Example:

    ```python
    gan.compile(loss="rpgan", penalties=[kgk.losses.R1Penalty(0.05), kgk.losses.R2Penalty(0.05)])
    ```

    References:
        Jolicoeur-Martineau, "The relativistic discriminator: a key element
        missing from standard GAN", ICLR 2019; Sun et al., "Towards a Better
        Global Loss Landscape of GANs", NeurIPS 2020; Huang et al., "The GAN
        is dead; long live the GAN! A Modern GAN Baseline", NeurIPS 2024.
    """

    discriminator_fn = staticmethod(relativistic_pairing_discriminator_loss)
    generator_fn = staticmethod(relativistic_pairing_generator_loss)
    needs_real_logits_for_generator = True
