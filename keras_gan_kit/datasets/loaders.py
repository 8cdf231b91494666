"""Loaders returning float32 images in [-1, 1], shape (n, size, size, channels)."""

from __future__ import annotations

import os
from importlib import resources

import numpy as np

from keras_gan_kit.datasets.faces import load_lfw_faces
from keras_gan_kit.utils.image_grid import to_uint8_images
from keras_gan_kit.utils.resize import resize_images
from keras_gan_kit.utils.validation import check_positive_int

__all__ = [
    "DATASETS",
    "load",
    "load_cifar10",
    "load_digits",
    "load_fashion_mnist",
    "load_image_folder",
    "load_mnist",
    "to_uint8_images",
]

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")


def _resize(images: np.ndarray, image_size: int) -> np.ndarray:
    """Bilinear resize (antialiased) of float images (n, h, w, c) to (n, size, size, c).

    `keras.ops.image.resize` (see `utils.resize.resize_images`); it replaced a
    per-channel loop over PIL's float bilinear resize and gives the bundled
    digits exactly the same numbers (max abs difference 0 at 16, 32 and 64 px
    on all three backends).
    """
    return resize_images(images, image_size, interpolation="bilinear")


def scale_to_tanh_range(images: np.ndarray, max_value: float) -> np.ndarray:
    """Maps images in `[0, max_value]` linearly to `[-1, 1]`, as float32 (no clipping).

    Args:
        images: array. Pixel values in `[0, max_value]`.
        max_value: float. The white level, e.g. 255 for `uint8` images.

    Returns:
        `float32` array of the same shape.
    """
    return (images.astype("float32") / (max_value / 2.0) - 1.0).astype("float32")


def load_digits(image_size: int = 32, return_labels: bool = False):
    """The 1,797 UCI handwritten digits shipped with this package (offline).

    8x8 images with 17 grey levels, upsampled (bilinear) to `image_size`.
    Data: Alpaydin & Kaynak, UCI Machine Learning Repository, CC BY 4.0 (as
    distributed with scikit-learn).

    Args:
        image_size: int. Output size, e.g. 8, 16 or 32. Defaults to 32.
        return_labels: bool. Also return the digit labels. Defaults to False.

    Returns:
        float32 array `(1797, image_size, image_size, 1)` in [-1, 1]
        (white strokes on black, as in MNIST); with `return_labels`, a tuple
        `(images, labels)` with `int32` labels 0-9.
    """
    check_positive_int(image_size, "image_size")
    path = resources.files("keras_gan_kit.datasets").joinpath("data/digits.npz")
    with resources.as_file(path) as file, np.load(file) as data:
        images, labels = data["images"], data["labels"]
    images = _resize(images[..., None].astype("float32"), image_size)
    images = np.clip(scale_to_tanh_range(images, 16.0), -1.0, 1.0)
    return (images, labels.astype("int32")) if return_labels else images


def _keras_dataset(name, loader, image_size, max_value, split, return_labels):
    if split not in ("train", "test", "all"):
        raise ValueError(f"`split` must be 'train', 'test' or 'all'. Received: split={split!r}")
    try:
        (x_train, y_train), (x_test, y_test) = loader()
    except Exception as e:  # noqa: BLE001 - any download failure gets the same advice
        cache = os.path.join(os.path.expanduser("~"), ".keras", "datasets")
        raise RuntimeError(
            f"Could not load {name} through keras.datasets ({type(e).__name__}: {e}). "
            f"The first use downloads it into {cache}; check your internet connection, "
            f"or place the archive there by hand. Offline, use load_digits() (bundled) "
            "or load_image_folder()."
        ) from e
    if split == "train":
        x, y = x_train, y_train
    elif split == "test":
        x, y = x_test, y_test
    else:
        x, y = np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])
    if x.ndim == 3:
        x = x[..., None]
    images = scale_to_tanh_range(x, max_value)
    if image_size is not None:
        check_positive_int(image_size, "image_size")
        images = _resize(images, image_size)
    labels = np.asarray(y).reshape(-1).astype("int32")
    return (images, labels) if return_labels else images


