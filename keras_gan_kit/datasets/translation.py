"""Image-to-image translation data: paired (Pix2Pix) and unpaired (CycleGAN) sets.

Everything returns float32 RGB images in [-1, 1], shape `(n, size, size, 3)`.
"""

from __future__ import annotations

import os
import zlib

import numpy as np

from keras_gan_kit.datasets.loaders import (
    IMAGE_EXTENSIONS,
    load_image_folder,
    scale_to_tanh_range,
)
from keras_gan_kit.utils.validation import check_positive_int

__all__ = [
    "CYCLEGAN_DATASETS",
    "PIX2PIX_DATASETS",
    "load_cyclegan_dataset",
    "load_paired_folder",
    "load_pix2pix_dataset",
    "load_translation_data",
    "load_unpaired_folder",
]

PIX2PIX_URL = "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/{name}.tar.gz"
CYCLEGAN_URL = "http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/{name}.zip"

# What the left (A) and right (B) halves hold, the direction the set is usually trained
# in (pytorch-CycleGAN-and-pix2pix docs and pretrained model names) and its splits.
PIX2PIX_DATASETS = {
    "facades": {
        "A": "photo",
        "B": "label map",
        "direction": "BtoA",
        "splits": ("train", "val", "test"),
    },
    "cityscapes": {"A": "photo", "B": "label map", "direction": "BtoA", "splits": ("train", "val")},
    "maps": {"A": "aerial photo", "B": "map", "direction": "AtoB", "splits": ("train", "val")},
    "edges2shoes": {"A": "edges", "B": "photo", "direction": "AtoB", "splits": ("train", "val")},
    "night2day": {
        "A": "night",
        "B": "day",
        "direction": "AtoB",
        "splits": ("train", "val", "test"),
    },
}

CYCLEGAN_DATASETS = {
    "horse2zebra": ("horse", "zebra"),
    "monet2photo": ("Monet painting", "photo"),
    "summer2winter_yosemite": ("summer", "winter"),
    "apple2orange": ("apple", "orange"),
    "vangogh2photo": ("Van Gogh painting", "photo"),
    "cezanne2photo": ("Cezanne painting", "photo"),
    "ukiyoe2photo": ("Ukiyo-e print", "photo"),
    "maps": ("aerial photo", "map"),
    "facades": ("photo", "label map"),
}

DIRECTIONS = ("AtoB", "BtoA")


def _check_direction(direction):
    if direction not in DIRECTIONS:
        raise ValueError(f"`direction` must be 'AtoB' or 'BtoA'. Received: direction={direction!r}")


def _image_files(folder):
    """Sorted image paths directly inside `folder` (not recursive)."""
    return sorted(
        os.path.join(folder, n)
        for n in os.listdir(folder)
        if n.lower().endswith(IMAGE_EXTENSIONS) and os.path.isfile(os.path.join(folder, n))
    )


def _subfolders(folder):
    return sorted(d for d in os.listdir(folder) if os.path.isdir(os.path.join(folder, d)))


def _to_array(image, image_size):
    """A PIL image -> float32 (size, size, 3) in [0, 255], bicubic resize, RGB."""
    from PIL import Image

    image = image.convert("RGB")
    if image.size != (image_size, image_size):
        # PIL, not keras.ops.image.resize: PIL already decodes the file here and
        # resizes the 8-bit image in place, one image at a time. Keras' antialiased
        # bicubic on the float image is not the same result: PIL's 8-bit path
        # rounds and clips between its two passes (measured on a 512 px photograph
        # resized to 256/300/1024 px: up to 3-9 grey levels, 0.012-0.035 on [0, 1],
        # even after Keras' output is clipped and rounded), so switching would
        # change every loaded pair (and the translation guide's measured numbers).
        image = image.resize((image_size, image_size), Image.Resampling.BICUBIC)
    return np.asarray(image, dtype="float32")


def _finish(images):
    return np.clip(scale_to_tanh_range(images, 255.0), -1.0, 1.0)


