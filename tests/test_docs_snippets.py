"""Runs every ```python snippet of the docs, so that none of them rots.

One test per page: the page's snippets run in order in one namespace, as a reader
would paste them one after the other (a later snippet may use what an earlier one
defined or imported). Nothing is imported for them: a snippet that uses `keras`
without an earlier `import keras` on its page fails.

What the snippets may take for granted is what the docs call *your* data and
networks: `images`, `generator`, `gan`, ... The namespace starts with small
stand-ins for those names (`_placeholders` below lists them; a page that defines
one itself overrides it). Sizes are kept small by running every `fit` for one
epoch of one step, silently (`_small_fit`), and by drawing at most 32
images of the offline demo sets (`_small_demo`): the snippets' use of the API
is checked, not the quality of what they train, which the guides' measured numbers
and the model tests cover.

Special snippets:

- `--8<-- "examples/x.py"` includes a whole example; `tests/test_examples.py`
  runs those as scripts, so they are counted here and not run again. A section
  include (`"examples/x.py:section"`) runs on its page after the imports and
  constants at the top of its file.
- A line `# docs-test: skip (reason)` skips its snippet (for a download or a
  pseudo-code illustration); the reason is required and the skips are counted
  (`test_few_snippets_are_skipped`).
- A snippet with a comment line `# SomeError: ...` documents an error: it must
  raise that exception.
- A snippet that sets `os.environ["KERAS_BACKEND"] = "jax"` (say) is for that
  backend: it runs only when the tests run on it.

Runs from a temporary directory (snippets write `gan.keras`, `runs/...`).
"""

from __future__ import annotations

import builtins
import os
import re
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest

import keras_gan_kit as kgk

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

_FENCE = re.compile(
    r"^(?P<indent>[ ]*)(?P<fence>`{3,})python[^\n]*\n(?P<body>.*?)^(?P=indent)(?P=fence)[ ]*$",
    re.S | re.M,
)
_INCLUDE = re.compile(r'^--8<-- "(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"\s*$')
_SKIP = re.compile(r"#\s*docs-test:\s*skip\b\s*(?:\((?P<reason>[^)]*)\))?")
_BACKEND = re.compile(r"""os\.environ\[["']KERAS_BACKEND["']\]\s*=\s*["'](?P<backend>\w+)["']""")
_ERROR = re.compile(r"^#\s*(?P<error>[A-Z]\w*(?:Error|Exception)):\s", re.M)


def _snippets(page: Path) -> list[tuple[int, str]]:
    """The (line number, dedented code) of each ```python block of `page`, in order."""
    text = page.read_text(encoding="utf-8")
    return [
        (text[: m.start()].count("\n") + 1, textwrap.dedent(m.group("body")))
        for m in _FENCE.finditer(text)
    ]


def _pages() -> list[Path]:
    return sorted(p for p in DOCS.rglob("*.md") if _snippets(p))


def _pages_to_run() -> list[Path]:
    def runs_here(kind, detail):
        return kind == "run" or (kind, detail) == ("backend", keras.backend.backend())

    return [p for p in _pages() if any(runs_here(kind, detail) for kind, _, detail, _ in _plan(p))]


def _section(path: str, section: str | None) -> tuple[str, str]:
    """(the imports at the top of `path`, the code of `section` or the whole file)."""
    source = (ROOT / path).read_text(encoding="utf-8")
    if section is None:
        return "", source
    start = source.index(f"# --8<-- [start:{section}]")
    end = source.index(f"# --8<-- [end:{section}]")
    head = source[: source.index("# --8<-- [start:")]
    imports = "\n".join(
        line
        for line in head.splitlines()
        if re.match(r"(import|from) \w|[A-Z][A-Z0-9_]* = [^(]+$", line)
    )
    return imports, source[start:end]


