import csv
import json

import keras
import numpy as np
import pytest
from PIL import Image

import keras_gan_kit as kgk
from keras_gan_kit import cli
from keras_gan_kit.cli.train import resolve_config
from keras_gan_kit.cli.train.r3gan import CIFAR10_PRESET, R3GANRecipe

TINY = ["--image-size", "8", "--width", "8", "--cardinality", "2", "--latent-dim", "8"]
TINY += ["--num-samples", "4", "--batch-size", "16", "--quiet"]


def parse(*argv):
    return resolve_config(cli.build_parser().parse_args(["train", "r3gan", *argv]))


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_cifar10_preset_is_the_papers_configuration():
    config = parse("--preset", "cifar10", "--output", "unused")
    # brownvc/R3GAN train.py --preset=CIFAR10 with --batch=512 --mirror=1 --aug=1 --cond=1
    expected = {
        "dataset": "cifar10",
        "image_size": 32,  # 4 stages: 4x4 -> 32x32
        "width": 768,  # 3 * 1024 // 4 on every stage
        "blocks": 2,
        "cardinality": 96,
        "expansion": 2,
        "latent_dim": 64,
        "batch_size": 512,
        "learning_rate": 2e-4,
        "learning_rate_final": 5e-5,
        "beta_2": 0.9,
        "beta_2_final": 0.99,
        "gamma": 0.05,
        "gamma_final": 0.005,
        "ema_half_life": 5e6,
        "schedule_images": 2e7,
        "augment": "ada",
        "augment_p_final": 0.55,
        "flip": True,
        "conditional": True,
        "backbone": "r3gan",
    }
    assert {key: config[key] for key in expected} == expected
    assert set(CIFAR10_PRESET) >= set(expected)


def test_explicit_options_override_the_preset_wherever_they_stand():
    before = parse("--width", "16", "--preset", "cifar10", "--output", "unused")
    after = parse("--preset", "cifar10", "--batch-size", "2", "--output", "unused")
    assert (before["width"], before["batch_size"]) == (16, 512)
    assert (after["width"], after["batch_size"]) == (768, 2)
    plain = parse("--output", "unused")
    assert plain["preset"] == "none" and plain["dataset"] == "lfw-faces"
    assert plain == {**{"model": "r3gan"}, **R3GANRecipe.defaults, "output": "unused"}


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--augment", "mixup"], "expected none, diffaugment or ada"),
        (["--preset", "ffhq"], "invalid choice"),
    ],
)
def test_bad_options_are_refused_by_the_parser(argv, message, capsys):
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["train", "r3gan", *argv])
    assert message in capsys.readouterr().err


def test_bad_values_are_one_line_errors(tmp_path, capsys):
    base = ["train", "r3gan", "--output", str(tmp_path / "x"), *TINY]
    assert cli.main([*base, "--gamma", "-1"]) == 2
    assert "--gamma must be >= 0" in capsys.readouterr().err
    assert cli.main([*base, "--augment-p-final", "0.5"]) == 2
    assert "--augment ada only" in capsys.readouterr().err
    assert cli.main([*base, "--conditional"]) == 2
    assert "lfw-faces has no labels" in capsys.readouterr().err


def test_recipe_trains_on_the_faces_with_ada(tmp_path):
    out = tmp_path / "run"
    argv = ["train", "r3gan", "--output", str(out), "--epochs", "1", "--augment", "ada", *TINY]
    # The R3GAN networks train in the preset test below; a DCGAN backbone keeps this one short.
    assert cli.main([*argv, "--batch-size", "50", "--backbone", "dcgan"]) == 0
    config = json.loads((out / "config.json").read_text())["train"]
    assert config["dataset"] == "lfw-faces" and config["loss"] == "rpgan"
    history = rows(out / "history.csv")
    assert len(history) == 1 and {"ada_p", "ada_rt", "r1", "r2"} <= set(history[0])
    gan = keras.models.load_model(out / "model.keras")
    assert isinstance(gan.generator, kgk.networks.DCGANGenerator)
    assert isinstance(gan.augmentation, kgk.augment.ADA) and gan.generator_ema is not None
    assert int(keras.ops.convert_to_numpy(gan.optimizer.iterations)) == 2  # 100 / 50
    assert gan.generate(3).shape == (3, 8, 8, 1)