def _load_side_by_side(files, image_size):
    from PIL import Image

    a = np.empty((len(files), image_size, image_size, 3), "float32")
    b = np.empty_like(a)
    for i, path in enumerate(files):
        with Image.open(path) as image:
            w, h = image.size
            if w <= h or w < 2:
                raise ValueError(
                    "A side-by-side A|B pair must be wider than tall (A is the left half, "
                    f"B the right half). Received: {path!r} of size {w}x{h}. For pairs stored "
                    "as separate files, use a folder with A/ and B/ sub-folders."
                )
            half = w // 2
            a[i] = _to_array(image.crop((0, 0, half, h)), image_size)
            b[i] = _to_array(image.crop((half, 0, w, h)), image_size)
    return _finish(a), _finish(b)


def _load_ab_folders(folder_a, folder_b, image_size, max_images):
    from PIL import Image

    files_a, files_b = _image_files(folder_a), _image_files(folder_b)
    stems_a = {os.path.splitext(os.path.basename(p))[0]: p for p in files_a}
    stems_b = {os.path.splitext(os.path.basename(p))[0]: p for p in files_b}
    only_a, only_b = sorted(set(stems_a) - set(stems_b)), sorted(set(stems_b) - set(stems_a))
    if only_a or only_b:
        raise ValueError(
            f"The images in {folder_a!r} and {folder_b!r} must pair up by file name "
            f"(extension aside). Received: {len(only_a)} names only in A "
            f"(e.g. {only_a[:3]}), {len(only_b)} only in B (e.g. {only_b[:3]})."
        )
    if not stems_a:
        raise ValueError(
            f"No images found in {folder_a!r} (looked for {', '.join(IMAGE_EXTENSIONS)})."
        )
    names = sorted(stems_a)
    if max_images is not None:
        names = names[:max_images]
    a = np.empty((len(names), image_size, image_size, 3), "float32")
    b = np.empty_like(a)
    for i, name in enumerate(names):
        with Image.open(stems_a[name]) as image:
            a[i] = _to_array(image, image_size)
        with Image.open(stems_b[name]) as image:
            b[i] = _to_array(image, image_size)
    return _finish(a), _finish(b)


def load_paired_folder(
    path,
    image_size: int = 256,
    direction: str = "AtoB",
    split: str | None = None,
    max_images: int | None = None,
):
    """Paired images from a folder, in either of the two pix2pix layouts.

    1. **Side by side** (the layout of the pix2pix archives): every image in
       the folder is one pair, A in the left half and B in the right half
       (e.g. `facades/train/1.jpg`, 512x256). The images must be wider than
       tall, so a folder of ordinary photos is refused rather than split.
    2. **A/ and B/ sub-folders**: `path/A/x.png` pairs with `path/B/x.png`
       (file names must match apart from the extension; mismatches are an
       error). `path/A/<split>` and `path/B/<split>` also work, the input
       layout of pix2pix's `combine_A_and_B.py`.

    Each half or file is resized to `image_size` x `image_size` (bicubic,
    aspect ratio not kept, as pix2pix does) and converted to RGB. Files are
    read in sorted name order.

    Args:
        path: str or path. The folder.
        image_size: int. Output height and width. Defaults to 256.
        direction: str. `"AtoB"` returns `(A, B)` as `(inputs, targets)`;
            `"BtoA"` returns `(B, A)`. Defaults to `"AtoB"`.
        split: str or None. If given, read `path/<split>` (side by side) or
            `path/A/<split>`, `path/B/<split>`; None reads `path` itself.
            Defaults to None.
        max_images: int or None. Load at most this many pairs. Defaults to
            None (all).

    Returns:
        Tuple `(inputs, targets)` of float32 arrays
        `(n, image_size, image_size, 3)` in [-1, 1].

    Raises:
        ValueError: for a missing folder, a folder without images, A/B files
            that do not pair up, a pair image that is not wider than tall,
            or a bad `direction`.

    Example:

    ```python
    # after `tar -xzf facades.tar.gz`: left = photo, right = label map
    labels, photos = load_paired_folder("facades", split="train", direction="BtoA")
    ```

    References:
        - Isola et al., 2017. [Image-to-Image Translation with Conditional
          Adversarial Networks](https://arxiv.org/abs/1611.07004)
    """
    check_positive_int(image_size, "image_size")
    _check_direction(direction)
    if max_images is not None:
        check_positive_int(max_images, "max_images")
    path = os.fspath(path)
    if not os.path.isdir(path):
        raise ValueError(f"`path` is not a folder. Received: path={path!r}")
    root = path
    if split is not None:
        root = os.path.join(path, split)
        nested_a, nested_b = os.path.join(path, "A", split), os.path.join(path, "B", split)
        if not os.path.isdir(root) and os.path.isdir(nested_a) and os.path.isdir(nested_b):
            a, b = _load_ab_folders(nested_a, nested_b, image_size, max_images)
            return (a, b) if direction == "AtoB" else (b, a)
        if not os.path.isdir(root):
            raise ValueError(
                f"No `{split}` folder in {path!r}. Received: split={split!r}; "
                f"sub-folders found: {_subfolders(path)}."
            )
    files = _image_files(root)
    if files:
        a, b = _load_side_by_side(files[:max_images] if max_images else files, image_size)
    elif os.path.isdir(os.path.join(root, "A")) and os.path.isdir(os.path.join(root, "B")):
        a, b = _load_ab_folders(
            os.path.join(root, "A"), os.path.join(root, "B"), image_size, max_images
        )
    else:
        raise ValueError(
            f"No images found in {root!r}: expected side-by-side A|B images "
            f"({', '.join(IMAGE_EXTENSIONS)}) or A/ and B/ sub-folders. "
            f"Sub-folders found: {_subfolders(root)}."
        )
    return (a, b) if direction == "AtoB" else (b, a)


