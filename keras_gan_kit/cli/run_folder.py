"""The run folder that `keras-gan-kit train` writes, and the training loop around it.

```
runs/<name>-YYYYmmdd-HHMMSS/
  config.json        {"train": the exact configuration, "versions": Keras, backend, package}
  samples/           the recipe's sample grids
  history.csv        the logged losses per epoch (keras.callbacks.CSVLogger)
  loss_plot.png      the curves of history.csv
  model.keras        the final model (also written on Ctrl-C)
  backup/            keras.callbacks.BackupAndRestore state, used by --resume
```
"""

from __future__ import annotations

import csv
import datetime
import json
import os

from keras_gan_kit.cli.common import PROG, CLIError

__all__ = [
    "CONFIG_FILE",
    "default_output",
    "plot_history",
    "read_config",
    "run_training",
    "versions",
    "write_config",
]

CONFIG_FILE = "config.json"


def default_output(name: str) -> str:
    """`runs/<name>-<YYYYmmdd-HHMMSS>`: the run folder when `--output` is not given.

    Args:
        name: str. What the run trains on, e.g. `"digits"` or `"pix2pix-demo"`.
    """
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return os.path.join("runs", f"{name}-{stamp}")


def read_config(output: str) -> dict:
    """The `train` configuration stored in a run folder.

    Args:
        output: str. The run folder.

    Returns:
        The configuration dict (runs written before `model` was recorded
        get `model: "dcgan"`).

    Raises:
        CLIError: if the folder holds no readable `config.json`.
    """
    path = os.path.join(output, CONFIG_FILE)
    if not os.path.exists(path):
        raise CLIError(f"--resume: no config.json in {output!r}")
    try:
        with open(path) as f:
            config = json.load(f)["train"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise CLIError(f"--resume: could not read {path!r}: {e!r}") from e
    config.setdefault("model", "dcgan")
    return config


def versions() -> dict:
    """Keras, backend and keras-gan-kit versions, recorded in `config.json`."""
    import keras

    found = {"keras": keras.__version__, "backend": keras.backend.backend()}
    try:
        from importlib.metadata import version

        found["keras_gan_kit"] = version("keras-gan-kit")
    except Exception:  # noqa: BLE001 - not installed as a distribution
        pass
    return found


def write_config(output: str, config: dict) -> str:
    """Writes `{"train": config, "versions": versions()}` to `output/config.json`.

    Args:
        output: str. The run folder (must exist).
        config: dict. A JSON-serializable configuration.

    Returns:
        The path written.
    """
    path = os.path.join(output, CONFIG_FILE)
    with open(path, "w") as f:
        json.dump({"train": config, "versions": versions()}, f, indent=2)
    return path


def plot_history(csv_path, png_path, width=640, height=360) -> str | None:
    """Draws the curves of a `history.csv` into a PNG (Pillow only).

    Args:
        csv_path: str. A CSV with an `epoch` column and one column per metric.
        png_path: str. Output file.
        width: int. Image width in pixels.
        height: int. Image height in pixels.

    Returns:
        `png_path`, or None when the CSV holds no rows.
    """
    from PIL import Image, ImageDraw

    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return None
    keys = [k for k in rows[0] if k != "epoch"]
    missing = (None, "", "NA", "nan")
    series = {k: [float(r[k]) for r in rows if r.get(k) not in missing] for k in keys}
    series = {k: s for k, s in series.items() if s}
    if not series:
        return None
    values = [v for s in series.values() for v in s]
    low, high = min(values), max(values)
    if high - low < 1e-12:
        high = low + 1.0
    margin = 40
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([margin, 10, width - 10, height - margin], outline="black")
    colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]
    n = max(len(s) for s in series.values())
    for i, (key, s) in enumerate(series.items()):
        points = [
            (
                margin + (width - margin - 10) * (j / max(n - 1, 1)),
                10 + (height - margin - 10) * (1 - (v - low) / (high - low)),
            )
            for j, v in enumerate(s)
        ]
        color = colors[i % len(colors)]
        if len(points) > 1:
            draw.line(points, fill=color, width=2)
        else:
            draw.ellipse(
                [points[0][0] - 2, points[0][1] - 2, points[0][0] + 2, points[0][1] + 2], fill=color
            )
        draw.text((margin + 8 + 90 * i, 14), key, fill=color)
    draw.text((4, 10), f"{high:.3g}", fill="black")
    draw.text((4, height - margin - 10), f"{low:.3g}", fill="black")
    draw.text((margin, height - margin + 8), "epoch 1", fill="black")
    draw.text((width - 70, height - margin + 8), f"epoch {n}", fill="black")
    image.save(png_path)
    return png_path


def run_training(
    config: dict,
    model,
    data: tuple,
    callbacks: list,
    epochs: int,
    resume: bool = False,
    quiet: bool = False,
) -> int:
    """Fits `model` in the run folder `config["output"]`.

    Writes `config.json`, adds `BackupAndRestore` (for `--resume`) and a
    `CSVLogger`, saves `model.keras` at the end or on Ctrl-C, and draws
    `loss_plot.png`.

    Args:
        config: dict. The run's configuration, with `output` and `batch_size`.
        model: A compiled Keras model.
        data: tuple. The positional arguments of `model.fit`.
        callbacks: list. The recipe's callbacks (sample savers, EMA, ...).
        epochs: int. Total epochs.
        resume: bool. Whether this continues an earlier run (appends to the CSV).
        quiet: bool. No progress bar.

    Returns:
        The exit code: 0, or 130 after Ctrl-C.
    """
    import keras

    output = config["output"]
    write_config(output, config)
    history_csv = os.path.join(output, "history.csv")
    callbacks = [
        keras.callbacks.BackupAndRestore(os.path.join(output, "backup"), delete_checkpoint=False),
        *callbacks,
        keras.callbacks.CSVLogger(history_csv, append=bool(resume)),
    ]
    model_path = os.path.join(output, "model.keras")
    try:
        model.fit(
            *data,
            batch_size=config["batch_size"],
            epochs=epochs,
            callbacks=callbacks,
            verbose=0 if quiet else 1,
        )
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted.")
        try:
            model.save(model_path)
            print(f"{PROG}: saved the current model to {model_path}")
        except Exception as e:  # noqa: BLE001 - the epoch backup is still there
            print(f"{PROG}: could not save the current model ({e}).")
        print(
            f"{PROG}: continue from the last completed epoch with: {PROG} train "
            f"--output {output} --resume"
        )
        if os.path.exists(history_csv):
            plot_history(history_csv, os.path.join(output, "loss_plot.png"))
        return 130
    model.save(model_path)
    if os.path.exists(history_csv):
        plot_history(history_csv, os.path.join(output, "loss_plot.png"))
    print(f"{PROG}: done. Samples: {os.path.join(output, 'samples')}; model: {model_path}")
    return 0