def _placeholders(page: str, code: str) -> dict:
    """Small stand-ins for the data and networks the docs call the reader's own.

    Only the names that `code` (the page's snippets) mentions are built.
    """
    rng = np.random.default_rng(0)

    def build_generator(latent_dim=8):
        return keras.Sequential(
            [
                keras.Input((latent_dim,)),
                keras.layers.Dense(32 * 32 * 3, activation="tanh"),
                keras.layers.Reshape((32, 32, 3)),
            ],
            name="generator",
        )

    def build_discriminator():
        return keras.Sequential(
            [keras.Input((32, 32, 3)), keras.layers.Flatten(), keras.layers.Dense(1)],
            name="discriminator",
        )

    def build_gan():
        if page == "guide/metrics.md":  # its `gan` trains on 2-D points
            gan = kgk.GAN(
                keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]),
                keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]),
                seed=0,
            )
        else:
            gan = kgk.GAN(build_generator(), build_discriminator(), seed=0)
        gan.compile()
        return gan

    def build_pix2pix():  # a translation model at 64x64
        return kgk.models.Pix2Pix(
            kgk.networks.UNetGenerator(64, base_filters=4),
            kgk.networks.PatchGANDiscriminator(condition_channels=3, base_filters=4),
        )

    images = rng.uniform(-1, 1, (128, 32, 32, 3)).astype("float32")
    angles = rng.uniform(0, 2 * np.pi, 256)
    points = (0.8 * np.stack([np.cos(angles), np.sin(angles)], 1)).astype("float32")
    factories = {
        "images": lambda: images,  # your training images, float32 in [-1, 1]
        "images01": lambda: (images + 1) / 2,  # the same in [0, 1]
        "x_train": lambda: images,
        "next_batch_of_images": lambda: lambda: images[:64],  # your own data source
        "labels": lambda: np.arange(128) % 10,  # your class labels, for `images`
        "points": lambda: points,  # 2-D toy data
        "point_labels": lambda: rng.integers(0, 10, 256),
        "build_generator": lambda: build_generator,
        "build_discriminator": lambda: build_discriminator,
        "generator": build_generator,
        "discriminator": build_discriminator,
        "gan": build_gan,
        "pix2pix": build_pix2pix,
    }
    return {
        name: factory() for name, factory in factories.items() if re.search(rf"\b{name}\b", code)
    }


_DEMO_IMAGES = 32


def _small_demo(original, data_arg):
    """A demo-set loader that draws at most `_DEMO_IMAGES` images (they are drawn, not read)."""

    def load(*args, **kwargs):
        if data_arg == "num_images":  # make_paired_demo(num_images, ...)
            if args:
                args = (min(args[0], _DEMO_IMAGES), *args[1:])
            else:
                kwargs["num_images"] = min(kwargs.get("num_images", _DEMO_IMAGES), _DEMO_IMAGES)
        elif (args[0] if args else kwargs.get("data")) == "demo":
            kwargs["num_images"] = min(kwargs.get("num_images") or _DEMO_IMAGES, _DEMO_IMAGES)
        return original(*args, **kwargs)

    return load


def _small_fit(original):
    """`fit` for one epoch of one step, silent: the sizes of the docs shrunk."""

    def fit(self, *args, **kwargs):
        kwargs["epochs"] = kwargs.get("initial_epoch", 0) + 1
        kwargs["steps_per_epoch"] = 1
        kwargs["verbose"] = 0
        # On TensorFlow one step costs less eagerly than tracing a graph for it (JAX
        # runs eager steps op by op, slower than compiling them).
        if keras.backend.backend() != "jax":
            self.run_eagerly = True
        return original(self, *args, **kwargs)

    return fit


def _plan(page: Path) -> list[tuple[str, int, str | None, str]]:
    """Each snippet of `page` as (kind, line, reason or expected error, code).

    kind: "run", "skip" (marker), "example" (whole example, run by test_examples),
    "backend" (sets `KERAS_BACKEND` to `detail`: runs on that backend only).
    """
    plan = []
    for line, code in _snippets(page):
        include = _INCLUDE.match(code.strip())
        skip = _SKIP.search(code)
        if include and include.group("section") is None:
            plan.append(("example", line, include.group("path"), ""))
        elif skip:
            plan.append(("skip", line, (skip.group("reason") or "").strip(), code))
        elif _BACKEND.search(code):
            plan.append(("backend", line, _BACKEND.search(code).group("backend"), code))
        elif include:
            imports, section = _section(include.group("path"), include.group("section"))
            plan.append(("run", line, None, imports + "\n" + section))
        else:
            error = _ERROR.search(code)
            plan.append(("run", line, error.group("error") if error else None, code))
    return plan


