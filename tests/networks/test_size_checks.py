"""Every bundled network refuses too small (or badly divisible) images, naming the minimum."""

import keras
import numpy as np
import pytest

from keras_gan_kit import networks
from keras_gan_kit.networks.patchgan_discriminator import patchgan_min_size, patchgan_output_size
from keras_gan_kit.networks.resnet_generator import resnet_min_size

TINY = {"base_filters": 2, "normalization": "none"}

# (constructor, kwargs, error pattern): construction must fail before any layer is built.
BAD_CONSTRUCTIONS = [
    (networks.DCGANGenerator, {"image_size": 4, "latent_dim": 2}, r"power of two >= 8.*=4"),
    (networks.DCGANGenerator, {"image_size": 12, "latent_dim": 2}, r"power of two >= 8.*=12"),
    (networks.DCGANDiscriminator, {"image_size": 4}, r"power of two >= 8.*image_size=4"),
    (networks.DCGANDiscriminator, {"image_size": 24}, r"power of two >= 8.*image_size=24"),
    (networks.SNGANGenerator, {"image_size": 4, "widths": 4}, r">= 8.*image_size=4"),
    (networks.SNGANDiscriminator, {"image_size": 4, "widths": 4}, r">= 8.*image_size=4"),
    (
        networks.SNGANDiscriminator,
        {"image_size": 8, "widths": 4, "num_downsamples": 3},
        r"at most 2 times.*num_downsamples=3",
    ),
    (networks.R3GANGenerator, {"image_size": 4, "widths": 16}, r">= 8.*image_size=4"),
    (networks.R3GANDiscriminator, {"image_size": 6, "widths": 16}, r">= 8.*image_size=6"),
    (
        networks.PatchGANDiscriminator,
        {"image_size": 16, **TINY},
        r"smallest is 24 \(3 \* 2\*\*num_layers\).*image_size=16",
    ),
    (
        networks.PatchGANDiscriminator,
        {"image_size": 8, "num_layers": 2, **TINY},
        r"num_layers=2.*smallest is 12.*image_size=8",
    ),
    (networks.UNetGenerator, {"image_size": 1, **TINY}, r"power of two >= 2.*image_size=1"),
    (
        networks.UNetGenerator,
        {"image_size": 24, "num_downsamples": 4, **TINY},
        r"divisible by 2\*\*num_downsamples = 16 \(16, 32, 48.*image_size=24",
    ),
    (
        networks.ResNetGenerator,
        {"image_size": 4, "num_residual_blocks": 1, **TINY},
        r"num_downsamples=2: the smallest is 8.*image_size=4",
    ),
    (
        networks.ResNetGenerator,
        {"image_size": 2, "num_downsamples": 0, "num_residual_blocks": 1, **TINY},
        r"num_downsamples=0: the smallest is 4.*image_size=2",
    ),
    (
        networks.ResNetGenerator,
        {"image_size": 10, "num_residual_blocks": 1, **TINY},
        r"divisible by 2\*\*num_downsamples = 4.*image_size=10",
    ),
]


@pytest.mark.parametrize(
    "constructor, kwargs, message",
    BAD_CONSTRUCTIONS,
    ids=[
        f"{c.__name__}-{'-'.join(f'{k}{v}' for k, v in kw.items())}"
        for c, kw, _ in BAD_CONSTRUCTIONS
    ],
)
def test_constructor_names_the_argument_value_and_minimum(constructor, kwargs, message):
    with pytest.raises(ValueError, match=message):
        constructor(**kwargs)


# The smallest sizes the constructors accept build (same layer shapes as the fixture below,
# so JAX compiles their initializers once).
MINIMUM_BUILDS = [
    (networks.DCGANDiscriminator, {"image_size": 8}),
    (networks.PatchGANDiscriminator, {"image_size": 6, "num_layers": 1}),
    (networks.UNetGenerator, {"image_size": 4, "num_downsamples": 2}),
    (networks.ResNetGenerator, {"image_size": 4, "num_downsamples": 1, "num_residual_blocks": 1}),
]


