"""The loss and penalty registries: names live on the classes, everything else reads them."""

import keras
import pytest

from keras_gan_kit import losses
from keras_gan_kit.losses.registry import Registry

# The names every release so far resolves; they must keep resolving.
LOSS_NAMES = {
    "non_saturating": ("ns", "standard", "bce"),
    "minimax": ("saturating",),
    "wasserstein": ("wgan", "w"),
    "hinge": (),
    "least_squares": ("lsgan", "mse"),
    "relativistic_average": ("rasgan", "relativistic"),
    "rpgan": ("relativistic_pairing", "rp_gan"),
}
PENALTY_NAMES = {"gp": ("gradient_penalty",), "r1": (), "r2": ()}


def test_available_lists_the_built_in_names_and_aliases():
    assert {k: v for k, v in losses.available().items() if k in LOSS_NAMES} == LOSS_NAMES
    assert {k: v for k, v in losses.available("penalties").items() if k in PENALTY_NAMES} == (
        PENALTY_NAMES
    )
    with pytest.raises(ValueError, match="kind='metrics'"):
        losses.available("metrics")


@pytest.mark.parametrize("kind", ["losses", "penalties"])
def test_every_registered_name_resolves_and_is_exported(kind):
    get = losses.get if kind == "losses" else losses.get_penalty
    for name, aliases in losses.available(kind).items():
        cls = type(get(name))
        if cls.__module__.startswith("keras_gan_kit."):  # not the test classes below
            assert cls.__name__ in losses.__all__ and getattr(losses, cls.__name__) is cls
        for alias in aliases:
            assert type(get(alias.upper().replace("_", "-"))) is cls


def test_penalty_log_key_is_its_registered_name():
    assert [losses.get_penalty(n).name for n in PENALTY_NAMES] == ["gp", "r1", "r2"]


@keras.saving.register_keras_serializable(package="tests")
class DoubleHinge(losses.AdversarialLoss, register_as="test_double_hinge", aliases=("test_dh",)):
    def discriminator_loss_per_sample(self, real_logits, fake_logits):
        return 2.0 * losses.hinge_discriminator_loss(real_logits, fake_logits)

    def generator_loss_per_sample(self, fake_logits, real_logits=None):
        return 2.0 * losses.hinge_generator_loss(fake_logits)


def test_a_new_loss_is_one_class():
    assert type(losses.get("Test-Double-Hinge")) is DoubleHinge
    assert type(losses.get("test_dh")) is DoubleHinge
    assert losses.available()["test_double_hinge"] == ("test_dh",)
    with pytest.raises(ValueError, match="test_double_hinge"):
        losses.get("nothing")  # the error lists the new name too


def test_taken_names_and_stray_aliases_are_refused():
    with pytest.raises(ValueError, match="'wgan' is already registered by .*WassersteinLoss"):

        class Clash(losses.AdversarialLoss, register_as="mine", aliases=("wgan",)):
            pass

    assert "mine" not in losses.available()
    with pytest.raises(ValueError, match="needs `register_as`"):

        class NoName(losses.Penalty, aliases=("x",)):
            pass

    with pytest.raises(ValueError, match="aliases='ab'"):
        Registry("thing").register(DoubleHinge, "thing", aliases="ab")
