"""`keras-gan-kit` starts without Keras: --help, --version, a missing backend, the lazy package."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import pytest

import keras_gan_kit as kgk
from keras_gan_kit import cli, losses
from keras_gan_kit.cli import names

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEAVY = ("keras", "tensorflow", "jax", "torch")


def run_python(code, env=None):
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def test_help_and_version_import_no_backend():
    result = run_python(
        f"""
        import contextlib, io, json, sys
        from keras_gan_kit.cli import main
        texts = {{}}
        for argv in (["--help"], ["--version"], ["train", "--help"], ["train", "dcgan", "-h"],
                     ["train", "pix2pix", "-h"], ["train", "cyclegan", "-h"], ["sample", "-h"],
                     ["evaluate", "-h"], ["translate", "-h"]):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                try:
                    main(argv)
                except SystemExit as e:
                    assert e.code == 0, (argv, e.code)
            texts[" ".join(argv)] = out.getvalue()
        print(json.dumps({{"loaded": [m for m in {HEAVY!r} if m in sys.modules], "texts": texts}}))
        """
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["loaded"] == []
    texts = report["texts"]
    assert texts["--version"].strip() == f"keras-gan-kit {kgk.__version__}"
    assert all(name in texts["train --help"] for name in ("dcgan", "pix2pix", "cyclegan"))
    assert "wasserstein (wgan, w)" in " ".join(texts["train dcgan -h"].split())
    assert (
        "--l1-weight" in texts["train pix2pix -h"]
        and "--l1-weight" not in (texts["train cyclegan -h"])
    )


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_a_missing_backend_is_one_line(backend, tmp_path):
    """The backend's module is made unimportable (a None entry in sys.modules)."""
    result = run_python(
        f"""
        import sys
        sys.modules[{backend!r}] = None
        from keras_gan_kit.cli import main
        sys.exit(main(["train", "--epochs", "1", "--output", {str(tmp_path / "run")!r}]))
        """,
        env={"KERAS_BACKEND": backend},
    )
    err = result.stderr.strip()
    assert result.returncode == 2, err
    assert err.splitlines() == [err] and "Traceback" not in err
    assert f'pip install "keras-gan-kit[{backend}]"' in err and f"'{backend}'" in err


def test_a_backend_import_error_while_running_is_one_line(capsys, monkeypatch):
    def needs_torch(args):
        raise ModuleNotFoundError("No module named 'torch'", name="torch")

    monkeypatch.setattr(cli.sample, "run", needs_torch)
    assert cli.main(["sample", "model.keras"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.splitlines() == [err] and 'pip install "keras-gan-kit[torch]"' in err


def test_package_is_lazy_until_keras_is_imported(tmp_path):
    gan = kgk.GAN(kgk.networks.DCGANGenerator(8, 1, 8, 8), kgk.networks.DCGANDiscriminator(8, 1, 8))
    gan.save(tmp_path / "gan.keras")
    result = run_python(
        f"""
        import sys
        import keras_gan_kit as kgk
        assert "keras" not in sys.modules and "keras_gan_kit.models" not in sys.modules
        assert "synthetic_data" in dir(kgk) and "augmentation" not in kgk.__all__
        import keras  # imports every subpackage, so the saved classes are known
        assert "keras_gan_kit.models" in sys.modules
        model = keras.models.load_model({str(tmp_path / "gan.keras")!r})
        print(type(model).__name__, kgk.GAN is kgk.models.GAN, kgk.__version__)
        """,
        env={"KERAS_BACKEND": keras.backend.backend()},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["GAN", "True", kgk.__version__]


@pytest.mark.parametrize("first", ["layers", "trainers"])
def test_a_subpackage_imported_before_keras_imports_cleanly(first):
    # keras_gan_kit.layers imports Keras itself, half way through its own import: the
    # import-all that registers the saved classes must wait until layers is complete
    # (it used to import networks, which needs layers' names, and fail).
    result = run_python(
        f"""
        import sys
        import keras_gan_kit.{first}
        import keras
        import keras_gan_kit as kgk
        assert all("keras_gan_kit." + name in sys.modules for name in kgk._SUBPACKAGES)
        assert keras.saving.get_registered_object("keras_gan_kit>GAN") is kgk.GAN
        print(kgk.layers.GroupedConv2D.__name__, kgk.networks.DCGANGenerator.__name__)
        """,
        env={"KERAS_BACKEND": keras.backend.backend()},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["GroupedConv2D", "DCGANGenerator"]


def test_package_attributes():
    assert set(kgk.__all__) <= set(dir(kgk))
    for name in kgk.__all__:
        assert getattr(kgk, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        kgk.nothing  # noqa: B018


def test_help_names_match_the_registries():
    def built_in(kind, get):
        return {
            name: aliases
            for name, aliases in losses.available(kind).items()
            if type(get(name)).__module__.startswith("keras_gan_kit.")
        }

    assert names.loss_names() == built_in("losses", losses.get)
    assert names.penalty_names() == built_in("penalties", losses.get_penalty)
