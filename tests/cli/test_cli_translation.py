"""`keras-gan-kit train pix2pix|cyclegan` and `keras-gan-kit translate`."""

import csv
import json

import keras
import numpy as np
import pytest
from PIL import Image

import keras_gan_kit as kgk
from keras_gan_kit import cli
from keras_gan_kit.utils import make_image_grid

TINY = ["--image-size", "8", "--width", "4", "--num-images", "8", "--num-samples", "2", "--quiet"]


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def one_line_error(capsys):
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def write_images(folder, sizes, mode="RGB", suffix=".png"):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for i, (height, width) in enumerate(sizes):
        shape = (height, width, 3) if mode == "RGB" else (height, width)
        Image.fromarray(rng.integers(0, 256, shape).astype("uint8"), mode).save(
            folder / f"image_{i}{suffix}"
        )


def test_pix2pix_run_folder_resume_ctrl_c_and_translate(tmp_path, capsys, monkeypatch):
    out = tmp_path / "p2p"
    argv = ["train", "pix2pix", "--output", str(out), "--epochs", "1", "--batch-size", "4"]
    assert cli.main([*argv, *TINY]) == 0
    assert "training a Pix2Pix on demo (8 and 8 images, 8x8x3)" in capsys.readouterr().out
    for name in ["config.json", "history.csv", "loss_plot.png", "model.keras"]:
        assert (out / name).exists(), name
    assert (out / "backup").is_dir()
    config = json.loads((out / "config.json").read_text())["train"]
    assert config["model"] == "pix2pix" and config["image_size"] == 8 and config["width"] == 4
    assert config["l1_weight"] == 100.0 and config["sample_split"] == "test"
    # the papers' jitter (8 * 286 / 256 -> 9 px) and mirroring, on by default
    assert (config["jitter"], config["jitter_size"], config["flip"]) == (True, 9, True)
    history = rows(out / "history.csv")
    assert len(history) == 1 and {"d_loss", "g_loss", "l1"} <= set(history[0])

    model = keras.models.load_model(out / "model.keras")
    assert isinstance(model, kgk.models.Pix2Pix)
    assert (model.jitter.jitter_size, model.jitter.flip, model.jitter.seed) == ((9, 9), True, 1)
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == 2  # 8 images / 4

    # the grid: 2 held-out test pairs, rows input | translation | target, x8 zoom
    inputs, targets = kgk.datasets.load_translation_data(
        "demo", "paired", split="test", image_size=8, num_images=2
    )
    grid = np.asarray(Image.open(out / "samples" / "epoch_0001.png"))
    expected = make_image_grid(
        np.stack([inputs, model.translate(inputs), targets], axis=1).reshape(-1, 8, 8, 3),
        columns=3,
    )
    np.testing.assert_array_equal(grid[::8, ::8], expected)

    # --resume continues from the completed epoch; Ctrl-C after the second epoch saves the
    # model and says how to go on
    real_fit = kgk.models.Pix2Pix.fit

    def fit_then_interrupt(self, *args, **kwargs):
        real_fit(self, *args, **{**kwargs, "epochs": 2})
        raise KeyboardInterrupt

    monkeypatch.setattr(kgk.models.Pix2Pix, "fit", fit_then_interrupt)
    resume = ["train", "--output", str(out), "--resume", "--epochs", "5", "--quiet"]
    assert cli.main(resume) == 130
    printed = capsys.readouterr().out
    assert "saved the current model" in printed and f"--output {out} --resume" in printed
    monkeypatch.undo()
    assert [int(r["epoch"]) for r in rows(out / "history.csv")] == [0, 1]
    assert (out / "samples" / "epoch_0002.png").exists()
    assert not (out / "samples" / "epoch_0003.png").exists()
    model = keras.models.load_model(out / "model.keras")
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == 4

    # translate: a folder of two sizes -> PNGs of the same sizes, named after the inputs
    write_images(tmp_path / "in", [(8, 8), (20, 12)])
    capsys.readouterr()
    assert (
        cli.main(["translate", str(out / "model.keras"), str(tmp_path / "in"), str(tmp_path / "o")])
        == 0
    )
    assert "translated 2 images (2 sizes; Pix2Pix, mode resize)" in capsys.readouterr().out
    first = np.asarray(Image.open(tmp_path / "o" / "image_0.png"))
    second = np.asarray(Image.open(tmp_path / "o" / "image_1.png"))
    assert first.shape == (8, 8, 3) and second.shape == (20, 12, 3)
    source = np.asarray(Image.open(tmp_path / "in" / "image_0.png"))
    np.testing.assert_array_equal(first, model.translate(source))

    # errors: --direction on a Pix2Pix, --mode pad on its fixed-size U-Net
    model_path = str(out / "model.keras")
    for extra, message in [
        (["--direction", "ba"], "--direction applies to CycleGAN"),
        (["--mode", "pad"], "--mode pad needs a fully convolutional generator"),
    ]:
        assert (
            cli.main(["translate", model_path, str(tmp_path / "in"), str(tmp_path / "x"), *extra])
            == 2
        )
        assert message in one_line_error(capsys)


