"""`augment.RandomJitter` and its use by `Pix2Pix` and `CycleGAN` (the papers' jitter and flip)."""

import keras
import numpy as np
import pytest

import keras_gan_kit as kgk
from keras_gan_kit.augment import RandomJitter, default_jitter_size
from keras_gan_kit.models import CycleGAN, Pix2Pix
from tests.test_case import image_discriminator, image_generator


def noise(n=8, size=8, channels=3, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, channels)).astype("float32")


def numpy(x):
    return keras.ops.convert_to_numpy(x)


def identity_generator(channels=3):
    """A per-pixel linear map initialised to the identity (so exactly the identity)."""
    images = keras.Input((None, None, channels))
    dense = keras.layers.Dense(
        channels, kernel_initializer=keras.initializers.Identity(), bias_initializer="zeros"
    )
    return keras.Model(images, dense(images))


def find_transform(output, resized, height, width):
    """The `(top, left, flipped)` with `output == crop(resized)` (mirrored if flipped)."""
    found = []
    for top in range(resized.shape[0] - height + 1):
        for left in range(resized.shape[1] - width + 1):
            crop = resized[top : top + height, left : left + width]
            for flipped, candidate in ((False, crop), (True, crop[:, ::-1])):
                if np.allclose(output, candidate, atol=1e-6):
                    found.append((top, left, flipped))
    assert len(found) == 1, found
    return found[0]


def test_default_jitter_size_keeps_the_papers_ratio():
    assert [default_jitter_size(s) for s in (8, 16, 32, 64, 128, 256, 512)] == [
        9, 18, 36, 72, 143, 286, 572,
    ]  # fmt: skip


def test_pair_gets_one_transform_and_shapes_and_dtypes_are_kept():
    x = noise(16)
    gray = x[..., :1] * 0.5
    jitter = RandomJitter(seed=3)
    out, out_same, out_gray = jitter([x, x, gray], training=True)
    assert out.shape == x.shape and out_gray.shape == gray.shape
    assert keras.backend.standardize_dtype(out.dtype) == "float32"
    # Input == target in: outputs equal; a channel-scaled copy stays the scaled copy.
    np.testing.assert_array_equal(numpy(out), numpy(out_same))
    np.testing.assert_allclose(numpy(out_gray), numpy(out)[..., :1] * 0.5, atol=1e-6)
    assert not np.allclose(numpy(out), x)  # it did transform
    # bicubic, clipped to each channel's own range: nothing leaves the input's range
    assert numpy(out).min() >= x.min() and numpy(out).max() <= x.max()
    # a tuple in, a tuple out; uint8 in, uint8 out
    images = (noise(2) * 127 + 128).astype("uint8")
    as_tuple = RandomJitter(seed=0)((images,), training=True)
    assert isinstance(as_tuple, tuple) and numpy(as_tuple[0]).dtype == np.uint8


def test_crop_offsets_and_flips_have_the_expected_distribution():
    n, size, jitter_size = 240, 6, 10
    x = noise(n, size, channels=1, seed=1)
    layer = RandomJitter(jitter_size=jitter_size, interpolation="bilinear", seed=0)
    out = numpy(layer(x, training=True))
    resized = numpy(keras.ops.image.resize(x, (jitter_size, jitter_size), interpolation="bilinear"))
    transforms = [find_transform(out[i], resized[i], size, size) for i in range(n)]
    tops, lefts, flips = (np.array(v) for v in zip(*transforms))
    # Offsets uniform over [0, jitter_size - size] = 0..4 (5 values, 48 expected each).
    for offsets in (tops, lefts):
        counts = np.bincount(offsets, minlength=5)
        assert len(counts) == 5 and counts.min() >= 24 and counts.max() <= 76, counts
    assert 0.38 <= flips.mean() <= 0.62  # +-3.7 sigma around 1/2


