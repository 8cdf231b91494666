"""`TranslationSampleSaver`: grids of fixed held-out translations, on the right epochs."""

import numpy as np
import pytest
from PIL import Image

import keras_gan_kit as kgk
from keras_gan_kit.utils import make_image_grid
from tests.test_case import image_discriminator as discriminator
from tests.test_case import image_generator as generator


def images(n, channels=3, size=8, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, channels)).astype("float32")


def pix2pix(channels_in=3, channels_out=3):
    model = kgk.models.Pix2Pix(
        generator(channels_in, channels_out), discriminator(channels_out, channels_in), seed=0
    )
    model.compile()
    return model


def cyclegan():
    model = kgk.models.CycleGAN(
        generator(seed=0), generator(seed=2), discriminator(), discriminator(), image_size=8, seed=0
    )
    model.compile()
    return model


def interleave(*columns):
    return np.stack(columns, axis=1).reshape(-1, *columns[0].shape[1:])


def test_pix2pix_grid_rows_are_input_translation_target(tmp_path):
    model = pix2pix()
    x, y = images(16), images(16, seed=1)
    held_in, held_out = images(3, seed=2), images(3, seed=3)
    saver = kgk.callbacks.TranslationSampleSaver(
        tmp_path / "samples", held_in, held_out, every_n_epochs=2
    )
    model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[saver])
    names = sorted(p.name for p in (tmp_path / "samples").iterdir())
    assert names == ["epoch_0002.png", "epoch_0003.png"]  # every 2nd epoch, and the last
    last = np.asarray(Image.open(tmp_path / "samples" / "epoch_0003.png"))
    expected = make_image_grid(interleave(held_in, model.translate(held_in), held_out), columns=3)
    np.testing.assert_array_equal(last, expected)
    assert last.shape == (3 * 8 + 2, 3 * 8 + 2, 3)
    second = np.asarray(Image.open(tmp_path / "samples" / "epoch_0002.png"))
    assert not np.array_equal(second, last)  # training moved the generator
    assert saver.saved_paths == [
        str(tmp_path / "samples" / "epoch_0002.png"),
        str(tmp_path / "samples" / "epoch_0003.png"),
    ]


def test_grey_inputs_next_to_rgb_outputs_and_uint8_inputs(tmp_path):
    model = pix2pix(channels_in=1, channels_out=3)
    grey = np.random.default_rng(0).integers(0, 256, (2, 8, 8, 1)).astype("uint8")
    saver = kgk.callbacks.TranslationSampleSaver(tmp_path, grey, scale=2)
    saver.set_model(model)
    path = saver.save_grid(tmp_path / "grid.png")
    as_float = grey.astype("float32") / 127.5 - 1.0
    expected = make_image_grid(
        interleave(np.repeat(as_float, 3, axis=-1), model.translate(as_float)), columns=2
    )
    expected = np.repeat(np.repeat(expected, 2, axis=0), 2, axis=1)  # scale=2, nearest
    np.testing.assert_array_equal(np.asarray(Image.open(path)), expected)


@pytest.mark.parametrize("direction", ["ab", "ba"])
def test_cyclegan_direction_and_reconstruction(tmp_path, direction):
    model = cyclegan()
    a, b = images(4), images(4, seed=1)
    held = images(2, seed=2)
    saver = kgk.callbacks.TranslationSampleSaver(
        tmp_path,
        held,
        direction=direction,
        reconstruction=True,
        filename_format=f"{direction}_{{epoch}}.png",
    )
    model.fit(a, b, batch_size=2, epochs=1, verbose=0, callbacks=[saver])
    back = "ba" if direction == "ab" else "ab"
    forward = model.translate(held, direction=direction)
    expected = make_image_grid(
        interleave(held, forward, model.translate(forward, direction=back)), columns=3
    )
    grid = np.asarray(Image.open(tmp_path / f"{direction}_1.png"))
    np.testing.assert_array_equal(grid, expected)
    other = make_image_grid(interleave(held, model.translate(held, direction=back)), columns=2)
    assert not np.array_equal(grid[:, : other.shape[1]], other)  # the chosen generator is used


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"inputs": np.zeros((2, 8, 8, 3), "float32"), "every_n_epochs": 0}, "every_n_epochs=0"),
        ({"inputs": np.zeros((2, 8, 8, 2), "float32")}, r"inputs.shape=\(2, 8, 8, 2\)"),
        ({"inputs": np.full((2, 8, 8, 3), 3.0, "float32")}, r"\[3, 3\]"),
        ({"inputs": np.zeros((2, 8, 8, 3), "int32")}, "inputs.dtype=int32"),
        (
            {"inputs": np.zeros((2, 8, 8, 3), "float32"), "targets": np.zeros((3, 8, 8, 3))},
            r"targets.shape=\(3, 8, 8, 3\)",
        ),
        ({"inputs": np.zeros((1, 8, 8, 3), "float32"), "direction": "AtoB"}, "direction='AtoB'"),
        ({"inputs": np.zeros((1, 8, 8, 3), "float32"), "filename_format": "x.png"}, "x.png"),
        ({"inputs": np.zeros((1, 8, 8, 3), "float32"), "filename_format": "{step}.png"}, "step"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        kgk.callbacks.TranslationSampleSaver(tmp_path, **kwargs)


def test_model_mismatches_are_refused(tmp_path):
    held = images(1)
    for kwargs, match in [
        ({"direction": "ba"}, "direction='ba'"),
        ({"reconstruction": True}, "CycleGAN"),
    ]:
        saver = kgk.callbacks.TranslationSampleSaver(tmp_path, held, **kwargs)
        saver.set_model(pix2pix())
        with pytest.raises(ValueError, match=match):
            saver.on_train_begin()
    gan = kgk.GAN(kgk.networks.DCGANGenerator(8, 1, 8, 8), kgk.networks.DCGANDiscriminator(8, 1, 8))
    saver = kgk.callbacks.TranslationSampleSaver(tmp_path, held)
    saver.set_model(gan)
    with pytest.raises(ValueError, match="Received a model of type GAN"):
        saver.on_train_begin()