def test_preset_builds_the_papers_objects_width_reduced(monkeypatch, tmp_path):
    # CIFAR-10 cannot be downloaded here: 24 images laid out as keras.datasets returns them.
    rng = np.random.default_rng(0)
    train = (rng.integers(0, 256, (20, 32, 32, 3), "uint8"), np.arange(20)[:, None] % 10)
    test = (rng.integers(0, 256, (4, 32, 32, 3), "uint8"), np.arange(4)[:, None] % 10)
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", lambda: (train, test))
    config = parse("--preset", "cifar10", "--output", str(tmp_path))
    config.update(width=8, cardinality=2, batch_size=2, num_samples=4)  # the full one: slow test
    training = R3GANRecipe().build(config)
    gan = training.model
    images, labels = training.data
    assert images.shape == (40, 32, 32, 3) and labels.shape == (40,)  # 20 + 20 mirrored
    np.testing.assert_array_equal(images[20:], images[:20, :, ::-1])
    assert gan.num_classes == 10 and isinstance(gan.generator, kgk.networks.R3GANGenerator)
    assert gan.generator([np.zeros((2, 64), "float32"), np.arange(2)]).shape == (2, 32, 32, 3)
    assert gan.discriminator([images[:2], labels[:2]]).shape == (2, 1)
    # schedules: 20M images, in steps for the optimizers and penalties
    g_opt = gan.generator_optimizer
    assert (g_opt.beta_1, g_opt.epsilon) == (0.0, 1e-8)
    assert float(g_opt.learning_rate) == pytest.approx(2e-4)
    for penalty in gan.penalties:
        assert type(penalty).__name__ in ("R1Penalty", "R2Penalty")
        schedule = penalty.weight
        assert (schedule.initial_value, schedule.final_value) == (0.05, 0.005)
        assert schedule.steps == pytest.approx(2e7 / config["batch_size"])  # 39062.5 at 512
    ada = gan.augmentation
    assert ada.target is None and ada.p_schedule.final_value == 0.55
    assert ada.p_schedule.steps == 2e7  # counted in real images
    assert (ada.brightness, ada.cutout, ada.xflip) == (0.5, 1.0, 1.0)
    ema = [c for c in training.callbacks if isinstance(c, kgk.callbacks.GeneratorEMA)][0]
    assert float(ema.half_life_images(1e7)) == pytest.approx(2.5e6)  # half way up the cosine


@pytest.mark.slow
@pytest.mark.parametrize("width, cardinality", [(8, 2), (768, 96)])
def test_cifar10_preset_takes_one_step(width, cardinality, monkeypatch, tmp_path):
    # Measured on a loaded 2-core CPU: PyTorch 3 s (width 8) and 56 s (full size); JAX compiles
    # the width-8 step for about 100 s.
    rng = np.random.default_rng(0)
    train = (rng.integers(0, 256, (2, 32, 32, 3), "uint8"), np.arange(2)[:, None])
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", lambda: (train, train))
    config = parse("--preset", "cifar10", "--output", str(tmp_path))
    config.update(width=width, cardinality=cardinality, batch_size=2, num_samples=2)
    training = R3GANRecipe().build(config)
    if width == 768:  # brownvc/R3GAN's CIFAR-10 generator: 20.8M parameters
        assert training.model.generator.count_params() > 20_000_000
    images, labels = training.data
    history = training.model.fit(images[:2], labels[:2], batch_size=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][0])


def test_a_folder_is_streamed(tmp_path):
    folder = tmp_path / "faces"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(20):
        Image.fromarray(rng.integers(0, 256, (12, 10, 3), "uint8")).save(folder / f"{i}.png")
    config = parse("--dataset", str(folder), "--flip", *TINY, "--output", str(tmp_path / "r"))
    training = R3GANRecipe().build(config)
    (data,) = training.data
    assert isinstance(data, kgk.datasets.ImageFolderDataset)
    assert (data.num_images, data.image_shape, data.flip, data.batch_size) == (
        20,
        (8, 8, 3),
        True,
        16,
    )
    # dcgan streams the same way; one epoch of ceil(20 / 8) steps
    out = tmp_path / "dcgan"
    argv = ["train", "dcgan", "--dataset", str(folder), "--output", str(out), "--epochs", "1"]
    assert (
        cli.main([*argv, "--image-size", "8", "--width", "8", "--batch-size", "8", "--quiet"]) == 0
    )
    gan = keras.models.load_model(out / "model.keras")
    assert int(keras.ops.convert_to_numpy(gan.optimizer.iterations)) == 3
    assert (out / "samples" / "reals.png").exists()
