"""Procedural image-to-image translation sets that need no download.

A scene is a few random shapes (rectangles, ellipses, triangles) of 6
material classes on a background, drawn in normalized coordinates, so the
same seed gives the same scenes at every `image_size`. A scene is shown as

- a *label map*: one flat colour per class (like the facades label maps);
- a *photo*: each class's material colour, a class texture (bricks, glass,
  wood grain, foliage, roof tiles, metal), darkening near region borders
  (a soft bevel, from the label map's neighbourhood) and a top-lit gradient.
  It is a deterministic function of the label map (`demo_labels_to_photo`);
- a *painting*: the photo warm-tinted, posterized to 4 levels per channel,
  with dark outlines along region borders.
"""

from __future__ import annotations

import numpy as np

from keras_gan_kit.utils.validation import check_positive_int, check_seed

__all__ = ["demo_labels_to_photo", "make_paired_demo", "make_unpaired_demo"]

# class: (label-map colour, photo material colour), RGB 0-255
_CLASSES = (
    ((20, 20, 140), (150, 185, 225)),  # 0 background: sky
    ((0, 90, 255), (165, 80, 55)),  # 1 brick wall
    ((0, 210, 255), (45, 70, 105)),  # 2 window glass
    ((255, 150, 0), (120, 75, 35)),  # 3 wooden door
    ((80, 220, 60), (55, 125, 45)),  # 4 foliage
    ((230, 40, 40), (85, 85, 95)),  # 5 roof tiles
    ((255, 255, 90), (195, 195, 205)),  # 6 metal
)
LABEL_COLORS = np.array([c[0] for c in _CLASSES], "float32")
PHOTO_COLORS = np.array([c[1] for c in _CLASSES], "float32") / 255.0
NUM_CLASSES = len(_CLASSES)


def _scenes(rng: np.random.Generator, num_images: int, size: int) -> np.ndarray:
    """Random label maps `(n, size, size)` int8, shapes in normalized coordinates."""
    centers = (np.arange(size, dtype="float32") + 0.5) / size
    v, u = np.meshgrid(centers, centers, indexing="ij")  # v: row (down), u: column
    labels = np.zeros((num_images, size, size), "int8")
    for i in range(num_images):
        for _ in range(rng.integers(4, 9)):
            kind = rng.integers(3)
            cls = rng.integers(1, NUM_CLASSES)
            cu, cv = rng.uniform(0.1, 0.9, size=2)
            hu, hv = rng.uniform(0.07, 0.3, size=2)
            if kind == 0:  # rectangle
                mask = (np.abs(u - cu) <= hu) & (np.abs(v - cv) <= hv)
            elif kind == 1:  # ellipse
                mask = ((u - cu) / hu) ** 2 + ((v - cv) / hv) ** 2 <= 1.0
            else:  # triangle: apex up, base down
                t = (v - (cv - hv)) / (2 * hv)  # 0 at apex, 1 at base
                mask = (t >= 0) & (t <= 1) & (np.abs(u - cu) <= hu * t)
            labels[i][mask] = cls
    return labels


def _box_sum(mask: np.ndarray, radius: int) -> np.ndarray:
    """Sums over a (2r+1)^2 window of `(n, h, w)` 0/1 arrays, borders edge-padded (int32)."""
    k = 2 * radius + 1
    n, h, w = mask.shape
    r1 = radius + 1
    p = np.zeros((n, h + k, w + k), "int32")  # row/column 0 stay 0 for the cumsum
    p[:, r1 : r1 + h, r1 : r1 + w] = mask
    p[:, 1:r1, r1 : r1 + w] = mask[:, :1]
    p[:, r1 + h :, r1 : r1 + w] = mask[:, -1:]
    p[:, 1:, 1:r1] = p[:, 1:, r1 : r1 + 1]
    p[:, 1:, r1 + w :] = p[:, 1:, r1 + w - 1 : r1 + w]
    np.cumsum(p, axis=1, out=p)
    np.cumsum(p, axis=2, out=p)
    return p[:, k:, k:] - p[:, :-k, k:] - p[:, k:, :-k] + p[:, :-k, :-k]


def _same_label_fraction(labels: np.ndarray, radius: int) -> np.ndarray:
    """For each pixel, the fraction of its window that has the pixel's own label."""
    count = np.zeros(labels.shape, "int32")
    for cls in np.unique(labels):
        mask = labels == cls
        count += _box_sum(mask, radius) * mask
    return count.astype("float32") / float((2 * radius + 1) ** 2)


