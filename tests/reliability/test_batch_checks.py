"""Every training batch is checked inside the step, on every data source (issue 13, item 2).

Before: NaN/inf in a later batch (not the first) silently poisoned the weights of `GAN`,
`Pix2Pix` and `CycleGAN`; a conditional GAN trained on label == num_classes (NaN weights on
JAX, internal errors elsewhere), wrapped label -1 to the last class, truncated 1.5 to 1 and
arg-maxed soft labels. Now the bad batch makes no update and `fit()` names it.
"""

import keras
import numpy as np
import pytest

import keras_gan_kit as kgk
from tests.test_case import (
    conditional_mlp_discriminator,
    conditional_mlp_generator,
    image_discriminator,
    image_generator,
    mlp_discriminator,
    mlp_generator,
    weights,
)

BATCH = 8


def points(n=64, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 2)).astype("float32")


def poisoned(x, bad_batch, value=np.nan):
    x = x.copy()
    x[bad_batch * BATCH + 3, 1] = value
    return x


def all_finite(model):
    return all(np.all(np.isfinite(w)) for w in weights(model))


@pytest.fixture(scope="module")
def gan():
    model = kgk.GAN(mlp_generator(), mlp_discriminator(), seed=0)
    model.compile()
    return model


def _generator(x):
    for i in range(0, len(x), BATCH):
        yield x[i : i + BATCH]


class _Batches(keras.utils.PyDataset):
    def __init__(self, x):
        super().__init__()
        self.x = x

    def __len__(self):
        return len(self.x) // BATCH

    def __getitem__(self, i):
        return self.x[i * BATCH : (i + 1) * BATCH]


def _source(kind, x):
    if kind == "generator":
        return _generator(x), {"steps_per_epoch": len(x) // BATCH}
    if kind == "py_dataset":
        return _Batches(x), {"shuffle": False}
    if kind == "tf_data":
        import tensorflow as tf

        return tf.data.Dataset.from_tensor_slices(x).batch(BATCH), {}
    import torch

    loader = torch.utils.data.DataLoader(torch.from_numpy(x), batch_size=BATCH)
    return loader, {}


SOURCES = ["generator", "py_dataset"]
if keras.backend.backend() == "tensorflow":
    SOURCES.append("tf_data")
if keras.backend.backend() == "torch":
    SOURCES.append("torch_loader")


@pytest.mark.parametrize("kind", SOURCES)
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_sample_in_a_later_batch_stops_before_any_update_from_it(gan, kind, value):
    before = weights(gan)
    data, kwargs = _source(kind, poisoned(points(), bad_batch=5, value=value))
    with pytest.raises(ValueError, match=r"batch 6 of epoch 1 .*NaN or infinite sample values"):
        gan.fit(data, epochs=1, verbose=0, **kwargs)
    after = weights(gan)
    assert all_finite(gan)
    assert max(float(np.max(np.abs(a - b))) for a, b in zip(before, after)) > 0  # 5 updates
    # The model stays usable: the next clean fit trains on.
    history = gan.fit(points(16), batch_size=BATCH, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][0])


def test_a_generator_whose_batches_change_shape_names_the_batch(gan):
    def batches():
        yield points(8)
        yield points(8)
        yield np.zeros((8, 3), "float32")

    with pytest.raises(ValueError, match=r"batch 3 of the generator holds samples of shape \(3,\)"):
        gan.fit(batches(), epochs=1, steps_per_epoch=3, verbose=0)