def load_unpaired_folder(
    path, split: str = "train", image_size: int = 256, max_images: int | None = None
):
    """Two unpaired image domains from a CycleGAN-layout folder.

    The folder holds `trainA/`, `trainB/` (and usually `testA/`, `testB/`):
    domain A's images in `<split>A`, domain B's in `<split>B`, with no
    correspondence between them (the two counts may differ). Each image is
    resized so its shorter side is `image_size` (bicubic), centre-cropped to
    a square and converted to RGB (`load_image_folder`).

    Args:
        path: str or path. The folder holding `<split>A/` and `<split>B/`.
        split: str. `"train"` or `"test"` (any name with `<split>A` and
            `<split>B` folders works). Defaults to `"train"`.
        image_size: int. Output height and width. Defaults to 256.
        max_images: int or None. Load at most this many per domain.
            Defaults to None (all).

    Returns:
        Tuple `(images_a, images_b)` of float32 arrays
        `(n_a, image_size, image_size, 3)`, `(n_b, ...)` in [-1, 1].

    Raises:
        ValueError: when `path`, `<split>A` or `<split>B` is missing or holds
            no images.

    Example:

    ```python
    horses, zebras = load_unpaired_folder("horse2zebra", split="train", image_size=128)
    ```

    References:
        - Zhu et al., 2017. [Unpaired Image-to-Image Translation using
          Cycle-Consistent Adversarial Networks](https://arxiv.org/abs/1703.10593)
    """
    check_positive_int(image_size, "image_size")
    path = os.fspath(path)
    if not os.path.isdir(path):
        raise ValueError(f"`path` is not a folder. Received: path={path!r}")
    if not isinstance(split, str) or not split:
        raise ValueError(f"`split` must be a non-empty str. Received: split={split!r}")
    folders = [os.path.join(path, split + side) for side in ("A", "B")]
    missing = [os.path.basename(f) for f in folders if not os.path.isdir(f)]
    if missing:
        raise ValueError(
            f"{path!r} has no {' or '.join(missing)} folder (CycleGAN layout: "
            f"{split}A/ and {split}B/). Received: split={split!r}; sub-folders found: "
            f"{_subfolders(path)}."
        )
    return tuple(
        load_image_folder(f, image_size=image_size, channels=3, max_images=max_images)
        for f in folders
    )


def _cache_root(cache_dir, kind):
    base = cache_dir or os.environ.get("KERAS_HOME") or os.path.join("~", ".keras")
    return os.path.join(os.path.expanduser(base), "datasets", kind)


def _find_data_root(folder, name, marker):
    """The folder holding `marker` (a split folder) in an extracted archive, or None."""
    candidates = [folder, os.path.join(folder, name)]
    if os.path.isdir(folder):
        candidates += [os.path.join(folder, d) for d in _subfolders(folder)]
    for candidate in candidates:
        if os.path.isdir(os.path.join(candidate, marker)):
            return candidate
    return None


