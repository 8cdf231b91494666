"""The run folder that `keras-gan-kit train` writes, and the training loop around it.

```
runs/<name>-YYYYmmdd-HHMMSS/
  config.json        {"train": the exact configuration, "versions": Keras, backend, package}
  samples/           the recipe's sample grids
  history.csv        the logged losses, one row per finished epoch
  loss_plot.png      the curves of history.csv (matplotlib when installed, else Pillow)
  tensorboard/       with --tensorboard: train/ (Keras' TensorBoard callback: the losses)
                     and samples/ (the sample grids as images), one step per epoch
  model.keras        the final model (also written on Ctrl-C, and the last good state
                     when training diverges)
  backup/            epoch_NNNN.weights.h5 + epoch_NNNN.json: the two newest finished
                     epochs (weights, optimizer and seed states; the history up to them),
                     used by --resume
```

What the folder guarantees, whenever the process dies (kill -9, power loss):

- `model.keras`, `config.json`, `history.csv` and each backup are written to a
  temporary name in the same folder and renamed into place, so each is
  either the old complete file or the new complete file, never a truncated one;
- a backup counts only once its `.json` (written after its weights) exists;
  the two newest are kept, so a backup damaged on disk still leaves the
  previous epoch; `--resume` takes the newest one that reads back;
- `history.csv` is rewritten from the backup's own copy of the history on
  resume, so a resumed history holds every finished epoch exactly once.
"""

from __future__ import annotations

import csv
import datetime
import glob
import io
import json
import math
import os
import re

from keras_gan_kit.cli.common import PROG, CLIError

__all__ = [
    "BACKUP_DIR",
    "TENSORBOARD_DIR",
    "CONFIG_FILE",
    "Backup",
    "RunBackup",
    "atomic_save_model",
    "atomic_write_text",
    "check_new_output",
    "default_output",
    "find_backup",
    "plot_history",
    "read_config",
    "run_training",
    "versions",
    "write_config",
    "write_history",
]

CONFIG_FILE = "config.json"
BACKUP_DIR = "backup"
HISTORY_FILE = "history.csv"
TENSORBOARD_DIR = "tensorboard"
MODEL_FILE = "model.keras"
_KEEP_BACKUPS = 2
_BACKUP_NAME = re.compile(r"^epoch_(\d{4,})\.json$")


def _temporary(path: str) -> str:
    """A temporary name next to `path` that keeps its extension (Keras checks it)."""
    folder, name = os.path.split(path)
    return os.path.join(folder, f".partial-{os.getpid()}-{name}")


def _replace(temporary: str, path: str) -> None:
    """Moves a finished temporary file into place, durably."""
    with open(temporary, "rb") as f:
        os.fsync(f.fileno())
    os.replace(temporary, path)


def atomic_write_text(path: str, text: str) -> str:
    """Writes `text` to `path` through a temporary file and a rename.

    Args:
        path: str. The file to write.
        text: str. Its content.

    Returns:
        `path`.
    """
    temporary = _temporary(path)
    try:
        with open(temporary, "w", newline="") as f:
            f.write(text)
        _replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path


def atomic_save_model(model, path: str) -> str:
    """`model.save(path)` through a temporary `.keras` file and a rename.

    Args:
        model: `keras.Model`. The model to save.
        path: str. A `.keras` file.

    Returns:
        `path`.
    """
    temporary = _temporary(path)
    try:
        model.save(temporary)
        _replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path


def check_new_output(output: str) -> None:
    """Refuses an `--output` for a new run that would overwrite something.

    Args:
        output: str. The folder a new run is to write.

    Raises:
        CLIError: if `output` is a file, an existing run folder (it asks for
            `--resume`), or a folder with content that is not a run folder of
            this program.
    """
    if not os.path.exists(output):
        return
    if not os.path.isdir(output):
        raise CLIError(f"--output {output!r} is an existing file, not a folder")
    if os.path.exists(os.path.join(output, CONFIG_FILE)):
        raise CLIError(
            f"{output!r} already holds a run; use --resume to continue it or choose "
            "another --output"
        )
    if os.listdir(output):
        raise CLIError(
            f"--output {output!r} is an existing folder that is not a {PROG} run folder (no "
            f"{CONFIG_FILE}); choose a new or empty folder so that nothing in it is overwritten"
        )


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
            stored = json.load(f)
    except (OSError, ValueError) as e:
        raise CLIError(f"--resume: could not read {path!r}: {e}") from e
    config = stored.get("train") if isinstance(stored, dict) else None
    if not isinstance(config, dict):
        raise CLIError(
            f'--resume: {path!r} is not a {PROG} run configuration (it has no "train" section)'
        )
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
    """Writes `{"train": config, "versions": versions()}` to `output/config.json` (atomically).

    Args:
        output: str. The run folder (must exist).
        config: dict. A JSON-serializable configuration.

    Returns:
        The path written.
    """
    path = os.path.join(output, CONFIG_FILE)
    return atomic_write_text(path, json.dumps({"train": config, "versions": versions()}, indent=2))