def _outline(labels: np.ndarray, radius: int) -> np.ndarray:
    """Pixels next to another label (both sides of every border), widened by `radius`."""
    border = np.zeros(labels.shape, bool)
    down = labels[:, 1:] != labels[:, :-1]
    right = labels[:, :, 1:] != labels[:, :, :-1]
    border[:, 1:] |= down
    border[:, :-1] |= down
    border[:, :, 1:] |= right
    border[:, :, :-1] |= right
    return _box_sum(border, radius) > 0 if radius > 0 else border


def _textures(size: int) -> np.ndarray:
    """Per-class multiplicative textures `(classes, size, size)`, a function of position."""
    centers = (np.arange(size, dtype="float32") + 0.5) / size
    v, u = np.meshgrid(centers, centers, indexing="ij")
    tex = np.zeros((NUM_CLASSES, size, size), "float32")
    tex[0] = 0.25 * (0.5 - v)  # sky: lighter at the top
    row = np.floor(v * 10)
    mortar = (np.mod(v * 10, 1.0) < 0.15) | (np.mod(u * 7 + 0.5 * np.mod(row, 2), 1.0) < 0.1)
    tex[1] = np.where(mortar, 0.45, 0.0)  # light mortar lines between bricks
    tex[2] = 0.5 * np.clip(1.0 - np.abs(u + v - 0.9) * 6, 0, 1)  # a diagonal reflection
    tex[3] = 0.12 * np.sin(2 * np.pi * (u * 18 + 0.4 * np.sin(2 * np.pi * v * 2)))  # grain
    fixed = np.random.default_rng(20240521)  # a fixed leaf pattern, not the data seed
    freqs, phases = fixed.uniform(10, 30, size=(6, 2)), fixed.uniform(0, 2 * np.pi, 6)
    leaves = sum(np.sin(2 * np.pi * (f[0] * u + f[1] * v) + p) for f, p in zip(freqs, phases))
    tex[4] = 0.1 * leaves
    tex[5] = np.where(np.mod(v * 14, 1.0) < 0.25, -0.35, 0.0)  # dark gaps between tile rows
    tex[6] = 0.3 * (0.5 - u)  # brushed metal: a horizontal sheen
    return tex


