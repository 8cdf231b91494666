"""The docs' pictures of a default `keras-gan-kit train` run on the bundled digits.

Trains the default recipe (a fresh process, the CLI's defaults, TensorFlow
unless `KERAS_BACKEND` says otherwise) into a run folder, or reuses one given
with `--run`, and writes into `docs/images/`:

* `digits_progress.png`: the grids of epochs 1, 5, 15 and 30 (one fixed latent
  grid, so each cell is the same latent point throughout) and the real digits,
  side by side, each shrunk to half size and labelled;
* `digits_epoch_0030.png`: the last grid at full size;
* `digits_loss_plot.png`: the run's `loss_plot.png`.

Usage:

    KERAS_BACKEND=tensorflow python benchmarks/digits_progress.py
    python benchmarks/digits_progress.py --run runs/quality/default_seed0
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

EPOCHS = (1, 5, 15, 30)
PANEL = 270  # pixels per grid in the strip (the CLI writes 540x540 grids for 16 px digits)
GAP = 10
LABEL = 20


def progress_strip(run: str, path: str, epochs=EPOCHS) -> str:
    """Writes the labelled strip of a run's grids at `epochs` and its real digits."""
    from PIL import Image, ImageDraw

    panels = [(f"epoch {e}", os.path.join(run, "samples", f"epoch_{e:04d}.png")) for e in epochs]
    panels.append(("real", os.path.join(run, "samples", "reals.png")))
    width = len(panels) * PANEL + (len(panels) - 1) * GAP
    strip = Image.new("L", (width, PANEL + LABEL), 255)
    draw = ImageDraw.Draw(strip)
    for i, (label, file) in enumerate(panels):
        grid = Image.open(file).convert("L").resize((PANEL, PANEL), Image.Resampling.LANCZOS)
        x = i * (PANEL + GAP)
        strip.paste(grid, (x, LABEL))
        draw.text((x + 4, 5), label, fill=0)
    strip.save(path)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", help="an existing default run folder (else one is trained)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--images", default=os.path.join("docs", "images"))
    args = parser.parse_args(argv)

    run = args.run
    if run is None:
        run = os.path.join("runs", f"docs_digits_seed{args.seed}")
        command = [sys.executable, "-m", "keras_gan_kit", "train", "--output", run]
        subprocess.run([*command, "--seed", str(args.seed), "--quiet"], check=True)
    os.makedirs(args.images, exist_ok=True)
    print(progress_strip(run, os.path.join(args.images, "digits_progress.png")))
    last = os.path.join(run, "samples", f"epoch_{EPOCHS[-1]:04d}.png")
    print(shutil.copyfile(last, os.path.join(args.images, "digits_epoch_0030.png")))
    plot = os.path.join(run, "loss_plot.png")
    print(shutil.copyfile(plot, os.path.join(args.images, "digits_loss_plot.png")))


if __name__ == "__main__":
    main()