_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"]
_MISSING = (None, "", "NA", "nan")


def _read_series(csv_path: str) -> dict:
    """`{key: [(epoch, value), ...]}` of a `history.csv`: finite values only, 1-based epochs."""
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        return {}
    series = {}
    for i, row in enumerate(rows):
        try:
            epoch = int(float(row.get("epoch"))) + 1
        except (TypeError, ValueError):
            epoch = i + 1
        for key, text in row.items():
            if key == "epoch" or text in _MISSING:
                continue
            try:
                value = float(text)
            except (TypeError, ValueError):
                continue
            if math.isfinite(value):
                series.setdefault(key, []).append((epoch, value))
    return series


def plot_history(csv_path, png_path, width=640, height=360) -> str | None:
    """Draws the curves of a `history.csv` into a PNG: one line per column, with a legend.

    Uses matplotlib when it is installed (the `plot` extra; drawn off screen
    on a `Figure` with the Agg canvas, so no display and no `pyplot` state),
    else draws the same curves, colors and legend with Pillow.

    Args:
        csv_path: str. A CSV with an `epoch` column (0-based, as Keras counts)
            and one column per metric; empty, `NA` and non-finite cells are
            skipped.
        png_path: str. Output file.
        width: int. Image width in pixels.
        height: int. Image height in pixels.

    Returns:
        `png_path`, or None when the CSV holds no values.
    """
    series = _read_series(csv_path)
    if not series:
        return None
    try:
        import matplotlib  # noqa: F401 - only to know whether it is installed
    except ImportError:
        draw = _draw_with_pillow
    else:
        draw = _draw_with_matplotlib
    temporary = _temporary(png_path)
    try:
        draw(series, width, height, temporary)
        os.replace(temporary, png_path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return png_path


def _draw_with_matplotlib(series: dict, width: int, height: int, path: str) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    dpi = 100
    figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for i, (key, points) in enumerate(series.items()):
        epochs, values = zip(*points)
        marker = "o" if len(points) == 1 else None
        axes.plot(epochs, values, color=_COLORS[i % len(_COLORS)], label=key, marker=marker)
    axes.set_xlabel("epoch")
    axes.legend(loc="best", fontsize="small")
    axes.grid(True, alpha=0.3)
    last = max(epoch for points in series.values() for epoch, _ in points)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlim(1, max(last, 2))
    figure.tight_layout()
    figure.savefig(path, format="png")


def _draw_with_pillow(series: dict, width: int, height: int, path: str) -> None:
    from PIL import Image, ImageDraw

    values = [v for points in series.values() for _, v in points]
    low, high = min(values), max(values)
    if high - low < 1e-12:
        high = low + 1.0
    first = min(e for points in series.values() for e, _ in points)
    last = max(e for points in series.values() for e, _ in points)
    margin = 40
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([margin, 10, width - 10, height - margin], outline="black")
    for i, (key, points) in enumerate(series.items()):
        xy = [
            (
                margin + (width - margin - 10) * ((e - first) / max(last - first, 1)),
                10 + (height - margin - 10) * (1 - (v - low) / (high - low)),
            )
            for e, v in points
        ]
        color = _COLORS[i % len(_COLORS)]
        if len(xy) > 1:
            draw.line(xy, fill=color, width=2)
        else:
            draw.ellipse([xy[0][0] - 2, xy[0][1] - 2, xy[0][0] + 2, xy[0][1] + 2], fill=color)
        draw.text((margin + 8 + 90 * i, 14), key, fill=color)
    draw.text((4, 10), f"{high:.3g}", fill="black")
    draw.text((4, height - margin - 10), f"{low:.3g}", fill="black")
    draw.text((margin, height - margin + 8), f"epoch {first}", fill="black")
    draw.text((width - 70, height - margin + 8), f"epoch {last}", fill="black")
    image.save(path, format="PNG")


def _format(value):
    try:
        return repr(float(value))
    except (TypeError, ValueError):
        return str(value)


def write_history(path: str, rows: list) -> str:
    """Writes the per-epoch logs as a CSV (as `keras.callbacks.CSVLogger`), atomically.

    Unlike `CSVLogger`, which adds an empty `val_<key>` column for every key
    when the first epoch has no validation logs (keras-team/keras#21173), a
    column is written only for a key that has a value in some row: the GAN
    models refuse validation data, so there are no `val_*` columns. Empty
    cells read back from older run folders (written by `CSVLogger`) are
    dropped the same way.

    Args:
        path: str. The CSV file.
        rows: list of dict. One dict of logs per epoch, each with an `epoch` key
            (0-based, as Keras counts).

    Returns:
        `path`.
    """
    rows = [{k: v for k, v in row.items() if k == "epoch" or v not in _MISSING} for row in rows]
    keys = sorted({k for row in rows for k in row if k != "epoch"})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["epoch", *keys])
    for row in rows:
        writer.writerow([row["epoch"], *(_format(row[k]) if k in row else "" for k in keys)])
    return atomic_write_text(path, buffer.getvalue())


