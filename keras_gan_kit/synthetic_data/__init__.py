"""Synthetic training data from a class-conditional GAN (GAN data augmentation).

Labelled synthetic sets for training classifiers: `synthesize` makes a
class-balanced (or weighted) labelled set, optionally keeping only samples a
classifier recognises (`ConfidenceFilter`); `mix` joins it with real data at a
chosen ratio; `MixedDataset` (a `keras.utils.PyDataset`) mixes real batches
with fresh synthetic samples every epoch; `to_tf_dataset` wraps arrays for
`tf.data` pipelines (the only place that imports TensorFlow, lazily).
`build_classifier` is the small default classifier; the matching metrics are
`keras_gan_kit.metrics.classification_accuracy_score` and `label_agreement`.

This package was called `keras_gan_kit.augmentation`, and `MixedDataset` was
`AugmentedDataset`, until the word "augmentation" was freed for differentiable
augmentation of discriminator inputs (DiffAugment, ADA).
"""

from keras_gan_kit.metrics.classifier import build_classifier
from keras_gan_kit.synthetic_data.confidence_filter import ConfidenceFilter
from keras_gan_kit.synthetic_data.mixed_dataset import MixedDataset
from keras_gan_kit.synthetic_data.mixing import mix
from keras_gan_kit.synthetic_data.synthesis import class_counts, synthesize
from keras_gan_kit.synthetic_data.tf_data import to_tf_dataset

__all__ = [
    "ConfidenceFilter",
    "MixedDataset",
    "build_classifier",
    "class_counts",
    "mix",
    "synthesize",
    "to_tf_dataset",
]
