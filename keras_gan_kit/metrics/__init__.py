"""Sample-quality metrics: FID, KID, IS, precision/recall, density/coverage, mode coverage.

Paired-image metrics for translation models: `l1_distance`, `psnr`, `ssim`.
Conditional GANs: `classification_accuracy_score` (CAS) and `label_agreement`.

The numerics are NumPy float64 and backend-agnostic; feature extraction
(`FeatureExtractor`, `FIDInceptionV3`) runs on the active Keras backend.
"""

from keras_gan_kit.metrics.classification import (
    classification_accuracy_score,
    label_agreement,
)
from keras_gan_kit.metrics.feature_extractor import FeatureExtractor
from keras_gan_kit.metrics.feature_statistics import FeatureStatistics
from keras_gan_kit.metrics.fid import fid_from_features, frechet_distance
from keras_gan_kit.metrics.fid_inception_v3 import FIDInceptionV3
from keras_gan_kit.metrics.image_similarity import l1_distance, psnr, ssim
from keras_gan_kit.metrics.inception_score_metric import inception_score
from keras_gan_kit.metrics.kid import kid_from_features, polynomial_mmd
from keras_gan_kit.metrics.manifold import density_coverage, precision_recall
from keras_gan_kit.metrics.mode_coverage import mode_coverage

__all__ = [
    "FIDInceptionV3",
    "FeatureExtractor",
    "FeatureStatistics",
    "classification_accuracy_score",
    "density_coverage",
    "fid_from_features",
    "frechet_distance",
    "inception_score",
    "kid_from_features",
    "l1_distance",
    "label_agreement",
    "mode_coverage",
    "polynomial_mmd",
    "precision_recall",
    "psnr",
    "ssim",
]