def _photo(labels: np.ndarray) -> np.ndarray:
    """Label maps `(n, s, s)` int -> photos `(n, s, s, 3)` float32 in [0, 1]."""
    size = labels.shape[1]
    centers = (np.arange(size, dtype="float32") + 0.5) / size
    light = 1.1 - 0.25 * centers[None, :, None]  # lit from above
    same = _same_label_fraction(labels, max(1, size // 16))
    shade = (0.5 + 0.5 * same**2) * light
    shade = np.where(labels == 0, light, shade)  # the sky has no bevel
    texture = np.take_along_axis(_textures(size)[None], labels[:, None].astype("intp"), 1)[:, 0]
    photo = PHOTO_COLORS[labels] * ((1.0 + texture) * shade)[..., None]
    return np.clip(photo, 0.0, 1.0).astype("float32")


def _painting(labels: np.ndarray) -> np.ndarray:
    """Label maps -> 'paintings': warm, posterized (4 levels), dark outlines; [0, 1]."""
    size = labels.shape[1]
    warm = _photo(labels) * np.array([1.15, 1.0, 0.75], "float32") + np.array(
        [0.05, 0.03, 0.0], "float32"
    )
    levels = 4
    flat = np.round(np.clip(warm, 0.0, 1.0) * (levels - 1)) / (levels - 1)
    outline = _outline(labels, size // 96)
    flat[outline] = np.array([0.08, 0.06, 0.05], "float32")
    return flat.astype("float32")


def _to_signed(images01: np.ndarray) -> np.ndarray:
    return np.clip(images01 * 2.0 - 1.0, -1.0, 1.0).astype("float32")


def _label_colors(labels: np.ndarray) -> np.ndarray:
    return (LABEL_COLORS[labels] / 127.5 - 1.0).astype("float32")


def _check_args(num_images, image_size):
    check_positive_int(num_images, "num_images")
    check_positive_int(image_size, "image_size")


def make_paired_demo(num_images: int = 512, image_size: int = 64, seed: int = 0):
    """A procedural paired set, "label map -> photo", like facades (offline).

    Each pair shows one random scene of 4-8 shapes (rectangles, ellipses,
    triangles; 6 material classes on a sky background): `a` is the flat-colour
    label map, `b` the "photo", in which every class has its own material
    colour and texture (bricks, glass with a reflection, wood grain, foliage,
    roof tiles, metal), regions darken towards their borders and light falls
    from above. `b` is a deterministic function of `a`
    (`demo_labels_to_photo(a)` reproduces it), so a Pix2Pix generator can
    learn the mapping; the textures depend on absolute position, which a
    convolutional generator only partly recovers. Scenes are drawn in
    normalized coordinates: the same seed gives the same scenes at any size.

    Args:
        num_images: int. Number of pairs. Defaults to 512.
        image_size: int. Height and width. Defaults to 64.
        seed: int. Random seed; the same seed gives the same pairs.
            Defaults to 0.

    Returns:
        Tuple `(a, b)` (label maps, photos): float32 RGB arrays
        `(num_images, image_size, image_size, 3)` in [-1, 1].

    Example:

    ```python
    labels, photos = make_paired_demo(256, image_size=64)
    pix2pix.fit((labels, photos), epochs=20)  # learn label map -> photo
    ```
    """
    _check_args(num_images, image_size)
    labels = _scenes(np.random.default_rng(check_seed(seed)), num_images, image_size)
    return _label_colors(labels), _to_signed(_photo(labels))


def demo_labels_to_photo(label_maps) -> np.ndarray:
    """The exact "photo" of `make_paired_demo` label maps: the ground-truth A -> B.

    Each pixel is assigned the class whose label colour is nearest, then the
    photo is rendered as in `make_paired_demo`. Use it to check that a
    translation model reproduces the demo mapping, or to render label maps
    drawn by hand.

    Args:
        label_maps: array `(n, h, w, 3)` in [-1, 1], label-map colours as
            returned by `make_paired_demo` (square images).

    Returns:
        float32 array `(n, h, w, 3)` in [-1, 1].

    Example:

    ```python
    a, b = make_paired_demo(8)
    assert np.allclose(demo_labels_to_photo(a), b)
    ```
    """
    maps = np.asarray(label_maps, dtype="float32")
    if maps.ndim != 4 or maps.shape[-1] != 3 or maps.shape[1] != maps.shape[2]:
        raise ValueError(
            "`label_maps` must be square RGB images (n, size, size, 3). "
            f"Received: label_maps.shape={maps.shape}"
        )
    colors = (maps + 1.0) * 127.5
    distance = np.stack([np.sum((colors - c) ** 2, axis=-1) for c in LABEL_COLORS], axis=-1)
    labels = np.argmin(distance, axis=-1).astype("int8")
    return _to_signed(_photo(labels))


def make_unpaired_demo(num_images: int = 512, image_size: int = 64, seed: int = 0):
    """A procedural unpaired set, "photo <-> painting", for CycleGAN (offline).

    Both domains show the same kind of scene (random shapes of 6 material
    classes on a sky, as in `make_paired_demo`), drawn independently, so no
    image of one domain corresponds to an image of the other:

    - domain A, "photo": smooth shading, textures, a top-lit gradient;
    - domain B, "painting": the same rendering warm-tinted, posterized to 4
      levels per channel (flat colour bands) with dark outlines around every
      region.

    Args:
        num_images: int. Images per domain. Defaults to 512.
        image_size: int. Height and width. Defaults to 64.
        seed: int. Random seed; the same seed gives the same images.
            Defaults to 0.

    Returns:
        Tuple `(images_a, images_b)`: float32 RGB arrays
        `(num_images, image_size, image_size, 3)` in [-1, 1].

    Example:

    ```python
    photos, paintings = make_unpaired_demo(512, image_size=64)
    cyclegan.fit((photos, paintings), epochs=20)
    ```
    """
    _check_args(num_images, image_size)
    rng_a, rng_b = (
        np.random.default_rng(s) for s in np.random.SeedSequence(check_seed(seed)).spawn(2)
    )
    labels_a = _scenes(rng_a, num_images, image_size)
    labels_b = _scenes(rng_b, num_images, image_size)
    return _to_signed(_photo(labels_a)), _to_signed(_painting(labels_b))