def test_flip_only_and_off_and_inference_are_exact():
    x = noise(64)
    out = numpy(RandomJitter(jitter=False, seed=0)(x, training=True))
    flipped = np.array([np.array_equal(o, xi[:, ::-1]) for o, xi in zip(out, x)])
    kept = np.array([np.array_equal(o, xi) for o, xi in zip(out, x)])
    assert np.all(flipped ^ kept) and 16 <= flipped.sum() <= 48
    off = RandomJitter(jitter=False, flip=False)
    assert off.identity
    np.testing.assert_array_equal(numpy(off(x, training=True)), x)
    # jitter_size = the image size and no flip: a crop of the whole image
    whole = RandomJitter(jitter_size=8, flip=False, seed=0)
    np.testing.assert_array_equal(numpy(whole(x, training=True)), x)
    # not in training (the default): the identity
    np.testing.assert_array_equal(numpy(RandomJitter(seed=0)(x)), x)


def test_reproducible_with_a_seed_and_fresh_draws_per_call():
    x = noise(8)
    first = RandomJitter(seed=7)
    second = RandomJitter(seed=7)
    a1, a2 = numpy(first(x, training=True)), numpy(first(x, training=True))
    b1 = numpy(second(x, training=True))
    np.testing.assert_array_equal(a1, b1)
    assert not np.array_equal(a1, a2)


def test_config_round_trip_and_bad_arguments():
    layer = RandomJitter(jitter_size=(10, 12), flip=False, interpolation="nearest", seed=4)
    config = layer.get_config()
    again = RandomJitter.from_config(config)
    assert again.get_config() == config and again.jitter_size == (10, 12)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(restored, RandomJitter) and restored.get_config() == config
    for kwargs, message in [
        ({"jitter_size": 0}, "Received: jitter_size=0"),
        ({"jitter_size": (9, 9, 9)}, r"Received: jitter_size=\(9, 9, 9\)"),
        ({"jitter": False, "jitter_size": 9}, "jitter=False"),
        ({"flip": 1}, "Received: flip=1"),
        ({"interpolation": "lanczos3"}, "Received: interpolation='lanczos3'"),
        ({"seed": "a"}, "Received: seed='a'"),
    ]:
        with pytest.raises(ValueError, match=message):
            RandomJitter(**kwargs)
    with pytest.raises(ValueError, match=r"jitter_size=\(6, 6\) for images of size \(8, 8\)"):
        RandomJitter(jitter_size=6)(noise(1), training=True)
    with pytest.raises(ValueError, match="same height and width"):
        RandomJitter()([noise(1, 8), noise(1, 16)], training=True)


# ----------------------------------------------------------------------------------------- #
# In the models
# ----------------------------------------------------------------------------------------- #
def border_images(n=8, size=8):
    """Ones on the outermost ring of pixels, zeros inside: a random crop of an enlarged copy
    shows less of the ring, so the images' mean falls under jitter."""
    images = np.ones((n, size, size, 3), "float32")
    images[:, 1:-1, 1:-1] = 0.0
    return images


def frozen(model):
    model.compile(
        generator_optimizer=keras.optimizers.SGD(0.0),
        discriminator_optimizer=keras.optimizers.SGD(0.0),
    )
    return model


def test_pix2pix_trains_on_jittered_pairs_and_translates_without(tmp_path):
    images = border_images()
    jitter = RandomJitter(jitter_size=16, seed=0)
    model = frozen(Pix2Pix(identity_generator(), image_discriminator(3, 3), jitter=jitter, seed=0))
    # In the step: the pair gets one transform (input == target stays equal, l1 = 0) ...
    history = model.fit(images, images, batch_size=8, epochs=1, verbose=0)
    assert history.history["l1"][0] == pytest.approx(0.0, abs=1e-6)
    # ... and the transform is applied: against all-zero targets, l1 is the mean of the
    # jittered inputs, which show less of the ring (7/16 of the pixels unjittered).
    zeros = np.zeros_like(images)
    history = model.fit(images, zeros, batch_size=8, epochs=1, verbose=0)
    assert history.history["l1"][0] < 0.8 * images.mean()
    source, target = model.unpack_batch((images, zeros))
    assert float(numpy(target).max()) == 0.0 and not np.allclose(numpy(source), images)
    # translate() never jitters
    np.testing.assert_allclose(model.translate(images), images, atol=1e-6)
    # saved and loaded with the model, its settings and its seed state
    model.save(tmp_path / "p2p.keras")
    loaded = keras.models.load_model(tmp_path / "p2p.keras")
    assert loaded.jitter.get_config() == jitter.get_config()
    np.testing.assert_array_equal(
        numpy(loaded.jitter.seed_generator.state), numpy(jitter.seed_generator.state)
    )
    np.testing.assert_array_equal(
        numpy(loaded.unpack_batch((images, images))[0]),
        numpy(model.unpack_batch((images, images))[0]),
    )
    with pytest.raises(ValueError, match="Received: jitter='yes'"):
        Pix2Pix(identity_generator(), image_discriminator(3, 3), jitter="yes")


