"""`keras-gan-kit train --distribute`: data-parallel training from the command line."""

import csv
import os
import subprocess
import sys

import pytest

from keras_gan_kit import cli
from tests.test_case import BACKEND

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY = ["--image-size", "8", "--width", "8", "--latent-dim", "8", "--num-samples", "16"]


@pytest.mark.skipif(BACKEND != "jax", reason="simulated host devices are a JAX (XLA) feature")
def test_train_distribute_on_simulated_devices(tmp_path):
    """DCGAN on the 1,797 digits over 2 host devices: 128-image batches, last one trimmed."""
    out = tmp_path / "run"
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    env.update(
        XLA_FLAGS="--xla_force_host_platform_device_count=2",
        JAX_PLATFORMS="cpu",
        KERAS_BACKEND="jax",
        PYTHONPATH=ROOT + os.pathsep + env.get("PYTHONPATH", ""),
    )
    command = [sys.executable, "-m", "keras_gan_kit", "train", "--output", str(out)]
    command += ["--epochs", "1", "--batch-size", "128", "--quiet", "--distribute", *TINY]
    run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-4000:]
    assert (out / "model.keras").is_file()
    with open(out / "history.csv", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert float(row["d_loss"]) > 0 and float(row["g_loss"]) > 0


@pytest.mark.skipif(BACKEND != "torch", reason="the refusal is PyTorch's")
def test_distribute_on_torch_points_to_torchrun(tmp_path, capsys):
    """PyTorch needs one process per device (torchrun): the command line refuses, in one line."""
    argv = ["train", "--output", str(tmp_path / "x"), "--epochs", "1", "--quiet", "--distribute"]
    assert cli.main([*argv, *TINY]) == 2
    err = capsys.readouterr().err.strip()
    assert "torchrun" in err and len(err.splitlines()) == 1