PAGES = _pages_to_run()


# Every page runs on every backend (2026-12-01, loaded 2-core machine: about 5 min on
# JAX, where each snippet's first step is an XLA compilation, 1 min on PyTorch, 2 min on
# TensorFlow), so no snippet rots on a backend the docs promise.
@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_page_snippets_run(page, tmp_path, monkeypatch):
    name = str(page.relative_to(DOCS))
    monkeypatch.chdir(tmp_path)
    # A snippet may set KERAS_BACKEND (getting started): keep it for later tests.
    monkeypatch.setenv("KERAS_BACKEND", keras.backend.backend())
    monkeypatch.setattr(keras.Model, "fit", _small_fit(keras.Model.fit))
    for loader, data_arg in (
        ("load_translation_data", "data"),
        ("make_paired_demo", "num_images"),
        ("make_unpaired_demo", "num_images"),
    ):
        original = getattr(kgk.datasets, loader)
        monkeypatch.setattr(kgk.datasets, loader, _small_demo(original, data_arg))
    plan = _plan(page)
    namespace = {"__name__": f"docs_{Path(name).stem}", "__builtins__": builtins}
    namespace.update(_placeholders(name, "\n".join(code for *_, code in plan)))
    try:
        for kind, line, detail, code in plan:
            if kind == "run":
                _run_snippet(f"docs/{name}:{line}", code, detail, namespace)
            elif kind == "backend" and detail == keras.backend.backend():
                _run_snippet(f"docs/{name}:{line}", code, None, namespace)
    finally:  # what a page may set globally
        keras.config.set_dtype_policy("float32")
        keras.distribution.set_distribution(None)


def _run_snippet(where: str, code: str, error_name: str | None, namespace: dict) -> None:
    compiled = compile(code, where, "exec")
    try:
        if error_name is None:
            exec(compiled, namespace)
            return
        error = getattr(builtins, error_name, None)
        assert error is not None, f"{where}: unknown error type {error_name}"
        with pytest.raises(error):
            exec(compiled, namespace)
    except (AssertionError, pytest.fail.Exception):
        raise
    except Exception as e:
        raise AssertionError(f"the snippet at {where} failed: {type(e).__name__}: {e}") from e


def test_few_snippets_are_skipped():
    plans = {str(p.relative_to(DOCS)): _plan(p) for p in _pages()}
    counts = {"run": 0, "backend": 0, "skip": 0, "example": 0}
    for page, plan in plans.items():
        for kind, line, detail, _ in plan:
            counts[kind] += 1
            if kind == "skip":
                assert detail, f"docs/{page}:{line}: a docs-test skip needs a (reason)"
    print(f"docs snippets: {counts}")
    assert counts["run"] >= 30, counts
    # Skips are for downloads and pseudo-code: a minority, not a way out.
    assert counts["skip"] <= counts["run"] // 4, counts


def test_extraction_on_a_known_page(tmp_path):
    """The extractor finds fenced, indented and 4-backtick blocks, and the markers."""
    page = tmp_path / "page.md"
    page.write_text(
        "# T\n\n```python\nx = 1\n```\n\n!!! note\n    ```python\n    y = x + 1\n    ```\n\n"
        '````python\n--8<-- "examples/quickstart.py"\n````\n\n'
        "```python\nz = 1  # docs-test: skip (downloads CIFAR-10)\n```\n\n"
        "```python\nint('a')\n# ValueError: invalid literal\n```\n\n```bash\nls\n```\n"
    )
    plan = _plan(page)
    assert [(kind, line, detail) for kind, line, detail, _ in plan] == [
        ("run", 3, None),
        ("run", 8, None),
        ("example", 12, "examples/quickstart.py"),
        ("skip", 16, "downloads CIFAR-10"),
        ("run", 20, "ValueError"),
    ]
    assert plan[1][3] == "y = x + 1\n"
    assert os.path.exists(ROOT / plan[2][2])