def constant_discriminator(logit):
    """Logit maps of the constant `logit` (zero kernel, constant bias)."""
    images = keras.Input((None, None, 3))
    conv = keras.layers.Conv2D(
        1,
        2,
        strides=2,
        kernel_initializer="zeros",
        bias_initializer=keras.initializers.Constant(logit),
    )
    return keras.Model(images, conv(images))


def test_cyclegan_jitter_per_domain_and_one_ada_per_discriminator(tmp_path):
    """One model (one compiled step per backend) for both CycleGAN hooks."""
    a, b = noise(8, seed=3), noise(8, seed=4)
    jitter = RandomJitter(seed=1)
    ada = kgk.augment.ADA(p=0.0, target=0.6, interval=1, kimg=0.016, pipeline="noise", seed=5)
    model = frozen(
        CycleGAN(
            identity_generator(),
            identity_generator(),
            constant_discriminator(1.0),  # A: "overfits" (r_t = 1): its p rises
            constant_discriminator(-1.0),  # B: r_t = -1: its p stays at 0
            history_size=2,
            image_size=8,
            jitter=jitter,
            augmentation=ada,
            seed=0,
        )
    )
    # Jitter: each domain gets its own draw (the same images in, different crops out).
    real_a, real_b = (numpy(t) for t in model.unpack_batch((a, a)))
    assert real_a.shape == a.shape and not np.array_equal(real_a, real_b)
    # ADA: discriminator_b gets an independent copy (same settings, next seed).
    copy = model.augmentation_b
    assert isinstance(copy, kgk.augment.ADA) and copy is not ada
    assert copy.seed == 6 and copy.get_config()["kimg"] == 0.016
    state = numpy(jitter.seed_generator.state)
    history = model.fit(a, b, batch_size=4, epochs=1, verbose=0)  # 2 steps of 4 images
    assert not np.array_equal(numpy(jitter.seed_generator.state), state)  # drawn in the step
    assert history.history["cycle"][0] == pytest.approx(0.0, abs=1e-5)
    assert {"ada_p_a", "ada_rt_a", "ada_p_b", "ada_rt_b"} <= set(history.history)
    # Each step moves each p by sign(r_t - 0.6) * 4 / 16 images, from its own r_t.
    assert float(numpy(ada.p)) == pytest.approx(0.5) and float(numpy(copy.p)) == 0.0
    assert float(numpy(ada.rt)) == 1.0 and float(numpy(copy.rt)) == -1.0
    assert int(numpy(ada.images_seen)) == 8 and int(numpy(copy.images_seen)) == 8
    assert history.history["ada_p_a"][0] == pytest.approx(0.5)
    # translate() never jitters
    np.testing.assert_allclose(model.translate(a), a, atol=1e-6)
    # Config round trip and .keras saving
    config = model.get_config()
    assert config["jitter"]["config"]["seed"] == 1
    assert config["augmentation_b"]["config"]["seed"] == 6
    rebuilt = CycleGAN.from_config(config)
    assert rebuilt.jitter.get_config() == jitter.get_config()
    assert rebuilt.augmentation_b.get_config() == copy.get_config()
    model.save(tmp_path / "cyclegan.keras")
    loaded = keras.models.load_model(tmp_path / "cyclegan.keras")
    assert float(numpy(loaded.augmentation.p)) == pytest.approx(0.5)
    assert float(numpy(loaded.augmentation_b.p)) == 0.0
    np.testing.assert_array_equal(
        numpy(loaded.jitter.seed_generator.state), numpy(jitter.seed_generator.state)
    )
    g, d = image_generator, image_discriminator
    with pytest.raises(ValueError, match="another instance"):
        CycleGAN(g(), g(), d(), d(), image_size=8, augmentation=ada, augmentation_b=ada)
    with pytest.raises(ValueError, match="jitter_size"):
        CycleGAN(g(), g(), d(), d(), image_size=8, jitter=RandomJitter(jitter_size=4))
