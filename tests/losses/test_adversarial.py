import keras
import numpy as np
import pytest

from keras_gan_kit import losses
from tests.test_case import assert_serialization_round_trip

REAL = np.array([[2.0], [-1.0], [0.5], [3.0]], dtype="float32")
FAKE = np.array([[-0.5], [1.5], [-2.0], [0.0]], dtype="float32")


def softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)


r, f = REAL[:, 0].astype("float64"), FAKE[:, 0].astype("float64")
CLOSED_FORMS = {
    # name: (per-sample D loss, per-sample G loss)
    "non_saturating": (
        -np.log(1 / (1 + np.exp(-r))) - np.log(1 - 1 / (1 + np.exp(-f))),
        -np.log(1 / (1 + np.exp(-f))),
    ),
    "minimax": (
        -np.log(1 / (1 + np.exp(-r))) - np.log(1 - 1 / (1 + np.exp(-f))),
        np.log(1 - 1 / (1 + np.exp(-f))),
    ),
    "wasserstein": (f - r, -f),
    "hinge": (np.maximum(0, 1 - r) + np.maximum(0, 1 + f), -f),
    "least_squares": (0.5 * (r - 1) ** 2 + 0.5 * f**2, 0.5 * (f - 1) ** 2),
    "relativistic_average": (
        softplus(-(r - f.mean())) + softplus(f - r.mean()),
        softplus(-(f - r.mean())) + softplus(r - f.mean()),
    ),
    # RpGAN: the i-th real sample is paired with the i-th fake one
    "relativistic_pairing": (
        np.log1p(np.exp(-(r - f))),
        np.log1p(np.exp(-(f - r))),
    ),
}


def to_np(x):
    return np.asarray(keras.ops.convert_to_numpy(x), dtype="float64")


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_loss_matches_closed_form(name):
    loss = losses.get(name)
    d_expected, g_expected = CLOSED_FORMS[name]
    d = to_np(loss.discriminator_loss_per_sample(REAL, FAKE))
    g = to_np(loss.generator_loss_per_sample(FAKE, REAL))
    np.testing.assert_allclose(d, d_expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g, g_expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        to_np(loss.discriminator_loss(REAL, FAKE)), d_expected.mean(), rtol=1e-5
    )
    np.testing.assert_allclose(to_np(loss.generator_loss(FAKE, REAL)), g_expected.mean(), rtol=1e-5)


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_pure_functions_equal_classes(name):
    d_fn = getattr(losses, f"{name}_discriminator_loss")
    g_fn = getattr(losses, f"{name}_generator_loss")
    loss = losses.get(name)
    np.testing.assert_allclose(
        to_np(d_fn(REAL, FAKE)), to_np(loss.discriminator_loss_per_sample(REAL, FAKE))
    )
    np.testing.assert_allclose(
        to_np(g_fn(FAKE, REAL)), to_np(loss.generator_loss_per_sample(FAKE, REAL))
    )


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_patch_logits_average_per_sample(name):
    """A logit map (PatchGAN) gives one value per sample: the mean over its cells."""
    loss = losses.get(name)
    rng = np.random.default_rng(0)
    real = rng.normal(size=(3, 2, 2, 1)).astype("float32")
    fake = rng.normal(size=(3, 2, 2, 1)).astype("float32")
    per_sample = to_np(loss.discriminator_loss_per_sample(real, fake))
    assert per_sample.shape == (3,)
    if name != "relativistic_average":  # its batch mean couples the samples
        single = to_np(loss.discriminator_loss_per_sample(real[:1], fake[:1]))
        np.testing.assert_allclose(per_sample[0], single[0], rtol=1e-5)


def test_losses_are_float32_for_half_precision_logits():
    out = losses.get("hinge").discriminator_loss(REAL.astype("float16"), FAKE.astype("float16"))
    assert keras.backend.standardize_dtype(out.dtype) == "float32"