def test_images_in_0_1_for_a_tanh_generator_warn():
    generator = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Reshape((2, 2, 1)),
            keras.layers.Conv2D(1, 1, activation="tanh"),
        ]
    )
    discriminator = keras.Sequential(
        [keras.Input((2, 2, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]
    )
    gan = kgk.GAN(generator, discriminator, seed=0)
    gan.compile()
    images = np.random.default_rng(0).uniform(0, 1, (8, 2, 2, 1)).astype("float32")
    with pytest.warns(UserWarning, match=r"inside \[0, 1\].*x \* 2 - 1"):
        gan._check_training_data(images)


@pytest.fixture(scope="module")
def conditional_gan():
    model = kgk.GAN(
        conditional_mlp_generator(num_classes=3),
        conditional_mlp_discriminator(num_classes=3),
        num_classes=3,
        seed=0,
    )
    model.compile()
    return model


@pytest.mark.parametrize(
    "bad, words",
    [
        (3, "labels >= num_classes=3"),
        (-1, "negative class labels"),
        (1.5, "fractional or non-finite class labels"),
        (np.nan, "fractional or non-finite class labels"),
    ],
)
def test_bad_labels_in_a_later_batch_are_named(conditional_gan, bad, words):
    # float32 labels (one compiled step for every case); integer labels take the same checks.
    x = points(32)
    labels = np.zeros(32, "float32")
    labels[2 * BATCH + 1] = bad

    def batches():
        for i in range(0, 32, BATCH):
            yield x[i : i + BATCH], labels[i : i + BATCH]

    with pytest.raises(ValueError, match=f"batch 3 of epoch 1 .*{words}"):
        conditional_gan.fit(batches(), epochs=1, steps_per_epoch=4, verbose=0)
    assert all_finite(conditional_gan)


def test_soft_labels_are_refused_not_arg_maxed():
    # A model of its own: TensorFlow would retrace the fixture's step for rank-1 labels with
    # an unknown rank (reduce_retracing), which the label handling cannot read.
    conditional_gan = kgk.GAN(
        conditional_mlp_generator(num_classes=3),
        conditional_mlp_discriminator(num_classes=3),
        num_classes=3,
        seed=0,
    )
    conditional_gan.compile()
    x = points(16)
    soft = np.full((16, 3), 1 / 3, "float32")

    def batches():
        for i in range(0, 16, BATCH):
            yield x[i : i + BATCH], soft[i : i + BATCH]

    with pytest.raises(ValueError, match="batch 1 of epoch 1 .*not one-hot"):
        conditional_gan.fit(batches(), epochs=1, steps_per_epoch=2, verbose=0)
    with pytest.raises(ValueError, match="`y` holds rows of 3 values that are not one-hot"):
        conditional_gan.fit(x, soft, epochs=1, verbose=0)  # NumPy arrays: before training


def test_checks_can_be_switched_off():
    gan = kgk.GAN(mlp_generator(), mlp_discriminator(), seed=0)
    gan.compile(check_batches=False)
    gan.fit(_generator(poisoned(points(16), 1)), epochs=1, steps_per_epoch=2, verbose=0)
    assert not all_finite(gan)  # what the check prevents
    with pytest.raises(ValueError, match="check_batches"):
        gan.compile(check_batches="yes")


class _Pairs(keras.utils.PyDataset):
    def __init__(self, a, b):
        super().__init__()
        self.a, self.b = a, b

    def __len__(self):
        return len(self.a) // 2

    def __getitem__(self, i):
        return self.a[2 * i : 2 * i + 2], self.b[2 * i : 2 * i + 2]


@pytest.mark.parametrize("family", ["pix2pix", pytest.param("cyclegan", marks=pytest.mark.slow)])
def test_translation_models_check_every_batch(family):
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (6, 8, 8, 3)).astype("float32")
    b = rng.uniform(-1, 1, (6, 8, 8, 3)).astype("float32")
    b[4, 2, 2, 0] = np.inf  # batch 3
    if family == "pix2pix":
        model = kgk.models.Pix2Pix(image_generator(), image_discriminator(condition_channels=3))
    else:
        model = kgk.models.CycleGAN(
            image_generator(seed=0),
            image_generator(seed=1),
            image_discriminator(),
            image_discriminator(),
            history_size=0,
        )
    model.compile()
    with pytest.raises(ValueError, match="batch 3 of epoch 1 .*NaN or infinite"):
        model.fit(_Pairs(a, b), epochs=1, verbose=0, shuffle=False)
    assert all_finite(model)


@pytest.mark.parametrize(
    "x, words",
    [
        (None, "needs training data. Received: x=None"),
        ([], "received an empty list"),
        ([np.zeros((4, 2), "float32")] * 3, "not a Python list"),
    ],
)
def test_confusing_fit_inputs_get_clear_errors(gan, x, words):
    with pytest.raises(ValueError, match=words):
        gan.fit(x, epochs=1, verbose=0)
