"""Run folders and the command line under kills, bad files and bad options (issue 13, 3-7).

A kill is simulated by raising a `BaseException` the CLI does not catch at a chosen point
(between a backup and the history row), or by truncating a backup file.
"""

import csv
import os
import shutil

import keras
import numpy as np
import pytest

from keras_gan_kit import cli
from keras_gan_kit.cli import run_folder

TINY = [
    "--image-size",
    "8",
    "--width",
    "8",
    "--latent-dim",
    "8",
    "--num-samples",
    "4",
    "--batch-size",
    "512",
    "--quiet",
]
STEPS_PER_EPOCH = 4  # 1797 digits / 512


class _Killed(BaseException):
    """Stands for kill -9: nothing in the CLI catches it."""


def history_epochs(folder):
    with open(folder / "history.csv", newline="") as f:
        return [int(row["epoch"]) for row in csv.DictReader(f)]


def one_line_error(capsys):
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


@pytest.fixture(scope="module")
def killed_run(tmp_path_factory):
    """Two epochs, killed after epoch 2's backup and before its history row."""
    folder = tmp_path_factory.mktemp("killed") / "run"
    calls = []
    original = run_folder.write_history

    def write_history_then_die(path, rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise _Killed
        return original(path, rows)

    run_folder.write_history = write_history_then_die
    try:
        with pytest.raises(_Killed):
            cli.main(["train", "--output", str(folder), "--epochs", "2", *TINY])
    finally:
        run_folder.write_history = original
    return folder


def test_a_kill_leaves_complete_files_only(killed_run):
    names = sorted(os.listdir(killed_run / "backup"))
    assert names == [
        "epoch_0001.json",
        "epoch_0001.weights.h5",
        "epoch_0002.json",
        "epoch_0002.weights.h5",
    ]
    assert history_epochs(killed_run) == [0]  # epoch 2's row was never written
    leftovers = [n for _, _, files in os.walk(killed_run) for n in files if "partial" in n]
    assert leftovers == []
    assert run_folder.read_config(str(killed_run))["epochs"] == 2


def test_resume_after_a_kill_has_every_epoch_exactly_once(killed_run, tmp_path, capsys):
    folder = tmp_path / "run"
    shutil.copytree(killed_run, folder)
    assert cli.main(["train", "--output", str(folder), "--resume", "--epochs", "3", "--quiet"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"keras-gan-kit: resuming {folder} from epoch 2 (of 3)"
    assert history_epochs(folder) == [0, 1, 2]
    gan = keras.models.load_model(folder / "model.keras")
    assert int(keras.ops.convert_to_numpy(gan.optimizer.iterations)) == 3 * STEPS_PER_EPOCH
    assert sorted(n for n in os.listdir(folder / "backup") if n.endswith(".json")) == [
        "epoch_0002.json",
        "epoch_0003.json",
    ]


def test_a_truncated_backup_resumes_from_the_previous_one(killed_run, tmp_path, capsys):
    """Falls back to epoch 1 (the full resume path is the test above; no training here)."""
    folder = tmp_path / "run"
    shutil.copytree(killed_run, folder)
    newest = folder / "backup" / "epoch_0002.weights.h5"
    newest.write_bytes(newest.read_bytes()[:1000])
    skipped = []
    backup = run_folder.find_backup(str(folder), report=skipped.append)
    assert backup.epoch == 1 and backup.weights.endswith("epoch_0001.weights.h5")
    assert [row["epoch"] for row in backup.history] == [0]
    assert len(skipped) == 1 and "backup of epoch 2 is unreadable" in skipped[0]
    # The CLI takes the same backup: resuming to 1 epoch in all is "nothing left to train".
    assert cli.main(["train", "--output", str(folder), "--resume", "--epochs", "1"]) == 2
    captured = capsys.readouterr()
    assert "the backup of epoch 2 is unreadable" in captured.out
    assert "finished 1 epochs and would train 1" in captured.err
    from keras_gan_kit.cli.train import recipe as recipes  # the backup loads into the model

    config = run_folder.read_config(str(folder))
    config["output"] = str(folder)
    gan = recipes.get_recipe("dcgan").build(config).model
    gan.load_weights(backup.weights)
    assert all(np.all(np.isfinite(keras.ops.convert_to_numpy(w))) for w in gan.weights)


def test_resume_refusals_change_nothing(killed_run, tmp_path, capsys):
    folder = tmp_path / "run"
    shutil.copytree(killed_run, folder)
    config = (folder / "config.json").read_bytes()
    resume = ["train", "--output", str(folder), "--resume", "--quiet"]
    assert cli.main([*resume, "--epochs", "2"]) == 2
    assert "finished 2 epochs and would train 2" in one_line_error(capsys)
    changed = ["--epochs", "4", "--learning-rate", "0.001", "--batch-size", "3"]
    assert cli.main([*resume, *changed]) == 2
    err = one_line_error(capsys)
    assert "--batch-size (run: 512, given: 3)" in err and "--learning-rate (run: 0.0004" in err
    shutil.rmtree(folder / "backup")
    assert cli.main([*resume, "--epochs", "4"]) == 2
    assert "holds no readable backup" in one_line_error(capsys)
    assert (folder / "config.json").read_bytes() == config
    (folder / "config.json").write_text('{"versions": {}}')
    assert cli.main([*resume, "--epochs", "4"]) == 2
    assert 'has no "train" section' in one_line_error(capsys)


def test_a_diverging_run_exits_2_and_leaves_the_last_good_model(tmp_path, capsys):
    folder = tmp_path / "run"
    argv = ["train", "--output", str(folder), "--epochs", "2", "--learning-rate", "1e9"]
    # Least squares without normalization: the losses overflow in the first batches.
    unbounded = ["--loss", "least_squares", "--discriminator-normalization", "none"]
    assert cli.main([*argv, *unbounded, *TINY]) == 2
    err = one_line_error(capsys)
    assert "training diverged in batch" in err and "restored the last good weights" in err
    gan = keras.models.load_model(folder / "model.keras")
    assert all(np.all(np.isfinite(keras.ops.convert_to_numpy(w))) for w in gan.weights)
    assert np.all(np.isfinite(gan.generate(2)))
    assert not (folder / "samples" / "epoch_0001.png").exists()  # no grid of NaN images


def test_output_that_is_not_ours_is_refused(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "model.keras").write_bytes(b"the user's own file")
    assert cli.main(["train", "--output", str(mine), *TINY]) == 2
    assert "not a keras-gan-kit run folder" in one_line_error(capsys)
    assert (mine / "model.keras").read_bytes() == b"the user's own file"
    assert cli.main(["train", "--output", str(mine / "model.keras"), *TINY]) == 2
    assert "is an existing file" in one_line_error(capsys)


def test_translate_never_writes_into_its_input_folder_unless_asked(tmp_path, capsys):
    from PIL import Image

    source = tmp_path / "photos"
    source.mkdir()
    Image.fromarray(np.zeros((8, 8, 3), "uint8")).save(source / "a.png")
    original = (source / "a.png").read_bytes()
    model = tmp_path / "model.keras"
    model.write_bytes(b"not a zip")
    for output in (source, source / "translated"):
        assert cli.main(["translate", str(model), str(source), str(output)]) == 2
        assert "inside the input folder" in one_line_error(capsys)
    assert (source / "a.png").read_bytes() == original and os.listdir(source) == ["a.png"]
    # --overwrite passes the check (and then stops at the model file)
    assert cli.main(["translate", str(model), str(source), str(source), "--overwrite"]) == 2
    assert "not a complete .keras file" in one_line_error(capsys)


def test_bad_files_give_one_line(tmp_path, capsys):
    truncated = tmp_path / "model.keras"
    truncated.write_bytes(b"PK\x03\x04 truncated")
    cases = [
        (["sample", str(truncated)], "not a complete .keras file"),
        (["sample", str(tmp_path)], "is a folder; give the .keras file"),
        (["sample", str(truncated), "--output", str(tmp_path) + "/"], "--output"),
        (["sample", str(truncated), "--individual", str(truncated)], "is an existing file"),
        (["train", "cyclegan", "--image-size", "10", "--quiet"], "multiple of 4"),
    ]
    folder = tmp_path / "images"
    folder.mkdir()
    (folder / "broken.png").write_bytes(b"not an image")
    cases.append(
        (["train", "--dataset", str(folder), "--image-size", "8", "--quiet"], "broken.png")
    )
    for argv, words in cases:
        if argv[0] == "train":
            argv = [*argv, "--output", str(tmp_path / f"run{len(words)}")]
        assert cli.main(argv) == 2, argv
        assert words in one_line_error(capsys), argv


@pytest.mark.parametrize(
    "option, value",
    [
        ("--learning-rate", "inf"),
        ("--learning-rate", "nan"),
        ("--ema-half-life", "inf"),
        ("--ema-half-life", "-1"),
        ("--penalty", "r1:inf"),
    ],
)
def test_non_finite_or_negative_options_are_refused(option, value, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["train", option, value])
    assert exit_info.value.code == 2 and value in capsys.readouterr().err


def test_non_finite_weights_and_half_lives_are_refused_by_the_python_api():
    import keras_gan_kit as kgk
    from tests.test_case import image_discriminator, image_generator, small_gan

    with pytest.raises(ValueError, match="half_life_images"):
        small_gan().enable_ema(float("inf"))
    with pytest.raises(ValueError, match="half_life_images"):
        kgk.callbacks.GeneratorEMA(float("inf"))
    with pytest.raises(ValueError, match="l1_weight"):
        kgk.models.Pix2Pix(
            image_generator(), image_discriminator(condition_channels=3), l1_weight=float("nan")
        )


def test_atomic_save_keeps_the_old_file_when_saving_dies(tmp_path):
    path = tmp_path / "model.keras"
    path.write_bytes(b"the previous model")

    class DiesWhileSaving:
        def save(self, target):
            with open(target, "wb") as f:
                f.write(b"half a model")
            raise _Killed

    with pytest.raises(_Killed):
        run_folder.atomic_save_model(DiesWhileSaving(), str(path))
    assert path.read_bytes() == b"the previous model"
    assert os.listdir(tmp_path) == ["model.keras"]


def test_evaluate_a_conditional_model_generates_classes_in_equal_shares(tmp_path, capsys):
    """Before: `evaluate` refused models from `train --conditional`."""
    import keras_gan_kit as kgk
    from keras_gan_kit import datasets, metrics

    gan = kgk.GAN(
        kgk.networks.DCGANGenerator(
            image_size=8, channels=1, latent_dim=8, base_filters=8, num_classes=2
        ),
        kgk.networks.DCGANDiscriminator(image_size=8, channels=1, base_filters=8, num_classes=2),
        num_classes=2,
        seed=0,
    )
    gan.save(tmp_path / "gan.keras")
    features = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Dense(6)]
    )
    features.save(tmp_path / "features.keras")
    argv = ["evaluate", str(tmp_path / "gan.keras"), "--reference", "digits"]
    argv += ["--image-size", "8", "--num-samples", "64"]
    assert cli.main([*argv, "--feature-extractor", str(tmp_path / "features.keras")]) == 0
    fid = float(capsys.readouterr().out.split("fid: ")[1].split()[0])
    labels = np.arange(64) % 2
    fake = gan.generate(latents=gan.sample_latents(64, seed=0), labels=labels)
    extractor = metrics.FeatureExtractor(features)
    expected = metrics.fid_from_features(extractor(datasets.load_digits(8)), extractor(fake))
    np.testing.assert_allclose(fid, expected, rtol=1e-4)
