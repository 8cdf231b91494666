"""GAN data augmentation: labelled synthetic data from a class-conditional GAN.

`synthesize` makes a class-balanced (or weighted) labelled set, optionally
keeping only samples a classifier recognises (`ConfidenceFilter`); `mix`
joins it with real data at a chosen ratio; `AugmentedDataset` (a
`keras.utils.PyDataset`) mixes real batches with fresh synthetic samples every
epoch; `to_tf_dataset` wraps arrays for `tf.data` pipelines (the only place
that imports TensorFlow, lazily). `build_classifier` is the small default
classifier; the matching metrics are
`keras_gan_kit.metrics.classification_accuracy_score` and `label_agreement`.
"""

from keras_gan_kit.augmentation.augmented_dataset import AugmentedDataset
from keras_gan_kit.augmentation.classifier import build_classifier
from keras_gan_kit.augmentation.confidence_filter import ConfidenceFilter
from keras_gan_kit.augmentation.mixing import mix
from keras_gan_kit.augmentation.synthesis import class_counts, synthesize
from keras_gan_kit.augmentation.tf_data import to_tf_dataset

__all__ = [
    "AugmentedDataset",
    "ConfidenceFilter",
    "build_classifier",
    "class_counts",
    "mix",
    "synthesize",
    "to_tf_dataset",
]
