import os
import shutil
import tarfile
import zipfile

import keras
import numpy as np
import pytest
from PIL import Image

from keras_gan_kit import datasets
from keras_gan_kit.datasets import demo, translation

# flat colours of pair i: A (left) and B (right)
A_COLORS = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
B_COLORS = [(255, 255, 255), (0, 0, 0), (255, 255, 0)]


def signed(color):
    return np.array(color, "float32") / 127.5 - 1.0


def write_side_by_side(folder, n=3, size=(16, 8), ext="png", prefix="p"):
    folder.mkdir(parents=True, exist_ok=True)
    w, h = size
    for i in range(n):
        array = np.zeros((h, w, 3), "uint8")
        array[:, : w // 2] = A_COLORS[i]
        array[:, w // 2 :] = B_COLORS[i]
        Image.fromarray(array).save(folder / f"{prefix}{i}.{ext}")


def write_flat(folder, names, colors, size=(12, 10)):
    folder.mkdir(parents=True, exist_ok=True)
    for name, color in zip(names, colors):
        Image.fromarray(np.full((size[1], size[0], 3), color, "uint8")).save(folder / name)


# ---------------------------------------------------------------- local folders


@pytest.mark.parametrize("direction", ["AtoB", "BtoA"])
def test_side_by_side_folder(tmp_path, direction):
    write_side_by_side(tmp_path, size=(20, 8))
    inputs, targets = datasets.load_paired_folder(tmp_path, image_size=6, direction=direction)
    assert inputs.shape == targets.shape == (3, 6, 6, 3)
    assert inputs.dtype == targets.dtype == np.float32
    a, b = (inputs, targets) if direction == "AtoB" else (targets, inputs)
    for i in range(3):  # sorted order, left half = A, right half = B, flat colours exact
        np.testing.assert_allclose(a[i], np.broadcast_to(signed(A_COLORS[i]), (6, 6, 3)))
        np.testing.assert_allclose(b[i], np.broadcast_to(signed(B_COLORS[i]), (6, 6, 3)))


def test_side_by_side_split_and_max_images(tmp_path):
    write_side_by_side(tmp_path / "train")
    write_side_by_side(tmp_path / "val", n=2)
    a, b = datasets.load_paired_folder(tmp_path, image_size=4, split="val")
    assert a.shape == (2, 4, 4, 3)
    a, b = datasets.load_paired_folder(tmp_path, image_size=4, split="train", max_images=1)
    assert a.shape == b.shape == (1, 4, 4, 3)
    with pytest.raises(ValueError, match=r"split='test'.*\['train', 'val'\]"):
        datasets.load_paired_folder(tmp_path, split="test")


def test_ab_subfolders(tmp_path):
    write_flat(tmp_path / "A", ["x.png", "y.jpg"], [(255, 0, 0), (0, 0, 255)], size=(12, 30))
    write_flat(tmp_path / "B", ["x.jpg", "y.png"], [(0, 255, 0), (255, 255, 255)])
    a, b = datasets.load_paired_folder(tmp_path, image_size=5)
    assert a.shape == b.shape == (2, 5, 5, 3)
    np.testing.assert_allclose(a[0], np.broadcast_to(signed((255, 0, 0)), (5, 5, 3)), atol=0.02)
    np.testing.assert_allclose(b[1], 1.0)
    # pix2pix's combine_A_and_B input layout: A/<split>, B/<split>
    shutil.copytree(tmp_path / "A", tmp_path / "nested" / "A" / "train")
    shutil.copytree(tmp_path / "B", tmp_path / "nested" / "B" / "train")
    b2, a2 = datasets.load_paired_folder(
        tmp_path / "nested", image_size=5, split="train", direction="BtoA"
    )
    np.testing.assert_array_equal(a2, a)
    np.testing.assert_array_equal(b2, b)


def test_paired_folder_errors(tmp_path):
    with pytest.raises(ValueError, match="not a folder"):
        datasets.load_paired_folder(tmp_path / "missing")
    with pytest.raises(ValueError, match="No images found"):
        datasets.load_paired_folder(tmp_path)
    with pytest.raises(ValueError, match="direction='AB'"):
        datasets.load_paired_folder(tmp_path, direction="AB")
    write_flat(tmp_path / "square", ["s.png"], [(0, 0, 0)], size=(8, 8))
    with pytest.raises(ValueError, match=r"wider than tall.*8x8"):
        datasets.load_paired_folder(tmp_path / "square")
    write_flat(tmp_path / "m" / "A", ["1.png", "2.png"], [(0, 0, 0)] * 2)
    write_flat(tmp_path / "m" / "B", ["1.png", "3.png"], [(0, 0, 0)] * 2)
    with pytest.raises(ValueError, match=r"pair up by file name.*\['2'\].*\['3'\]"):
        datasets.load_paired_folder(tmp_path / "m")
    (tmp_path / "e" / "A").mkdir(parents=True)
    (tmp_path / "e" / "B").mkdir()
    with pytest.raises(ValueError, match="No images found"):
        datasets.load_paired_folder(tmp_path / "e")


def test_unpaired_folder(tmp_path):
    write_flat(tmp_path / "trainA", ["a1.png", "a2.png", "a3.png"], [(255, 0, 0)] * 3)
    write_flat(tmp_path / "trainB", ["b1.jpg", "b2.jpg"], [(0, 0, 255)] * 2, size=(20, 10))
    write_flat(tmp_path / "testA", ["t.png"], [(0, 255, 0)])
    write_flat(tmp_path / "testB", ["t.png"], [(0, 255, 0)])
    a, b = datasets.load_unpaired_folder(tmp_path, image_size=8)
    assert a.shape == (3, 8, 8, 3) and b.shape == (2, 8, 8, 3)
    assert a.dtype == b.dtype == np.float32
    np.testing.assert_allclose(a, np.broadcast_to(signed((255, 0, 0)), a.shape))
    np.testing.assert_allclose(b, np.broadcast_to(signed((0, 0, 255)), b.shape), atol=0.03)
    a, b = datasets.load_unpaired_folder(tmp_path, split="test", image_size=4)
    assert a.shape == b.shape == (1, 4, 4, 3)
    a, b = datasets.load_unpaired_folder(tmp_path, image_size=4, max_images=1)
    assert len(a) == len(b) == 1


def test_unpaired_folder_errors(tmp_path):
    with pytest.raises(ValueError, match="not a folder"):
        datasets.load_unpaired_folder(tmp_path / "missing")
    (tmp_path / "trainA").mkdir()
    with pytest.raises(ValueError, match=r"no trainB folder.*\['trainA'\]"):
        datasets.load_unpaired_folder(tmp_path)
    (tmp_path / "trainB").mkdir()
    with pytest.raises(ValueError, match="No images found"):
        datasets.load_unpaired_folder(tmp_path)
    with pytest.raises(ValueError, match="image_size=0"):
        datasets.load_unpaired_folder(tmp_path, image_size=0)


# ---------------------------------------------------------------- downloads


def make_archive(tmp_path, name, fmt):
    """An archive laid out like the real ones: a top folder `name/` with the splits."""
    src = tmp_path / "src" / name
    if fmt == "tar.gz":  # pix2pix: side-by-side JPEGs in train/ and val/
        write_side_by_side(src / "train", n=3, size=(32, 16), ext="jpg")
        write_side_by_side(src / "val", n=2, size=(32, 16), ext="jpg")
        archive = tmp_path / f"{name}.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(src, arcname=name)
    else:  # CycleGAN: trainA/ trainB/ testA/ testB/
        write_flat(src / "trainA", [f"{i}.jpg" for i in range(3)], [(255, 0, 0)] * 3)
        write_flat(src / "trainB", [f"{i}.jpg" for i in range(2)], [(0, 0, 255)] * 2)
        write_flat(src / "testA", ["0.jpg"], [(0, 255, 0)])
        write_flat(src / "testB", ["0.jpg"], [(0, 255, 0)])
        archive = tmp_path / f"{name}.zip"
        with zipfile.ZipFile(archive, "w") as z:
            for path in sorted(src.rglob("*")):
                z.write(path, os.path.relpath(path, src.parent))
    return archive


@pytest.fixture
def fake_server(monkeypatch):
    """Serves prepared archives through the real `keras.utils.get_file` (file:// URLs)."""
    real_get_file = keras.utils.get_file
    archives, calls = {}, []

    def get_file(fname=None, origin=None, **kwargs):
        calls.append(origin)
        if origin not in archives:
            raise Exception(f"URL fetch failure on {origin}: None -- network unreachable")
        return real_get_file(fname=fname, origin=archives[origin].as_uri(), **kwargs)

    monkeypatch.setattr(keras.utils, "get_file", get_file)
    return archives, calls


def test_pix2pix_download_extract_and_cache(tmp_path, fake_server):
    archives, calls = fake_server
    url = "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/facades.tar.gz"
    archives[url] = make_archive(tmp_path, "facades", "tar.gz")
    cache = tmp_path / "cache"
    labels, photos = datasets.load_pix2pix_dataset(
        "facades", split="val", image_size=8, direction="BtoA", cache_dir=str(cache)
    )
    assert calls == [url]
    assert labels.shape == photos.shape == (2, 8, 8, 3)
    # JPEG: colours approximately; BtoA puts the right half (B) first
    np.testing.assert_allclose(labels[0].mean((0, 1)), signed(B_COLORS[0]), atol=0.05)
    np.testing.assert_allclose(photos[1].mean((0, 1)), signed(A_COLORS[1]), atol=0.05)
    assert os.path.isdir(cache / "datasets" / "pix2pix" / "facades")
    # second call: read from the cache, no download
    a, b = datasets.load_pix2pix_dataset("facades", image_size=8, cache_dir=str(cache))
    assert calls == [url] and a.shape == (3, 8, 8, 3)
    with pytest.raises(ValueError, match=r"no 'test' split.*\['train', 'val'\]"):
        datasets.load_pix2pix_dataset("facades", split="test", cache_dir=str(cache))


def test_cyclegan_download(tmp_path, fake_server):
    archives, calls = fake_server
    url = "http://efrosgans.eecs.berkeley.edu/cyclegan/datasets/horse2zebra.zip"
    archives[url] = make_archive(tmp_path, "horse2zebra", "zip")
    horses, zebras = datasets.load_cyclegan_dataset(
        "horse2zebra", image_size=8, cache_dir=str(tmp_path / "cache")
    )
    assert horses.shape == (3, 8, 8, 3) and zebras.shape == (2, 8, 8, 3)
    np.testing.assert_allclose(zebras.mean((0, 1, 2)), signed((0, 0, 255)), atol=0.05)
    a, b = datasets.load_cyclegan_dataset(
        "horse2zebra", split="test", image_size=8, cache_dir=str(tmp_path / "cache")
    )
    assert len(a) == len(b) == 1 and calls == [url]


def test_download_when_get_file_returns_the_archive(tmp_path, monkeypatch):
    # Keras versions before 3.6 returned the archive path and extracted beside it
    archive = make_archive(tmp_path, "maps", "tar.gz")
    target = tmp_path / "old"

    def get_file(fname=None, origin=None, **kwargs):
        with tarfile.open(archive) as tar:
            tar.extractall(target)
        return str(target / "maps.tar.gz")

    monkeypatch.setattr(keras.utils, "get_file", get_file)
    a, b = datasets.load_pix2pix_dataset("maps", image_size=4, cache_dir=str(tmp_path / "c"))
    assert a.shape == (3, 4, 4, 3)


def test_offline_download_gives_clear_error(tmp_path, fake_server):
    with pytest.raises(RuntimeError, match=r"(?s)Could not download.*facades.tar.gz.*load_paired"):
        datasets.load_pix2pix_dataset("facades", cache_dir=str(tmp_path))
    with pytest.raises(RuntimeError, match=r"(?s)monet2photo.zip.*unzip.*load_unpaired_folder"):
        datasets.load_cyclegan_dataset("monet2photo", cache_dir=str(tmp_path))


def test_unknown_public_sets():
    with pytest.raises(ValueError, match=r"name='celeba'.*'edges2shoes'"):
        datasets.load_pix2pix_dataset("celeba")
    with pytest.raises(ValueError, match=r"name='edges2shoes'.*'horse2zebra'"):
        datasets.load_cyclegan_dataset("edges2shoes")
    with pytest.raises(ValueError, match="direction='up'"):
        datasets.load_pix2pix_dataset("facades", direction="up")


# ---------------------------------------------------------------- demo sets


def test_paired_demo_shapes_range_determinism():
    a, b = datasets.make_paired_demo(16, image_size=32, seed=3)
    assert a.shape == b.shape == (16, 32, 32, 3)
    assert a.dtype == b.dtype == np.float32
    assert a.min() >= -1 and a.max() <= 1 and b.min() >= -1 and b.max() <= 1
    a2, b2 = datasets.make_paired_demo(16, image_size=32, seed=3)
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(b, b2)
    a3, _ = datasets.make_paired_demo(16, image_size=32, seed=4)
    assert not np.array_equal(a, a3)
    # the first images do not depend on how many are drawn
    np.testing.assert_array_equal(datasets.make_paired_demo(4, image_size=32, seed=3)[0], a[:4])


def test_paired_demo_a_is_a_label_map_and_b_a_function_of_it():
    a, b = datasets.make_paired_demo(12, image_size=32)
    palette = demo.LABEL_COLORS / 127.5 - 1.0
    colors = np.unique(a.reshape(-1, 3), axis=0)
    assert all(np.isclose(palette, c, atol=1e-6).all(1).any() for c in colors)  # flat classes
    assert len(colors) >= 5
    # the photo has shading and texture: many more colours than its label map
    assert len(np.unique(b[0].reshape(-1, 3), axis=0)) > 10 * len(np.unique(a[0].reshape(-1, 3)))
    # B is a function of A: re-rendering the label maps gives the photos exactly,
    # also for label maps shuffled, duplicated or mixed across seeds
    np.testing.assert_allclose(datasets.demo_labels_to_photo(a), b, atol=1e-6)
    a_other, b_other = datasets.make_paired_demo(3, image_size=32, seed=9)
    mixed = np.concatenate([a_other, a[[5, 5]]])
    np.testing.assert_allclose(
        datasets.demo_labels_to_photo(mixed), np.concatenate([b_other, b[[5, 5]]]), atol=1e-6
    )
    with pytest.raises(ValueError, match=r"label_maps.shape=\(32, 32, 3\)"):
        datasets.demo_labels_to_photo(a[0])


def test_paired_demo_same_scenes_at_every_size():
    small, _ = datasets.make_paired_demo(4, image_size=16, seed=1)
    large, _ = datasets.make_paired_demo(4, image_size=64, seed=1)
    # the large label map sampled near the small pixels' centres agrees almost everywhere
    same = np.all(large[:, 2::4, 2::4] == small, axis=-1)
    assert np.mean(same) > 0.9


def test_unpaired_demo_domains_differ_in_style_and_are_unaligned():
    a, b = datasets.make_unpaired_demo(16, image_size=32, seed=0)
    assert a.shape == b.shape == (16, 32, 32, 3)
    assert a.dtype == b.dtype == np.float32
    assert a.min() >= -1 and a.max() <= 1 and b.min() >= -1 and b.max() <= 1
    a2, b2 = datasets.make_unpaired_demo(16, image_size=32, seed=0)
    np.testing.assert_array_equal(a, a2)
    np.testing.assert_array_equal(b, b2)
    # style: paintings are posterized (few colours) with dark outlines
    unique = lambda x: np.mean([len(np.unique(i.reshape(-1, 3), axis=0)) for i in x])  # noqa: E731
    assert unique(a) > 4 * unique(b)
    outline = np.array([0.08, 0.06, 0.05], "float32") * 2 - 1
    is_outline = lambda x: np.mean(np.all(np.abs(x - outline) < 1e-6, -1))  # noqa: E731
    assert is_outline(b) > 0.05 and is_outline(a) < 0.001
    # unaligned: the scenes of a[i] and b[i] are independent draws; the painting of
    # a[i]'s own scene would have its outlines on a[i]'s region borders
    edges_a = np.abs(np.diff(a, axis=2)).max(-1) > 0.3
    edges_b = np.all(np.abs(b - outline) < 1e-6, -1)[:, :, 1:]
    overlap = (edges_a & edges_b).sum() / edges_a.sum()
    rng_a = np.random.default_rng(np.random.SeedSequence(0).spawn(2)[0])
    own_painting = demo._to_signed(demo._painting(demo._scenes(rng_a, 16, 32)))
    edges_own = np.all(np.abs(own_painting - outline) < 1e-6, -1)[:, :, 1:]
    aligned_overlap = (edges_a & edges_own).sum() / edges_a.sum()
    assert overlap < 0.5 < aligned_overlap


def test_demo_argument_errors():
    with pytest.raises(ValueError, match="num_images=0"):
        datasets.make_paired_demo(0)
    with pytest.raises(ValueError, match="image_size=-4"):
        datasets.make_unpaired_demo(2, image_size=-4)


# ---------------------------------------------------------------- one entry point


def test_load_translation_data_demo():
    a, b = datasets.load_translation_data("demo", image_size=16, num_images=6)
    ref_a, ref_b = datasets.make_paired_demo(6, image_size=16, seed=0)
    np.testing.assert_array_equal(a, ref_a)
    np.testing.assert_array_equal(b, ref_b)
    b2, a2 = datasets.load_translation_data("demo", image_size=16, num_images=6, direction="BtoA")
    np.testing.assert_array_equal(a2, ref_a)
    test_a, _ = datasets.load_translation_data("demo", split="test", image_size=16, num_images=6)
    assert not np.array_equal(test_a, ref_a)
    x, y = datasets.load_translation_data("demo", "unpaired", image_size=16, num_images=5)
    assert x.shape == y.shape == (5, 16, 16, 3)
    assert datasets.load_translation_data("demo", image_size=8)[0].shape == (512, 8, 8, 3)


def test_load_translation_data_folders(tmp_path):
    write_side_by_side(tmp_path / "pairs" / "train")
    a, b = datasets.load_translation_data(str(tmp_path / "pairs"), image_size=4)  # uses train/
    assert a.shape == (3, 4, 4, 3)
    np.testing.assert_allclose(a[0], np.broadcast_to(signed(A_COLORS[0]), (4, 4, 3)))
    a, b = datasets.load_translation_data(tmp_path / "pairs" / "train", image_size=4, num_images=2)
    assert a.shape == (2, 4, 4, 3)
    write_flat(tmp_path / "u" / "trainA", ["1.png"], [(0, 0, 0)])
    write_flat(tmp_path / "u" / "trainB", ["1.png", "2.png"], [(0, 0, 0)] * 2)
    x, y = datasets.load_translation_data(str(tmp_path / "u"), "unpaired", image_size=4)
    assert len(x) == 1 and len(y) == 2


def test_load_translation_data_public_set_uses_the_usual_direction(tmp_path, fake_server):
    archives, _ = fake_server
    url = "http://efrosgans.eecs.berkeley.edu/pix2pix/datasets/facades.tar.gz"
    archives[url] = make_archive(tmp_path, "facades", "tar.gz")
    inputs, targets = datasets.load_translation_data(
        "facades", image_size=8, cache_dir=str(tmp_path / "cache")
    )
    assert datasets.PIX2PIX_DATASETS["facades"]["direction"] == "BtoA"
    np.testing.assert_allclose(inputs[0].mean((0, 1)), signed(B_COLORS[0]), atol=0.05)  # labels
    np.testing.assert_allclose(targets[0].mean((0, 1)), signed(A_COLORS[0]), atol=0.05)


def test_load_translation_data_errors(tmp_path):
    with pytest.raises(ValueError, match="kind='pix2pix'"):
        datasets.load_translation_data("demo", kind="pix2pix")
    with pytest.raises(ValueError, match="direction='AtoB'"):
        datasets.load_translation_data("demo", kind="unpaired", direction="AtoB")
    with pytest.raises(ValueError, match=r"data='nowhere'.*'demo'.*'facades'"):
        datasets.load_translation_data("nowhere")
    with pytest.raises(ValueError, match=r"data='edges2shoes'.*'horse2zebra'"):
        datasets.load_translation_data("edges2shoes", kind="unpaired")
    with pytest.raises(ValueError, match="num_images=0"):
        datasets.load_translation_data("demo", num_images=0)


def test_metadata_tables_match_the_docs():
    assert set(translation.PIX2PIX_DATASETS) == {
        "facades",
        "maps",
        "edges2shoes",
        "cityscapes",
        "night2day",
    }
    assert len(translation.CYCLEGAN_DATASETS) == 9
    for info in translation.PIX2PIX_DATASETS.values():
        assert info["direction"] in ("AtoB", "BtoA")