CYCLEGAN = ["train", "cyclegan", "--batch-size", "8", "--residual-blocks", "1", *TINY]


def test_cyclegan_run_folder_and_translate(tmp_path, capsys):
    out = tmp_path / "cg"
    assert cli.main([*CYCLEGAN, "--output", str(out), "--epochs", "1"]) == 0
    printed = capsys.readouterr().out
    assert "training a CycleGAN on demo (8 and 8 images, 8x8x3) for 1 epochs" in printed
    names = sorted(p.name for p in (out / "samples").iterdir())
    assert names == ["epoch_0001_ab.png", "epoch_0001_ba.png"]
    history = rows(out / "history.csv")
    assert len(history) == 1 and {"d_loss", "g_loss", "cycle", "identity"} <= set(history[0])
    assert (out / "loss_plot.png").exists() and (out / "backup").is_dir()
    config = json.loads((out / "config.json").read_text())["train"]
    assert config["model"] == "cyclegan" and config["residual_blocks"] == 1
    assert config["loss"] == "least_squares" and config["batch_size"] == 8

    model = keras.models.load_model(out / "model.keras")
    assert isinstance(model, kgk.models.CycleGAN) and model.generator_ab.num_downsamples == 2
    assert model.cycle_weight == 10.0 and model.identity_weight == 0.5
    # grid of the B -> A direction: input | translation | reconstruction
    _, held_b = kgk.datasets.load_translation_data(
        "demo", "unpaired", split="test", image_size=8, num_images=2
    )
    forward = model.translate(held_b, direction="ba")
    expected = make_image_grid(
        np.stack([held_b, forward, model.translate(forward, direction="ab")], axis=1).reshape(
            -1, 8, 8, 3
        ),
        columns=3,
    )
    grid = np.asarray(Image.open(out / "samples" / "epoch_0001_ba.png"))
    np.testing.assert_array_equal(grid[::8, ::8], expected)

    # translate B -> A on a grey JPEG and an RGB PNG of other sizes (padded, cropped back)
    write_images(tmp_path / "in", [(24, 18)], mode="L", suffix=".jpg")
    (tmp_path / "in" / "image_0.jpg").rename(tmp_path / "in" / "grey.jpg")
    write_images(tmp_path / "in", [(13, 30)])
    single = tmp_path / "in" / "image_0.png"
    assert (
        cli.main(
            [
                "translate",
                str(out / "model.keras"),
                str(tmp_path / "in"),
                str(tmp_path / "o"),
                "--direction",
                "ba",
            ]
        )
        == 0
    )
    assert "translated 2 images (2 sizes; CycleGAN ba, mode pad)" in capsys.readouterr().out
    assert np.asarray(Image.open(tmp_path / "o" / "grey.png")).shape == (24, 18, 3)
    result = np.asarray(Image.open(tmp_path / "o" / "image_0.png"))
    assert result.shape == (13, 30, 3)
    np.testing.assert_array_equal(
        result, model.translate(np.asarray(Image.open(single)), direction="ba")
    )
    # a single file works too
    assert (
        cli.main(["translate", str(out / "model.keras"), str(single), str(tmp_path / "one")]) == 0
    )
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["image_0.png"]
    assert (
        cli.main(
            [
                "translate",
                str(out / "model.keras"),
                str(single),
                str(tmp_path / "r"),
                "--mode",
                "resize",
            ]
        )
        == 2
    )
    assert "mode='resize'" in one_line_error(capsys)


def test_decay_epochs_add_a_linear_decay(tmp_path, capsys, monkeypatch):
    seen = {}

    def record_fit(self, *args, **kwargs):  # the schedule, without training
        seen.update(kwargs)

    monkeypatch.setattr(kgk.models.CycleGAN, "fit", record_fit)
    out = tmp_path / "decay"
    argv = [*CYCLEGAN, "--output", str(out), "--epochs", "2", "--decay-epochs", "1"]
    assert cli.main(argv) == 0
    assert "for 2 (+1 decaying) epochs" in capsys.readouterr().out
    assert seen["epochs"] == 3 and seen["batch_size"] == 8
    model = keras.models.load_model(out / "model.keras")
    for group in ("generators", "discriminators"):
        schedule = model.optimizer[group]._learning_rate  # one step per epoch (8 images / 8)
        assert isinstance(schedule, kgk.optimizers.LinearDecay)
        rates = [float(keras.ops.convert_to_numpy(schedule(step))) for step in range(4)]
        np.testing.assert_allclose(rates, [2e-4, 2e-4, 2e-4, 0.0], atol=1e-12)


