"""Runs every script in examples/ for one tiny epoch on the active backend.

Each example runs in a subprocess that inherits `KERAS_BACKEND`, so the same
file checks all three backends. The arguments below make each run small; the
expected lines are ones the script prints only after training (and, for
`custom_loss.py`, after a successful save/reload round trip).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"

# script name -> (extra arguments that make it tiny, regexes its output must match)
EXAMPLES = {
    "dcgan_cifar10.py": (
        [
            "--synthetic",
            "--max-images",
            "128",
            "--batch-size",
            "64",
            "--verbose",
            "0",
            "--output",
            "run",
        ],
        [
            r"data: \(128, 32, 32, 3\), range \[-1\.0, 1\.0\]",
            r"Generated samples: \(16, 32, 32, 3\)",
            r"Saved the model to run/dcgan_cifar10\.keras",
        ],
    ),
    "synthetic_data.py": (
        ["--classifier-epochs", "1", "--cas-per-class", "0", "--image-size", "8", "--verbose", "0"],
        [
            r"Backend: \w+ \| 100 real training images \(10 per class\), 1697 test images",
            r"Real only: test accuracy \d\.\d{3}",
            r"Real \+ GAN \(synthetic fraction 0\.50\): test accuracy \d\.\d{3}",
            r"Label agreement: \d\.\d{3} \| CAS: skipped",
        ],
    ),
    "infogan.py": (
        ["--num-samples", "512", "--epochs", "1", "--verbose", "0"],
        [
            r"Backend: \w+ \| InfoGAN, 8 codes",
            r"Q recovers the code of generated samples: \d+\.\d% \(chance 12\.5%\)",
            r"Distinct modes picked by the 8 codes: \d / 8",
        ],
    ),
    "pix2pix.py": (
        ["--num-images", "32", "--image-size", "16", "--width", "8", "--verbose", "0"],
        [
            r"Backend: \w+ \| train \(32, 16, 16, 3\), test \(64, 16, 16, 3\)",
            r"Pix2Pix +L1 \d\.\d{3} +PSNR +\d+\.\d\d dB +SSIM -?\d\.\d{3}",
            r"Saved pix2pix_run/before_after\.png and the model to pix2pix_run/pix2pix\.keras",
        ],
    ),
    "cyclegan.py": (
        [
            "--num-images",
            "16",
            "--image-size",
            "16",
            "--width",
            "4",
            "--residual-blocks",
            "1",
            "--verbose",
            "0",
        ],
        [
            r"Backend: \w+ \| A \(16, 16, 16, 3\), B \(16, 16, 16, 3\)",
            r"Held-out cycle error \|G_ba\(G_ab\(photo\)\) - photo\|: \d\.\d{3}",
            r"photos as paintings +\d\.\d{3} +\d+\.\d",
            r"Saved cyclegan_run/photo_to_painting\.png",
        ],
    ),  # fmt: skip
    "own_images.py": (
        ["--image-size", "16", "--width", "8", "--max-batches", "2", "--eval-samples", "0"]
        + ["--verbose", "0"],
        [
            r"Found 1797 files",
            r"Backend: \w+ \| \S*digits_png: \(None, 16, 16, 1\)",
            r"Final logs: \{'d_loss': -?\d+\.\d+, 'g_loss': -?\d+\.\d+\}",
            r"Samples: \(64, 16, 16, 1\) float32 in \[-?\d\.\d\d, -?\d\.\d\d\]",
            r"Wrote runs/own_images/samples_final\.png and runs/own_images/gan\.keras",
        ],
    ),
    "quickstart.py": (
        [],
        [r"Generated points: radius \d\.\d{3} \+- \d\.\d{3} \(data: 0\.800\)"],
    ),
    "toy_2d.py": (
        ["--num-samples", "1024", "--verbose", "0"],
        [r"Backend: \w+", r"Modes covered: \d / 8", r"Mean distance to the nearest mode"],
    ),
    "custom_loss.py": (
        ["--num-samples", "512", "--verbose", "0"],
        [
            r"Reloaded loss: LabelSmoothingLoss\(name='label_smoothing_loss'\) "
            r"\(real_label=0\.9\)",
            r"Reloaded model generates identical samples: True",
            r"Resumed training: 4 -> 8 steps",
        ],
    ),
    "wgan_gp.py": (
        ["--num-samples", "128", "--verbose", "0"],
        [r"Bar score \(1 = perfect bar\): real 1\.00, generated \d\.\d\d"],
    ),
}


def test_every_example_is_tested():
    scripts = sorted(p.name for p in EXAMPLES_DIR.glob("*.py"))
    assert scripts == sorted(EXAMPLES), (
        "Add each script in examples/ to EXAMPLES in tests/test_examples.py. "
        f"Found {scripts}, tested {sorted(EXAMPLES)}."
    )


@pytest.mark.parametrize("script", sorted(EXAMPLES))
def test_example_runs(script, tmp_path):
    extra_args, expected = EXAMPLES[script]
    result = subprocess.run(
        [sys.executable, str(EXAMPLES_DIR / script), "--epochs", "1", *extra_args],
        cwd=tmp_path,  # the environment, KERAS_BACKEND included, is inherited
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{script} exited with {result.returncode}:\n{output}"
    for pattern in expected:
        assert re.search(pattern, result.stdout), (
            f"{script}: no line matching {pattern!r} in its output:\n{result.stdout}"
        )
