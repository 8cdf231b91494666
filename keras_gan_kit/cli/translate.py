"""`keras-gan-kit translate MODEL INPUT OUTPUT`: run a saved Pix2Pix or CycleGAN on image files."""

from __future__ import annotations

import os

from keras_gan_kit.cli.common import (
    PROG,
    CLIError,
    add_backend_argument,
    load_saved_model,
    positive_int,
)

__all__ = ["register", "run"]


def register(subparsers):
    """Adds `translate` to the `keras-gan-kit` sub-commands.

    Args:
        subparsers: The object returned by `parser.add_subparsers()`.

    Returns:
        The `translate` parser.
    """
    parser = subparsers.add_parser(
        "translate",
        help="translate an image or a folder of images with a saved Pix2Pix or CycleGAN",
        description="Translate images of any size (PNG, JPEG, ...) with a saved Pix2Pix or "
        "CycleGAN; each result is written to OUTPUT as a PNG named after its input.",
    )
    parser.add_argument("model", help="a .keras Pix2Pix or CycleGAN (e.g. run/model.keras)")
    parser.add_argument("input", help="an image file or a folder of images")
    parser.add_argument("output", help="output folder (created)")
    parser.add_argument(
        "--direction",
        choices=["ab", "ba"],
        help="[cyclegan] ab (generator_ab, A -> B) or ba. Default: ab",
    )
    parser.add_argument(
        "--mode",
        choices=["auto", "pad", "resize"],
        default="auto",
        help="pad: reflect-pad to the generator's size multiple and crop back (fully "
        "convolutional generators, e.g. cyclegan's); resize: resize to the generator's "
        "input size and back (e.g. pix2pix's U-Net); auto picks. Default: auto",
    )
    parser.add_argument(
        "--batch-size", type=positive_int, default=8, help="same-size images per call. Default: 8"
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="allow OUTPUT to be the input folder (or inside it), replacing input images "
        "that have the same names",
    )
    add_backend_argument(parser)
    parser.set_defaults(run=run)
    return parser


def _input_images(path):
    """The image files of `path` (a file, or a folder's images, sorted by name)."""
    from keras_gan_kit.datasets.loaders import IMAGE_EXTENSIONS

    if os.path.isfile(path):
        return [path]
    if not os.path.isdir(path):
        raise CLIError(f"no such image file or folder: {path!r}")
    files = sorted(
        os.path.join(path, name)
        for name in os.listdir(path)
        if name.lower().endswith(IMAGE_EXTENSIONS) and os.path.isfile(os.path.join(path, name))
    )
    if not files:
        raise CLIError(
            f"no images in {path!r} (expected files ending in {', '.join(IMAGE_EXTENSIONS)})"
        )
    return files


def _read_image(path, channels):
    """`uint8 (h, w, channels)` pixels of an image file: grey for 1 channel, RGB for 3."""
    import numpy as np
    from PIL import Image

    try:
        with Image.open(path) as image:
            pixels = np.asarray(image.convert("L" if channels == 1 else "RGB"))
    except Exception as e:  # noqa: BLE001 - any unreadable file is one line
        raise CLIError(f"could not read the image {path!r}: {e}") from e
    return pixels[..., None] if channels == 1 else pixels


def _translation_generator(model, direction):
    """`(generator, input_channels, output_channels, direction)` of a loaded model."""
    import keras_gan_kit as kgk

    if isinstance(model, kgk.models.CycleGAN):
        direction = direction or "ab"
        if direction == "ab":
            return model.generator_ab, model.channels_a, model.channels_b, direction
        return model.generator_ba, model.channels_b, model.channels_a, direction
    if direction is not None:
        raise CLIError(
            f"--direction applies to CycleGAN models; a Pix2Pix translates one way "
            f"(got --direction {direction})"
        )
    return model.generator, model.input_channels, model.output_channels, None