def _download(kind, name, url, cache_dir, marker, manual_hint):
    """Downloads and extracts `url` once; returns the folder holding the splits."""
    import keras

    cache_subdir = _cache_root(cache_dir, kind)
    extracted = os.path.join(cache_subdir, name)
    root = _find_data_root(extracted, name, marker)
    if root is not None:
        return root
    try:
        path = keras.utils.get_file(
            fname=name, origin=url, extract=True, cache_dir=cache_dir, cache_subdir=cache_subdir
        )
    except Exception as e:  # noqa: BLE001 - any download failure gets the same advice
        archive = os.path.basename(url)
        raise RuntimeError(
            f"Could not download the {kind} data set {name!r} from {url} "
            f"({type(e).__name__}: {e}). Download and extract it by hand "
            f"(`wget {url}` then `{'unzip' if archive.endswith('.zip') else 'tar -xzf'} "
            f"{archive}`), then load the extracted folder with {manual_hint}, or place it "
            f"at {extracted}/ to have this function find it. Offline, the procedural demo "
            "sets need no download: make_paired_demo() / make_unpaired_demo()."
        ) from e
    path = os.fspath(path)
    search = path if os.path.isdir(path) else os.path.dirname(path)
    root = _find_data_root(search, name, marker)
    if root is None:
        raise ValueError(
            f"The {kind} archive for {name!r} was extracted to {search!r}, but no "
            f"{marker!r} folder was found there. Sub-folders found: "
            f"{_subfolders(search) if os.path.isdir(search) else []}."
        )
    return root


def load_pix2pix_dataset(
    name: str,
    split: str = "train",
    image_size: int = 256,
    direction: str = "AtoB",
    cache_dir=None,
    max_images: int | None = None,
):
    """A public pix2pix data set, downloaded once and cached.

    The archives from the pix2pix authors hold side-by-side JPEGs (A left,
    B right). Which side is which, and the usual training direction:

    | name | A (left) | B (right) | usual direction | splits |
    |---|---|---|---|---|
    | `facades` | photo | label map | `BtoA` (labels to photo) | train, val, test |
    | `cityscapes` | photo | label map | `BtoA` | train, val |
    | `maps` | aerial photo | map | `AtoB` (aerial to map) | train, val |
    | `edges2shoes` | edges | photo | `AtoB` | train, val |
    | `night2day` | night | day | `AtoB` | train, val, test |

    `PIX2PIX_DATASETS[name]["direction"]` holds the usual direction. The
    archive comes from
    `http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/{name}.tar.gz` and is
    extracted (with `keras.utils.get_file`) into
    `<cache_dir>/datasets/pix2pix/{name}/`; later calls read the extracted
    folder without touching the network. `edges2shoes` is 50k pairs: at 256
    pixels both halves take about 80 GB as float32, so pass `max_images` or a
    smaller `image_size`.

    Args:
        name: str. One of `PIX2PIX_DATASETS`.
        split: str. A split folder of the archive, e.g. `"train"`, `"val"`
            or `"test"`. Defaults to `"train"`.
        image_size: int. Output height and width (bicubic). Defaults to 256.
        direction: str. `"AtoB"` returns `(A, B)`, `"BtoA"` returns `(B, A)`.
            Defaults to `"AtoB"` (the archive's own order, as in the
            reference implementation; facades' labels-to-photo task is
            `"BtoA"`).
        cache_dir: str or None. Where to cache; None is `$KERAS_HOME` or
            `~/.keras`. Defaults to None.
        max_images: int or None. Load at most this many pairs.
            Defaults to None (all).

    Returns:
        Tuple `(inputs, targets)` of float32 arrays
        `(n, image_size, image_size, 3)` in [-1, 1].

    Raises:
        RuntimeError: when the archive cannot be downloaded (offline); the
            message says how to download it by hand.
        ValueError: for an unknown `name`, a missing `split` or a bad
            `direction`.

    Example:

    ```python
    labels, photos = load_pix2pix_dataset("facades", direction="BtoA", image_size=256)
    ```

    References:
        - Isola et al., 2017. [Image-to-Image Translation with Conditional
          Adversarial Networks](https://arxiv.org/abs/1611.07004)
        - Tyleček and Šára, 2013. Spatial Pattern Templates for Recognition of
          Objects with Regular Structure (CMP Facades).
    """
    if name not in PIX2PIX_DATASETS:
        raise ValueError(
            f"Unknown pix2pix data set. Received: name={name!r}. "
            f"Expected one of {sorted(PIX2PIX_DATASETS)}."
        )
    check_positive_int(image_size, "image_size")
    _check_direction(direction)
    url = PIX2PIX_URL.format(name=name)
    hint = f"load_paired_folder('{name}', split='{split}', direction='{direction}')"
    root = _download("pix2pix", name, url, cache_dir, "train", hint)
    if not os.path.isdir(os.path.join(root, split)):
        raise ValueError(
            f"The {name!r} data has no {split!r} split. Received: split={split!r}; "
            f"splits found: {_subfolders(root)}."
        )
    return load_paired_folder(
        root, image_size=image_size, direction=direction, split=split, max_images=max_images
    )