def load_mnist(image_size: int | None = 32, split: str = "train", return_labels: bool = False):
    """MNIST through `keras.datasets` (downloaded once, cached), in [-1, 1].

    Args:
        image_size: int or None. Resize to this size (32 by default, so the
            power-of-two DCGAN networks apply); None keeps 28x28.
        split: str. `"train"` (60,000), `"test"` (10,000) or `"all"`.
        return_labels: bool. Also return the labels. Defaults to False.

    Returns:
        float32 array `(n, size, size, 1)`, or `(images, labels)`.

    Raises:
        RuntimeError: when the data cannot be downloaded (offline).
    """
    import keras

    return _keras_dataset(
        "MNIST", keras.datasets.mnist.load_data, image_size, 255.0, split, return_labels
    )


def load_fashion_mnist(
    image_size: int | None = 32, split: str = "train", return_labels: bool = False
):
    """Fashion-MNIST through `keras.datasets`, in [-1, 1].

    Args:
        image_size: int or None. Resize to this size; None keeps 28x28.
            Defaults to 32.
        split: str. `"train"`, `"test"` or `"all"`.
        return_labels: bool. Also return the labels. Defaults to False.

    Returns:
        float32 array `(n, size, size, 1)`, or `(images, labels)`.

    Raises:
        RuntimeError: when the data cannot be downloaded (offline).
    """
    import keras

    return _keras_dataset(
        "Fashion-MNIST",
        keras.datasets.fashion_mnist.load_data,
        image_size,
        255.0,
        split,
        return_labels,
    )


def load_cifar10(image_size: int | None = None, split: str = "train", return_labels: bool = False):
    """CIFAR-10 through `keras.datasets` (downloaded once, cached), in [-1, 1].

    Args:
        image_size: int or None. Resize to this size; None keeps 32x32.
        split: str. `"train"` (50,000), `"test"` (10,000) or `"all"`.
        return_labels: bool. Also return the labels. Defaults to False.

    Returns:
        float32 array `(n, 32, 32, 3)`, or `(images, labels)`.

    Raises:
        RuntimeError: when the data cannot be downloaded (offline).
    """
    import keras

    return _keras_dataset(
        "CIFAR-10", keras.datasets.cifar10.load_data, image_size, 255.0, split, return_labels
    )


def list_image_files(directory) -> list[str]:
    """The image files under `directory` (recursively), in sorted order.

    Args:
        directory: str or path. A folder.

    Returns:
        list of str. Paths of the files whose extension is one of
        `IMAGE_EXTENSIONS` (case-insensitive), folder by folder, sorted.
    """
    files = []
    for root, dirs, names in os.walk(os.fspath(directory)):
        dirs.sort()
        files.extend(
            os.path.join(root, n) for n in sorted(names) if n.lower().endswith(IMAGE_EXTENSIONS)
        )
    return files


def read_square_image(path, image_size: int, channels: int) -> np.ndarray:
    """Reads one image, resized (bicubic) so its shorter side is `image_size`, centre-cropped.

    Args:
        path: str or path. An image file PIL can read.
        image_size: int. Output height and width.
        channels: int. 1 (greyscale) or 3 (RGB).

    Returns:
        float32 array `(image_size, image_size, channels)` in [0, 255].
    """
    from PIL import Image

    with Image.open(path) as image:
        image = image.convert("L" if channels == 1 else "RGB")
        w, h = image.size
        scale = image_size / min(w, h)
        new_w, new_h = max(image_size, round(w * scale)), max(image_size, round(h * scale))
        if (new_w, new_h) != (w, h):
            # PIL, not keras.ops.image.resize: a streaming reader (`ImageFolderDataset`
            # calls this per file) where PIL is already the decoder, resizing the 8-bit
            # image before any float copy exists. Keras' antialiased bicubic on the float
            # image differs from PIL's 8-bit path, which rounds and clips between its two
            # passes (measured: up to 0.012-0.035 on [0, 1] for a photograph resized
            # 512 -> 256/300/1024 px, after clipping and rounding Keras' result).
            image = image.resize((new_w, new_h), Image.Resampling.BICUBIC)
        left, top = (new_w - image_size) // 2, (new_h - image_size) // 2
        image = image.crop((left, top, left + image_size, top + image_size))
        array = np.asarray(image, dtype="float32")
    return array.reshape(image_size, image_size, channels)