class Backup:
    """One finished epoch in `backup/`: its number, weights file and recorded history.

    Args:
        epoch: int. Finished epochs.
        weights: str. The `.weights.h5` file.
        history: list of dict. The history rows up to this epoch.
    """

    def __init__(self, epoch: int, weights: str, history: list):
        self.epoch = epoch
        self.weights = weights
        self.history = history


def _readable_h5(path: str) -> str | None:
    """None if every dataset of the HDF5 file reads back; else what went wrong."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            f.visititems(lambda name, item: item[()] if isinstance(item, h5py.Dataset) else None)
    except Exception as e:  # noqa: BLE001 - any failure means "unreadable"
        return str(e).splitlines()[0] if str(e) else type(e).__name__
    return None


def _backups(output: str) -> list:
    """The complete backups of a run folder, newest first (legacy BackupAndRestore last)."""
    folder = os.path.join(output, BACKUP_DIR)
    found = []
    for meta in glob.glob(os.path.join(folder, "epoch_*.json")):
        match = _BACKUP_NAME.match(os.path.basename(meta))
        if not match:
            continue
        try:
            with open(meta) as f:
                record = json.load(f)
            epoch, history = int(record["epoch"]), list(record["history"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        weights = os.path.join(folder, f"epoch_{int(match.group(1)):04d}.weights.h5")
        found.append(Backup(epoch, weights, history))
    found.sort(key=lambda b: -b.epoch)
    legacy = os.path.join(folder, "training_metadata.json")
    if not found and os.path.exists(legacy):  # run folders written by keras' BackupAndRestore
        try:
            with open(legacy) as f:
                epoch = int(json.load(f)["epoch"])
            found.append(Backup(epoch, os.path.join(folder, "latest.weights.h5"), None))
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return found


def find_backup(output: str, report=print) -> Backup | None:
    """The newest backup of a run folder whose weights file reads back in full.

    Args:
        output: str. The run folder.
        report: callable. Called with one line per backup that is skipped
            (damaged or truncated). Defaults to `print`.

    Returns:
        A `Backup`, or None when the folder has no readable backup.
    """
    for backup in _backups(output):
        if not os.path.exists(backup.weights):
            problem = "its weights file is missing"
        else:
            problem = _readable_h5(backup.weights)
        if problem is None:
            return backup
        report(
            f"{PROG}: the backup of epoch {backup.epoch} is unreadable ({problem}); trying "
            "the previous one"
        )
    return None


class RunBackup:
    """Writes `backup/epoch_NNNN.*` and `history.csv` after every epoch (a Keras callback).

    Built lazily as a `keras.callbacks.Callback` subclass (`RunBackup.create`),
    so that this module imports no Keras.
    """

    @staticmethod
    def create(output: str, history: list):
        """A callback that backs the run up into `output` after every epoch.

        Args:
            output: str. The run folder.
            history: list of dict. The rows of the epochs already finished
                (from the backup a resumed run starts from); new rows are
                appended.
        """
        import keras

        class _RunBackup(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.output = output
                self.history = [dict(row) for row in history]

            def on_epoch_end(self, epoch, logs=None):
                row = {"epoch": epoch}
                for key, value in (logs or {}).items():
                    try:
                        row[key] = float(value)
                    except (TypeError, ValueError):
                        continue
                self.history = [r for r in self.history if r["epoch"] < epoch] + [row]
                folder = os.path.join(self.output, BACKUP_DIR)
                os.makedirs(folder, exist_ok=True)
                stem = os.path.join(folder, f"epoch_{epoch + 1:04d}")
                temporary = _temporary(stem + ".weights.h5")
                try:
                    self.model.save_weights(temporary)
                    _replace(temporary, stem + ".weights.h5")
                finally:
                    if os.path.exists(temporary):
                        os.remove(temporary)
                record = {"epoch": epoch + 1, "history": self.history}
                atomic_write_text(stem + ".json", json.dumps(record, indent=1))
                write_history(os.path.join(self.output, HISTORY_FILE), self.history)
                for old in _backups(self.output)[_KEEP_BACKUPS:]:
                    for path in (old.weights, old.weights[: -len(".weights.h5")] + ".json"):
                        if os.path.exists(path):
                            os.remove(path)

        return _RunBackup()


def run_training(
    config: dict,
    model,
    data: tuple,
    callbacks: list,
    epochs: int,
    resume: Backup | None = None,
    quiet: bool = False,
    tensorboard: bool = False,
) -> int:
    """Fits `model` in the run folder `config["output"]`.

    Writes `config.json`; adds a `keras_gan_kit.callbacks.DivergenceGuard`
    (first) and the run's backup (last, see `RunBackup`); saves `model.keras`
    at the end, on Ctrl-C and, with the last good state, when training
    diverges; draws `loss_plot.png`.

    Args:
        config: dict. The run's configuration, with `output` and `batch_size`.
        model: A compiled Keras model.
        data: tuple. The positional arguments of `model.fit`.
        callbacks: list. The recipe's callbacks (sample savers, EMA, ...).
        epochs: int. Total epochs.
        resume: `Backup` or None. The backup this run continues from.
        quiet: bool. No progress bar.
        tensorboard: bool. Also log to `output/tensorboard/`: Keras'
            `keras.callbacks.TensorBoard` (losses, in `train/`) and
            `keras_gan_kit.callbacks.TensorBoardSampleGrids` (the recipe's
            sample grids, in `samples/`). Needs TensorFlow on every backend.

    Returns:
        The exit code: 0, or 130 after Ctrl-C.

    Raises:
        CLIError: when training diverged (one line: where, and what was saved).
    """
    from keras_gan_kit.callbacks import DivergenceGuard, TrainingDivergedError

    output = config["output"]
    history_csv = os.path.join(output, HISTORY_FILE)
    initial_epoch = 0
    history = []
    if resume is not None:
        try:
            model.load_weights(resume.weights)
        except Exception as e:  # noqa: BLE001 - reported in one line
            raise CLIError(
                f"--resume: could not load the backup {resume.weights!r} into the model: "
                f"{str(e).splitlines()[0] if str(e) else type(e).__name__}"
            ) from e
        initial_epoch = resume.epoch
        history = resume.history if resume.history is not None else _read_rows(history_csv)
        history = [r for r in history if int(r["epoch"]) < initial_epoch]
        write_history(history_csv, history)
    write_config(output, config)
    backup = RunBackup.create(output, history)
    logging = _tensorboard_callbacks(output, callbacks) if tensorboard else []
    callbacks = [DivergenceGuard(), *callbacks, *logging, backup]
    model_path = os.path.join(output, MODEL_FILE)
    try:
        model.fit(
            *data,
            batch_size=config["batch_size"],
            epochs=epochs,
            initial_epoch=initial_epoch,
            callbacks=callbacks,
            verbose=0 if quiet else 1,
        )
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted.")
        try:
            atomic_save_model(model, model_path)
            print(f"{PROG}: saved the current model to {model_path}")
        except Exception as e:  # noqa: BLE001 - the epoch backup is still there
            print(f"{PROG}: could not save the current model ({e}).")
        print(
            f"{PROG}: continue from the last completed epoch with: {PROG} train "
            f"--output {output} --resume"
        )
        _plot(output)
        return 130
    except TrainingDivergedError as e:
        saved = ""
        if e.restored_epoch is not None:
            atomic_save_model(model, model_path)
            saved = f"; saved them to {model_path}"
        _plot(output)
        raise CLIError(
            f"{e}{saved}. Start a new run with a lower --learning-rate (or another --loss "
            "or penalty)"
        ) from e
    atomic_save_model(model, model_path)
    _plot(output)
    print(f"{PROG}: done. Samples: {os.path.join(output, 'samples')}; model: {model_path}")
    return 0


def _tensorboard_callbacks(output: str, callbacks: list) -> list:
    """Keras' `TensorBoard` and the sample grids as images, both in `output/tensorboard/`."""
    import keras

    from keras_gan_kit.callbacks import TensorBoardSampleGrids
    from keras_gan_kit.callbacks.tensorboard_sample_grids import import_tf_summary

    try:
        # Under JAX or PyTorch, TensorFlow writes files only: keep it off the GPUs.
        import_tf_summary(hide_gpus=True)
    except ImportError as e:
        raise CLIError(f"--tensorboard: {e}") from e
    log_dir = os.path.join(output, TENSORBOARD_DIR)
    found = [keras.callbacks.TensorBoard(log_dir)]
    savers = [c for c in callbacks if isinstance(getattr(c, "saved_paths", None), list)]
    if savers:
        found.append(TensorBoardSampleGrids(log_dir, savers))
    return found


def _read_rows(path: str) -> list:
    """The rows of an existing `history.csv` (for run folders without a history backup)."""
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return [
            {k: (int(v) if k == "epoch" else v) for k, v in row.items()}
            for row in csv.DictReader(f)
        ]


def _plot(output: str) -> None:
    history_csv = os.path.join(output, HISTORY_FILE)
    if os.path.exists(history_csv):
        plot_history(history_csv, os.path.join(output, "loss_plot.png"))