def load_cyclegan_dataset(
    name: str,
    split: str = "train",
    image_size: int = 256,
    cache_dir=None,
    max_images: int | None = None,
):
    """A public CycleGAN data set (two unpaired domains), downloaded once and cached.

    | name | domain A | domain B |
    |---|---|---|
    | `horse2zebra` | horse | zebra |
    | `monet2photo`, `vangogh2photo`, `cezanne2photo`, `ukiyoe2photo` | painting / print | photo |
    | `summer2winter_yosemite` | summer | winter |
    | `apple2orange` | apple | orange |
    | `maps` | aerial photo | map |
    | `facades` | photo | label map |

    The zip from `http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/{name}.zip`
    is extracted into `<cache_dir>/datasets/cyclegan/{name}/` and holds
    `trainA/`, `trainB/`, `testA/`, `testB/` (256x256 JPEGs).

    Args:
        name: str. One of `CYCLEGAN_DATASETS`.
        split: str. `"train"` or `"test"`. Defaults to `"train"`.
        image_size: int. Output height and width. Defaults to 256.
        cache_dir: str or None. Where to cache; None is `$KERAS_HOME` or
            `~/.keras`. Defaults to None.
        max_images: int or None. Load at most this many per domain.
            Defaults to None (all).

    Returns:
        Tuple `(images_a, images_b)` of float32 arrays in [-1, 1]; the two
        domains usually have different lengths.

    Raises:
        RuntimeError: when the archive cannot be downloaded (offline); the
            message says how to download it by hand.
        ValueError: for an unknown `name` or a missing split.

    Example:

    ```python
    horses, zebras = load_cyclegan_dataset("horse2zebra", image_size=128)
    ```

    References:
        - Zhu et al., 2017. [Unpaired Image-to-Image Translation using
          Cycle-Consistent Adversarial Networks](https://arxiv.org/abs/1703.10593)
    """
    if name not in CYCLEGAN_DATASETS:
        raise ValueError(
            f"Unknown CycleGAN data set. Received: name={name!r}. "
            f"Expected one of {sorted(CYCLEGAN_DATASETS)}."
        )
    check_positive_int(image_size, "image_size")
    url = CYCLEGAN_URL.format(name=name)
    hint = f"load_unpaired_folder('{name}', split='{split}')"
    root = _download("cyclegan", name, url, cache_dir, "trainA", hint)
    return load_unpaired_folder(root, split=split, image_size=image_size, max_images=max_images)