@pytest.mark.parametrize(
    "constructor, kwargs", MINIMUM_BUILDS, ids=[c.__name__ for c, _ in MINIMUM_BUILDS]
)
def test_the_stated_minimum_builds(fully_convolutional, constructor, kwargs):
    del fully_convolutional  # built first: JAX then compiles each kernel initializer once
    network = constructor(**TINY, **kwargs)
    assert network.image_size == kwargs["image_size"]


@pytest.mark.parametrize("num_layers", [1, 2, 3, 4])
def test_patchgan_minimum_is_three_times_two_to_the_layers(num_layers):
    smallest = patchgan_min_size(num_layers)
    assert smallest == 3 * 2**num_layers
    assert patchgan_output_size(smallest, num_layers) == 1
    assert patchgan_output_size(smallest - 1, num_layers) < 1


def test_resnet_minimum():
    assert [resnet_min_size(n) for n in range(4)] == [4, 4, 8, 16]


def call(network, size, channels=3, inputs=1):
    images = np.zeros((1, size[0], size[1], channels), "float32")
    return network(images if inputs == 1 else [images] * inputs)


@pytest.fixture(scope="module")
def fully_convolutional():
    """One tiny instance of each fully convolutional network (image_size=None), built once."""
    return {
        "patchgan": networks.PatchGANDiscriminator(num_layers=1, **TINY),
        "patchgan_pair": networks.PatchGANDiscriminator(num_layers=1, condition_channels=3, **TINY),
        "unet": networks.UNetGenerator(image_size=None, num_downsamples=2, **TINY),
        "resnet": networks.ResNetGenerator(num_downsamples=1, num_residual_blocks=1, **TINY),
    }


@pytest.mark.parametrize(
    "name, size, message",
    [
        ("patchgan", (5, 16), r"num_layers=1\) needs images of at least 6x6.*\(1, 5, 16, 3\)"),
        ("patchgan_pair", (4, 4), r"at least 6x6.*\(1, 4, 4, 3\)"),
        ("unet", (6, 8), r"multiples of 2\*\*2 = 4 \(4, 8.*\(1, 6, 8, 3\)"),
        ("resnet", (2, 2), r"multiples of 2\*\*num_downsamples = 2 and at least 4.*\(1, 2, 2, 3\)"),
        ("resnet", (6, 7), r"multiples of 2\*\*num_downsamples = 2.*\(1, 6, 7, 3\)"),
    ],
)
def test_fully_convolutional_networks_check_images_when_called(
    fully_convolutional, name, size, message
):
    network = fully_convolutional[name]
    inputs = 2 if name == "patchgan_pair" else 1
    with pytest.raises(ValueError, match=message):
        call(network, size, inputs=inputs)
    # Symbolic calls (building a bigger functional model) are checked too.
    with pytest.raises(ValueError, match=message.split(".*")[0]):
        symbolic = keras.Input((*size, 3))
        network(symbolic if inputs == 1 else [symbolic] * inputs)


@pytest.mark.parametrize(
    "name, size, expected",
    [
        ("patchgan", (6, 8), (None, 1, 2, 1)),
        ("patchgan_pair", (6, 6), (None, 1, 1, 1)),
        ("unet", (4, 8), (None, 4, 8, 3)),
        ("resnet", (4, 6), (None, 4, 6, 3)),
    ],
)
def test_fully_convolutional_networks_accept_their_minimum(
    fully_convolutional, name, size, expected
):
    # Symbolic: the output shape is inferred layer by layer (no compilation).
    inputs = keras.Input((*size, 3))
    network = fully_convolutional[name]
    out = network([inputs, inputs] if name == "patchgan_pair" else inputs)
    assert tuple(out.shape) == expected


def test_patchgan_runs_at_its_minimum(fully_convolutional):
    logits = call(fully_convolutional["patchgan"], (6, 6))
    assert tuple(logits.shape) == (1, 1, 1, 1)
