"""`keras-gan-kit sample MODEL`: a grid (or image files) from a saved GAN."""

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
    """Adds `sample` to the `keras-gan-kit` sub-commands.

    Args:
        subparsers: The object returned by `parser.add_subparsers()`.

    Returns:
        The `sample` parser.
    """
    parser = subparsers.add_parser(
        "sample",
        help="write a grid (or image files) from a saved .keras model",
        description="Generate images from a saved model.",
    )
    parser.add_argument("model", help="a .keras file written by `train` or GAN.save")
    parser.add_argument("--num-samples", type=positive_int, default=64, help="Default: 64")
    parser.add_argument("--output", default=None, help="grid PNG path. Default: samples.png")
    parser.add_argument(
        "--individual",
        metavar="DIR",
        default=None,
        help="write each image as DIR/sample_0000.png instead of a grid",
    )
    parser.add_argument("--seed", type=int, default=0, help="latent seed. Default: 0")
    parser.add_argument(
        "--label",
        type=int,
        default=None,
        help="class to generate (conditional models). Default: every class, one per column",
    )
    parser.add_argument("--no-ema", action="store_true", help="use the raw generator")
    parser.add_argument("--scale", type=positive_int, default=1, help="upscale the grid")
    add_backend_argument(parser)
    parser.set_defaults(run=run)
    return parser


def _check_destinations(args) -> None:
    """One-line errors for an `--output` or `--individual` that cannot be written."""
    if args.individual and os.path.exists(args.individual) and not os.path.isdir(args.individual):
        raise CLIError(f"--individual {args.individual!r} is an existing file, not a folder")
    output = args.output
    if output and (os.path.isdir(output) or output.endswith(("/", os.sep))):
        raise CLIError(
            f"--output {output!r} is a folder; give an image file name (e.g. "
            f"{os.path.join(output, 'samples.png')}), or use --individual FOLDER"
        )
    if output:
        from PIL import Image

        extension = os.path.splitext(output)[1].lower()
        if extension not in Image.registered_extensions():
            raise CLIError(f"--output {output!r} needs an image extension such as .png or .jpg")


def run(args) -> int:
    """Runs `keras-gan-kit sample`.

    Args:
        args: The parsed namespace.

    Returns:
        The exit code.
    """
    _check_destinations(args)
    import keras_gan_kit as kgk
    from keras_gan_kit.utils import save_image_grid, to_uint8_images

    gan = load_saved_model(args.model)
    if not isinstance(gan, kgk.GAN):
        raise CLIError(f"{args.model!r} holds a {type(gan).__name__}, not a keras_gan_kit GAN")
    if args.no_ema:
        gan.use_ema = False
    labels = args.label
    if gan.conditional and labels is None:
        labels = [i % gan.num_classes for i in range(args.num_samples)]
    latents = gan.sample_latents(args.num_samples, seed=args.seed)
    images = gan.generate(latents=latents, labels=labels)
    if args.individual:
        from PIL import Image

        os.makedirs(args.individual, exist_ok=True)
        pixels = to_uint8_images(images)
        for i, image in enumerate(pixels):
            Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(
                os.path.join(args.individual, f"sample_{i:04d}.png")
            )
        print(f"{PROG}: wrote {len(pixels)} images to {args.individual}")
    else:
        path = args.output or "samples.png"
        columns = gan.num_classes if gan.conditional and args.label is None else None
        save_image_grid(path, images, scale=args.scale, columns=columns)
        print(f"{PROG}: wrote a grid of {len(images)} samples to {path}")
    return 0