def test_jitter_options_reach_the_model_and_config(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(kgk.models.Pix2Pix, "fit", lambda self, *args, **kwargs: None)
    monkeypatch.setattr(kgk.models.CycleGAN, "fit", lambda self, *args, **kwargs: None)
    out = tmp_path / "p2p"
    argv = ["train", "pix2pix", "--output", str(out), "--no-flip", "--jitter-size", "12"]
    assert cli.main([*argv, *TINY]) == 0
    assert "training images jittered (12 px, random crop);" in capsys.readouterr().out
    config = json.loads((out / "config.json").read_text())["train"]
    assert (config["jitter"], config["jitter_size"], config["flip"]) == (True, 12, False)
    jitter = keras.models.load_model(out / "model.keras").jitter
    assert (jitter.jitter, jitter.jitter_size, jitter.flip) == (True, (12, 12), False)
    out = tmp_path / "cg"
    argv = [*CYCLEGAN, "--output", str(out), "--no-jitter", "--no-flip"]
    assert cli.main(argv) == 0
    assert "training images not augmented;" in capsys.readouterr().out
    config = json.loads((out / "config.json").read_text())["train"]
    assert (config["jitter"], config["jitter_size"], config["flip"]) == (False, None, False)
    assert keras.models.load_model(out / "model.keras").jitter is None


def test_translate_a_grey_model_and_bad_inputs(tmp_path, capsys):
    nets = kgk.networks
    source = keras.Input((None, None, 1))
    generator = keras.Model(
        source, keras.layers.Conv2D(1, 3, padding="same", activation="tanh")(source)
    )
    image = keras.Input((None, None, 1))
    discriminator = keras.Model(
        [source, image], keras.layers.Conv2D(1, 3)(keras.layers.Concatenate()([source, image]))
    )
    model = kgk.models.Pix2Pix(generator, discriminator)
    model.save(tmp_path / "grey.keras")
    write_images(tmp_path / "in", [(8, 12), (10, 10)])  # RGB files, converted to grey
    path = str(tmp_path / "grey.keras")
    assert cli.main(["translate", path, str(tmp_path / "in"), str(tmp_path / "o")]) == 0
    assert "mode pad" in capsys.readouterr().out
    out = np.asarray(Image.open(tmp_path / "o" / "image_1.png"))
    assert out.shape == (10, 10) and out.dtype == np.uint8
    grey = np.asarray(Image.open(tmp_path / "in" / "image_1.png").convert("L"))[..., None]
    np.testing.assert_array_equal(out, model.translate(grey)[..., 0])

    gan = kgk.GAN(nets.DCGANGenerator(8, 1, 8, 8), nets.DCGANDiscriminator(8, 1, 8))
    gan.save(tmp_path / "gan.keras")
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "broken.png").write_text("not an image")
    write_images(tmp_path / "twins", [(8, 8), (8, 8)])
    (tmp_path / "twins" / "image_1.png").rename(tmp_path / "twins" / "image_0.jpg")
    (tmp_path / "afile").write_text("")
    for argv, message in [
        (["missing.keras", str(tmp_path / "in"), "o"], "no such model file: 'missing.keras'"),
        ([path, str(tmp_path / "nothing"), "o"], "no such image file or folder"),
        ([path, str(tmp_path / "empty"), "o"], "no images in"),
        ([path, str(tmp_path / "bad"), str(tmp_path / "o2")], "could not read the image"),
        ([path, str(tmp_path / "twins"), "o"], "would both be written as image_0.png"),
        ([path, str(tmp_path / "in"), str(tmp_path / "afile")], "must be a folder"),
        ([str(tmp_path / "gan.keras"), str(tmp_path / "in"), "o"], "holds a GAN, not a Pix2Pix"),
    ]:
        assert cli.main(["translate", *argv]) == 2, argv
        assert message in one_line_error(capsys)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["train", "cyclegan", "--l1-weight", "10"], "--l1-weight applies to pix2pix only"),
        (["train", "pix2pix", "--conditional"], "--conditional applies to dcgan and r3gan only"),
        (["train", "pix2pix", "--cycle-weight", "1"], "--cycle-weight applies to cyclegan only"),
        (["train", "pix2pix", "--dataset", "digits"], "use --data for pix2pix and cyclegan"),
        (["train", "--data", "demo"], "--data applies to pix2pix and cyclegan only"),
        (["train", "--decay-epochs", "3"], "not to `train dcgan`"),
        (["train", "pix2pix", "--data", "nowhere", "--quiet"], "data='nowhere'"),
        (["train", "pix2pix", "--image-size", "24", "--quiet"], "image_size=24"),
        (["train", "pix2pix", "--no-jitter", "--jitter-size", "9"], "drop it or --no-jitter"),
        (["train", "cyclegan", "--jitter-size", "60"], "at least --image-size (64)"),
        (["train", "r3gan", "--no-flip"], "--no-flip applies to pix2pix and cyclegan only"),
    ],
)
def test_bad_train_arguments_give_one_line(tmp_path, capsys, argv, message):
    assert cli.main([*argv, "--output", str(tmp_path / "x")]) == 2
    assert message in one_line_error(capsys)


def test_resume_with_another_model_is_refused(tmp_path, capsys):
    (tmp_path / "config.json").write_text(json.dumps({"train": {"model": "pix2pix"}}))
    assert cli.main(["train", "cyclegan", "--output", str(tmp_path), "--resume"]) == 2
    assert "holds a pix2pix run" in one_line_error(capsys)


def test_parser_choices():
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["train", "stylegan"])
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["translate", "m.keras", "in", "out", "--direction", "AtoB"])
    args = cli.build_parser().parse_args(["train", "--epochs", "2"])
    assert args.model is None  # dcgan, as before
