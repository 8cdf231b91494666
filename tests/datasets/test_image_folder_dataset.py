import keras
import numpy as np
import pytest
from PIL import Image

import keras_gan_kit as kgk
from keras_gan_kit import datasets


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """20 PNGs of assorted sizes in two class folders; pixel values encode the image."""
    root = tmp_path_factory.mktemp("faces")
    rng = np.random.default_rng(0)
    for i in range(20):
        sub = root / ("a" if i < 12 else "b")
        sub.mkdir(exist_ok=True)
        h, w = (12, 12) if i % 3 else (12, 18)  # some need a centre crop
        array = rng.integers(0, 256, (h, w, 3), dtype="uint8")
        array[:, : w // 2] = 255  # left half white: a flip is visible
        Image.fromarray(array).save(sub / f"img_{i:02d}.png")
    return root


def test_batches_match_the_in_memory_loader(folder):
    reference, labels, names = datasets.load_image_folder(folder, image_size=8, return_labels=True)
    data = datasets.ImageFolderDataset(
        folder, image_size=8, batch_size=6, shuffle=False, return_labels=True
    )
    assert (data.num_images, len(data), data.image_shape) == (20, 4, (8, 8, 3))
    assert data.class_names == names == ["a", "b"]
    batches = [data[i] for i in range(len(data))]
    assert [len(b[0]) for b in batches] == [6, 6, 6, 2]
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), reference)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), labels)
    assert batches[0][0].dtype == np.float32
    np.testing.assert_array_equal(data.take(5), reference[:5])
    with pytest.raises(IndexError):
        data[4]


def test_shuffled_epochs_visit_every_image_once(folder):
    reference = datasets.load_image_folder(folder, image_size=8)
    keys = {im.tobytes(): i for i, im in enumerate(reference)}
    data = datasets.ImageFolderDataset(folder, image_size=8, batch_size=8, seed=3)
    orders = []
    for _ in range(2):
        seen = [keys[im.tobytes()] for i in range(len(data)) for im in data[i]]
        assert sorted(seen) == list(range(20))
        orders.append(seen)
        data.on_epoch_end()
    assert orders[0] != orders[1] and orders[0] != list(range(20))
    again = datasets.ImageFolderDataset(folder, image_size=8, batch_size=8, seed=3)
    assert [keys[im.tobytes()] for im in again[0]] == orders[0][:8]


def test_flips_mirror_about_half_the_images(folder):
    reference = datasets.load_image_folder(folder, image_size=8)
    data = datasets.ImageFolderDataset(
        folder, image_size=8, batch_size=20, shuffle=False, flip=True
    )
    flipped = []
    for _ in range(5):
        batch = data[0]
        for image, original in zip(batch, reference):
            if np.array_equal(image, original):
                flipped.append(False)
            else:  # otherwise exactly the mirror image
                np.testing.assert_array_equal(image, original[:, ::-1])
                flipped.append(True)
        data.on_epoch_end()
    assert 0.3 < np.mean(flipped) < 0.7


def test_streams_into_gan_fit(folder):
    data = datasets.ImageFolderDataset(folder, image_size=8, batch_size=8, channels=1, seed=0)
    generator = kgk.networks.DCGANGenerator(8, channels=1, latent_dim=4, base_filters=4)
    discriminator = kgk.networks.DCGANDiscriminator(8, channels=1, base_filters=4)
    gan = kgk.GAN(generator, discriminator, seed=0)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3),
        discriminator_optimizer=keras.optimizers.Adam(1e-3),
    )
    before = [np.array(v) for v in discriminator.trainable_weights]
    history = gan.fit(data, epochs=2, verbose=0)
    assert len(history.history["d_loss"]) == 2
    assert np.all(np.isfinite(history.history["d_loss"]))
    after = [np.array(v) for v in discriminator.trainable_weights]
    assert any(not np.allclose(a, b) for a, b in zip(after, before))


def test_errors(folder, tmp_path):
    with pytest.raises(ValueError, match="not a folder"):
        datasets.ImageFolderDataset(tmp_path / "missing")
    with pytest.raises(ValueError, match="No images found"):
        datasets.ImageFolderDataset(tmp_path)
    with pytest.raises(ValueError, match="channels=2"):
        datasets.ImageFolderDataset(folder, channels=2)
    with pytest.raises(ValueError, match="batch_size"):
        datasets.ImageFolderDataset(folder, batch_size=0)