def load_translation_data(
    data: str,
    kind: str = "paired",
    split: str = "train",
    image_size: int = 256,
    direction: str | None = None,
    num_images: int | None = None,
    seed: int = 0,
    cache_dir=None,
):
    """One entry point for translation data: demo set, public set or folder.

    `data` is resolved in this order:

    1. `"demo"`: the procedural offline sets, `make_paired_demo` or
       `make_unpaired_demo` (`num_images` defaults to 512; the `"test"`
       split is drawn with a different seed from `"train"`).
    2. A public set name: `PIX2PIX_DATASETS` for `kind="paired"`,
       `CYCLEGAN_DATASETS` for `kind="unpaired"` (downloaded once).
    3. The path of an existing folder: `kind="paired"` reads
       `path/<split>` if that folder exists, else `path` itself
       (`load_paired_folder`); `kind="unpaired"` reads `<split>A/` and
       `<split>B/` (`load_unpaired_folder`).

    Args:
        data: str. `"demo"`, a data set name or a folder path.
        kind: str. `"paired"` (Pix2Pix) or `"unpaired"` (CycleGAN).
            Defaults to `"paired"`.
        split: str. `"train"`, `"test"`, `"val"`, ... Defaults to `"train"`.
        image_size: int. Output height and width. Defaults to 256.
        direction: str or None. Paired data only: `"AtoB"` or `"BtoA"`.
            None is the set's usual direction (`BtoA` for facades and
            cityscapes, i.e. label map to photo; `AtoB` otherwise).
            Defaults to None.
        num_images: int or None. The demo set's size (512 when None); for
            other data, load at most this many (all when None).
        seed: int. Seed of the demo set. Defaults to 0.
        cache_dir: str or None. Download cache for public sets.

    Returns:
        `(inputs, targets)` for `kind="paired"`, `(images_a, images_b)` for
        `kind="unpaired"`: float32 `(n, image_size, image_size, 3)` in [-1, 1].

    Raises:
        ValueError: for an unknown `kind`, `direction` or `data`.
        RuntimeError: when a public set cannot be downloaded.

    Example:

    ```python
    inputs, targets = load_translation_data("demo", "paired", image_size=64)
    labels, photos = load_translation_data("facades", "paired")  # BtoA by default
    horses, zebras = load_translation_data("horse2zebra", "unpaired", image_size=128)
    a, b = load_translation_data("/data/my_pairs", "paired", direction="AtoB")
    ```
    """
    from keras_gan_kit.datasets.demo import make_paired_demo, make_unpaired_demo

    if kind not in ("paired", "unpaired"):
        raise ValueError(f"`kind` must be 'paired' or 'unpaired'. Received: kind={kind!r}")
    if direction is not None:
        _check_direction(direction)
    if kind == "unpaired" and direction is not None:
        raise ValueError(
            "`direction` applies to paired data only; for unpaired data swap the two "
            f"returned domains. Received: kind='unpaired', direction={direction!r}"
        )
    check_positive_int(image_size, "image_size")
    if num_images is not None:
        check_positive_int(num_images, "num_images")
    if not isinstance(data, (str, os.PathLike)):
        raise ValueError(f"`data` must be a str or path. Received: data={data!r}")
    data = os.fspath(data)
    if data == "demo":
        n = 512 if num_images is None else num_images
        # another split of the demo set is another draw: same seed, offset by the split name
        demo_seed = seed if split == "train" else seed + zlib.crc32(split.encode())
        if kind == "unpaired":
            return make_unpaired_demo(n, image_size=image_size, seed=demo_seed)
        a, b = make_paired_demo(n, image_size=image_size, seed=demo_seed)
        return (b, a) if direction == "BtoA" else (a, b)
    if kind == "paired" and data in PIX2PIX_DATASETS:
        return load_pix2pix_dataset(
            data,
            split=split,
            image_size=image_size,
            direction=direction or PIX2PIX_DATASETS[data]["direction"],
            cache_dir=cache_dir,
            max_images=num_images,
        )
    if kind == "unpaired" and data in CYCLEGAN_DATASETS:
        return load_cyclegan_dataset(
            data, split=split, image_size=image_size, cache_dir=cache_dir, max_images=num_images
        )
    if os.path.isdir(data):
        if kind == "unpaired":
            return load_unpaired_folder(
                data, split=split, image_size=image_size, max_images=num_images
            )
        use_split = split if os.path.isdir(os.path.join(data, split)) else None
        return load_paired_folder(
            data,
            image_size=image_size,
            direction=direction or "AtoB",
            split=use_split,
            max_images=num_images,
        )
    names = sorted(PIX2PIX_DATASETS if kind == "paired" else CYCLEGAN_DATASETS)
    raise ValueError(
        f"Unknown {kind} data. Received: data={data!r}. Expected 'demo', one of {names}, "
        "or the path of an existing folder."
    )