def load_image_folder(
    directory,
    image_size: int = 64,
    channels: int = 3,
    return_labels: bool = False,
    max_images: int | None = None,
):
    """Images from a folder (recursively), resized and centre-cropped, in [-1, 1].

    Each image is resized so that its shorter side is `image_size` (bicubic),
    then centre-cropped to a square. The whole folder is held in memory as
    float32; for big folders (CelebA, FFHQ) stream it with
    `ImageFolderDataset` instead. With `return_labels`, the names of the
    immediate sub-folders are the classes (sorted; label i is the i-th name),
    as in `keras.utils.image_dataset_from_directory`.

    Args:
        directory: str or path. Folder of images (`.png`, `.jpg`, `.jpeg`,
            `.bmp`, `.gif`, `.webp`, `.tif`).
        image_size: int. Output height and width. Defaults to 64.
        channels: int. 1 (greyscale) or 3 (RGB). Defaults to 3.
        return_labels: bool. Also return labels and class names.
        max_images: int or None. Load at most this many (sorted order).

    Returns:
        float32 array `(n, image_size, image_size, channels)`; with
        `return_labels`, `(images, labels, class_names)`.

    Raises:
        ValueError: when the folder does not exist or holds no images.
    """
    check_positive_int(image_size, "image_size")
    if channels not in (1, 3):
        raise ValueError(f"`channels` must be 1 or 3. Received: channels={channels!r}")
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"`directory` is not a folder. Received: directory={directory!r}")
    files = list_image_files(directory)
    if max_images is not None:
        files = files[:max_images]
    if not files:
        raise ValueError(
            f"No images found in {directory!r} (looked for {', '.join(IMAGE_EXTENSIONS)})."
        )
    class_names = sorted(
        d for d in os.listdir(directory) if os.path.isdir(os.path.join(directory, d))
    )
    images = np.empty((len(files), image_size, image_size, channels), "float32")
    labels = np.zeros(len(files), "int32")
    for i, path in enumerate(files):
        images[i] = read_square_image(path, image_size, channels)
        relative = os.path.relpath(path, directory).split(os.sep)
        if len(relative) > 1 and relative[0] in class_names:
            labels[i] = class_names.index(relative[0])
    images = scale_to_tanh_range(images, 255.0)
    return (images, labels, class_names) if return_labels else images


DATASETS = {
    "digits": load_digits,
    "mnist": load_mnist,
    "fashion_mnist": load_fashion_mnist,
    "cifar10": load_cifar10,
    "lfw_faces": load_lfw_faces,
}


def load(name: str, image_size: int | None = None, **kwargs):
    """Loads a data set by name, or an image folder by path.

    Args:
        name: str. `"digits"`, `"mnist"`, `"fashion_mnist"`, `"cifar10"`,
            `"lfw_faces"` (or `"lfw-faces"`), or the path of a folder of images.
        image_size: int or None. Output size; each loader's default when None.
        **kwargs: forwarded to the loader.

    Returns:
        float32 images in [-1, 1], `(n, size, size, channels)`.
    """
    key = name.lower().replace("-", "_")
    if key in DATASETS:
        loader = DATASETS[key]
        return loader(**kwargs) if image_size is None else loader(image_size=image_size, **kwargs)
    if os.path.isdir(name):
        if image_size is None:
            return load_image_folder(name, **kwargs)
        return load_image_folder(name, image_size=image_size, **kwargs)
    raise ValueError(
        f"Unknown dataset. Received: dataset={name!r}. Expected one of {sorted(DATASETS)} "
        "or the path of an existing folder of images."
    )