def _inside(path, folder) -> bool:
    """Whether `path` is `folder` or lies inside it (after resolving links)."""
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _check_output_folder(source, output, files, overwrite) -> None:
    """Refuses (unless `overwrite`) an OUTPUT that is, or is inside, the input folder."""
    if overwrite:
        return
    folder = source if os.path.isdir(source) else os.path.dirname(source) or "."
    targets = {
        os.path.realpath(os.path.join(output, os.path.splitext(os.path.basename(f))[0] + ".png"))
        for f in files
    }
    clobbered = [f for f in files if os.path.realpath(f) in targets]
    if os.path.isdir(source) and _inside(output, folder) or clobbered:
        what = f"would overwrite {os.path.basename(clobbered[0])!r}" if clobbered else "is"
        raise CLIError(
            f"OUTPUT {output!r} {what} inside the input folder {folder!r}; choose another "
            "folder, or pass --overwrite to write there anyway"
        )


def run(args) -> int:
    """Runs `keras-gan-kit translate MODEL INPUT OUTPUT`.

    Args:
        args: The parsed namespace.

    Returns:
        The exit code.
    """
    if not os.path.exists(args.model):
        raise CLIError(f"no such model file: {args.model!r}")
    files = _input_images(args.input)
    if os.path.exists(args.output) and not os.path.isdir(args.output):
        raise CLIError(f"OUTPUT must be a folder; {args.output!r} is a file")
    _check_output_folder(args.input, args.output, files, args.overwrite)
    stems = {}
    for path in files:
        stem = os.path.splitext(os.path.basename(path))[0]
        if stem in stems:
            raise CLIError(
                f"{os.path.basename(stems[stem])!r} and {os.path.basename(path)!r} would both be "
                f"written as {stem}.png; rename one"
            )
        stems[stem] = path
    import numpy as np
    from PIL import Image

    import keras_gan_kit as kgk

    model = load_saved_model(args.model)
    if not isinstance(model, (kgk.models.Pix2Pix, kgk.models.CycleGAN)):
        raise CLIError(
            f"{args.model!r} holds a {type(model).__name__}, not a Pix2Pix or CycleGAN; "
            f"use `{PROG} sample` for GANs"
        )
    generator, channels_in, channels_out, direction = _translation_generator(model, args.direction)
    for arg, channels in (("input", channels_in), ("output", channels_out)):
        if channels not in (1, 3):
            raise CLIError(
                f"the model's {arg} has {channels} channels; image files need 1 (grey) or 3 (RGB)"
            )
    inputs = getattr(generator, "inputs", None)
    fixed = inputs and None not in tuple(inputs[0].shape[1:3])
    if args.mode == "pad" and fixed:
        size = "x".join(str(d) for d in inputs[0].shape[1:3])
        raise CLIError(
            f"--mode pad needs a fully convolutional generator; this one is built for {size} "
            "inputs: use --mode resize (or auto)"
        )
    mode = args.mode if args.mode != "auto" else ("resize" if fixed else "pad")

    images = {path: _read_image(path, channels_in) for path in files}
    by_size = {}
    for path, pixels in images.items():
        by_size.setdefault(pixels.shape, []).append(path)
    os.makedirs(args.output, exist_ok=True)
    written = 0
    for group in by_size.values():
        batch = np.stack([images[path] for path in group])
        if direction is None:
            outputs = model.translate(batch, batch_size=args.batch_size, mode=mode)
        else:
            outputs = model.translate(
                batch, direction=direction, batch_size=args.batch_size, mode=mode
            )
        for path, pixels in zip(group, outputs):
            stem = os.path.splitext(os.path.basename(path))[0]
            Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels).save(
                os.path.join(args.output, f"{stem}.png")
            )
            written += 1
    how = f"{type(model).__name__}{f' {direction}' if direction else ''}, mode {mode}"
    print(
        f"{PROG}: translated {written} image{'s' if written != 1 else ''} "
        f"({len(by_size)} size{'s' if len(by_size) != 1 else ''}; {how}) into {args.output}"
    )
    return 0
