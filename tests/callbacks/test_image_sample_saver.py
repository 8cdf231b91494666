import numpy as np
import pytest
from PIL import Image

import keras_gan_kit as kgk
from keras_gan_kit.utils import make_image_grid
from tests.test_case import conv_discriminator, conv_generator, toy_images


def test_grids_from_fixed_latents(tmp_path):
    gan = kgk.GAN(conv_generator(), conv_discriminator(), seed=0)
    gan.compile()
    x = toy_images(32)
    saver = kgk.callbacks.ImageSampleSaver(
        tmp_path / "samples", num_samples=4, every_n_epochs=2, real_images=x
    )
    gan.fit(x, batch_size=16, epochs=3, verbose=0, callbacks=[saver])
    names = sorted(p.name for p in (tmp_path / "samples").iterdir())
    assert names == ["epoch_0002.png", "epoch_0003.png", "reals.png"]  # every 2nd + the last
    latents = saver._latents
    np.testing.assert_array_equal(latents, gan.sample_latents(4, seed=0))
    last = np.asarray(Image.open(tmp_path / "samples" / "epoch_0003.png"))
    expected = make_image_grid(gan.generate(latents=latents))
    np.testing.assert_array_equal(last, expected)
    assert last.shape == (17, 17)  # 2x2 grid of 8x8 with 1 px padding
    reals = np.asarray(Image.open(tmp_path / "samples" / "reals.png"))
    np.testing.assert_array_equal(reals, make_image_grid(x[:4]))
    second = np.asarray(Image.open(tmp_path / "samples" / "epoch_0002.png"))
    assert not np.array_equal(second, last)  # training moved the generator


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"num_samples": 0}, "num_samples=0"),
        ({"every_n_epochs": -1}, "every_n_epochs=-1"),
        ({"value_range": (1, 0)}, "value_range=\\(1, 0\\)"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        kgk.callbacks.ImageSampleSaver(tmp_path, **kwargs)