@pytest.mark.parametrize(
    "alias, cls",
    [
        ("ns", losses.NonSaturatingLoss),
        ("Non-Saturating", losses.NonSaturatingLoss),
        ("wgan", losses.WassersteinLoss),
        ("lsgan", losses.LeastSquaresLoss),
        ("rasgan", losses.RelativisticAverageLoss),
        ("rpgan", losses.RelativisticPairingLoss),
        ("RpGAN", losses.RelativisticPairingLoss),
        ("relativistic-pairing", losses.RelativisticPairingLoss),
        ("rp_gan", losses.RelativisticPairingLoss),
        ("saturating", losses.MinimaxLoss),
        ("hinge", losses.HingeLoss),
    ],
)
def test_get_resolves_names_and_aliases(alias, cls):
    assert type(losses.get(alias)) is cls


def test_get_unknown_name_lists_choices():
    with pytest.raises(ValueError, match=r"loss='hinj'.*hinge"):
        losses.get("hinj")
    with pytest.raises(ValueError, match="Could not interpret"):
        losses.get(3)


def test_relativistic_generator_loss_requires_real_logits():
    with pytest.raises(ValueError, match="real_logits=None"):
        losses.relativistic_average_generator_loss(FAKE, None)
    with pytest.raises(ValueError, match="real_logits=None"):
        losses.relativistic_pairing_generator_loss(FAKE, None)
    assert losses.RelativisticPairingLoss.needs_real_logits_for_generator


def test_relativistic_pairing_refuses_unpaired_shapes():
    with pytest.raises(ValueError, match=r"real_logits.shape=\(4, 1\), fake_logits.shape=\(3, 1\)"):
        losses.relativistic_pairing_discriminator_loss(REAL, FAKE[:3])
    with pytest.raises(ValueError, match="same shape"):
        losses.get("rpgan").generator_loss(FAKE[:3], REAL)


def test_relativistic_pairing_is_symmetric_in_its_players():
    """RpGAN's G loss is its D loss with real and fake swapped; a logit map pairs cell by cell."""
    rng = np.random.default_rng(1)
    real = rng.normal(size=(3, 2, 2, 1)).astype("float32")
    fake = rng.normal(size=(3, 2, 2, 1)).astype("float32")
    d = to_np(losses.relativistic_pairing_discriminator_loss(real, fake))
    g = to_np(losses.relativistic_pairing_generator_loss(real, fake))  # fake := real
    np.testing.assert_allclose(d, g, rtol=1e-6)
    cells = np.log1p(np.exp(-(real - fake).astype("float64")))
    np.testing.assert_allclose(d, cells.reshape(3, -1).mean(axis=1), rtol=1e-5)


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_serialization_round_trip(name):
    loss = losses.get(name)
    restored = assert_serialization_round_trip(loss)
    assert losses.get(keras.saving.serialize_keras_object(loss)).name == restored.name


@keras.saving.register_keras_serializable(package="tests")
class ScaledHinge(losses.AdversarialLoss):
    def __init__(self, scale=2.0, name=None):
        super().__init__(name=name)
        self.scale = scale

    def discriminator_loss_per_sample(self, real_logits, fake_logits):
        return self.scale * losses.hinge_discriminator_loss(real_logits, fake_logits)

    def generator_loss_per_sample(self, fake_logits, real_logits=None):
        return self.scale * losses.hinge_generator_loss(fake_logits)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def test_custom_loss_subclass():
    loss = ScaledHinge(scale=3.0)
    expected = 3.0 * CLOSED_FORMS["hinge"][0].mean()
    np.testing.assert_allclose(to_np(loss.discriminator_loss(REAL, FAKE)), expected, rtol=1e-5)
    restored = assert_serialization_round_trip(loss)
    assert restored.scale == 3.0


def test_base_class_without_functions_raises():
    with pytest.raises(NotImplementedError, match="discriminator_fn"):
        losses.AdversarialLoss().discriminator_loss(REAL, FAKE)
