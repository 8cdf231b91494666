import keras
import numpy as np
import pytest

import keras_gan_kit as kgk
from keras_gan_kit import synthetic_data
from keras_gan_kit.metrics.classification import classification_accuracy_score, label_agreement
from tests.synthetic_data.toy_models import label_gan, real_points, threshold_classifier
from tests.test_case import (
    conditional_mlp_discriminator,
    conditional_mlp_generator,
    small_gan,
    two_class_points,
)


def trained_gan():
    """The conditional GAN of tests/models/test_conditional_gan.py, trained on two clusters."""
    x, y = two_class_points(2048)
    gan = kgk.GAN(
        conditional_mlp_generator(), conditional_mlp_discriminator(), num_classes=2, seed=0
    )
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5),
    )
    gan.fit(x, y, batch_size=128, epochs=15, verbose=0)
    return gan


def sign_classifier():
    """Class 1 iff x0 + x1 > 0 (the two_class_points clusters sit at -0.5 and +0.5)."""
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    model.layers[-1].set_weights([np.array([[-5.0, 5.0], [-5.0, 5.0]], "float32"), np.zeros(2)])
    return model


def test_cas_and_label_agreement_of_a_trained_gan_are_high():
    gan = trained_gan()
    x_test, y_test = two_class_points(400, seed=1)
    cas = classification_accuracy_score(
        gan, x_test, y_test, samples_per_class=200, epochs=5, seed=0
    )
    assert cas["accuracy"] > 0.9, cas
    assert np.all(cas["per_class_accuracy"] > 0.8) and cas["num_train_samples"] == 400
    agreement = label_agreement(gan, sign_classifier(), samples_per_class=200, seed=0)
    assert agreement["accuracy"] > 0.9, agreement


def fast_classifier(input_shape, num_classes):
    return synthetic_data.build_classifier(input_shape, num_classes, learning_rate=1e-2)


def test_cas_is_near_chance_when_the_gan_ignores_labels():
    # Ten classes at x0 = 0..9. A classifier trained on label-ignoring samples can only guess
    # one class per cluster (right with probability 1/10 each), so it scores about 0.1.
    x_test, y_test = real_points(500, num_classes=10, seed=1)
    scores = {
        mode: classification_accuracy_score(
            label_gan(num_classes=10, mode=mode),
            x_test,
            y_test,
            classifier_fn=fast_classifier,
            samples_per_class=100,
            epochs=20,
            seed=0,
        )["accuracy"]
        for mode in ("follow", "ignore")
    }
    assert scores["follow"] > 0.9, scores
    assert scores["ignore"] < 0.35, scores


def test_cas_custom_classifier_fn_and_per_class():
    x_test, y_test = real_points(300, num_classes=3, seed=1)
    x_test, y_test = x_test[:200], y_test[:200]  # 67, 67, 66
    built = []

    def classifier_fn(input_shape, num_classes):
        built.append((input_shape, num_classes))
        return synthetic_data.build_classifier(input_shape, num_classes, learning_rate=1e-2)

    cas = classification_accuracy_score(
        label_gan(num_classes=3),
        x_test,
        np.eye(3)[y_test],  # one-hot test labels work too
        classifier_fn=classifier_fn,
        num_samples=300,
        epochs=8,
        seed=0,
    )
    assert built == [((2,), 3)]
    assert cas["accuracy"] > 0.9 and cas["per_class_accuracy"].shape == (3,)
    assert isinstance(cas["classifier"], keras.Model)


def test_label_agreement_per_class_and_confusion():
    follow = label_agreement(label_gan(), threshold_classifier(), samples_per_class=100, seed=0)
    assert follow["accuracy"] == 1.0
    np.testing.assert_array_equal(follow["confusion_matrix"], [[100, 0], [0, 100]])
    collapse = label_agreement(label_gan(mode="collapse"), threshold_classifier(), num_samples=200)
    np.testing.assert_array_equal(collapse["per_class_accuracy"], [1.0, 0.0])
    assert collapse["accuracy"] == 0.5
    np.testing.assert_array_equal(collapse["confusion_matrix"], [[100, 0], [100, 0]])
    ignoring = label_agreement(
        label_gan(mode="ignore"), threshold_classifier(), samples_per_class=500, seed=0
    )
    assert 0.4 < ignoring["accuracy"] < 0.6, ignoring


def test_errors():
    x, y = real_points(20)
    with pytest.raises(ValueError, match="needs a class-conditional GAN"):
        classification_accuracy_score(small_gan(), x, y)
    with pytest.raises(ValueError, match="needs a class-conditional GAN"):
        label_agreement(small_gan(), threshold_classifier())
    with pytest.raises(ValueError, match=r"Received: x_test.shape=\(20, 3\)"):
        classification_accuracy_score(label_gan(), np.zeros((20, 3)), y)
    with pytest.raises(ValueError, match=r"must lie in \[0, 2\)"):
        classification_accuracy_score(label_gan(), x, y + 1)
    with pytest.raises(ValueError, match="expected 20, received 3"):
        classification_accuracy_score(label_gan(), x, y[:3])
    with pytest.raises(ValueError, match="Received: epochs=0"):
        classification_accuracy_score(label_gan(), x, y, epochs=0)
    with pytest.raises(ValueError, match="`classifier_fn` must be a callable"):
        classification_accuracy_score(label_gan(), x, y, classifier_fn="cnn")
    with pytest.raises(ValueError, match="must return a compiled keras.Model"):
        classification_accuracy_score(label_gan(), x, y, classifier_fn=lambda s, k: None, epochs=1)
    three_way = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    with pytest.raises(ValueError, match=r"scores of shape \(n, 2\)"):
        label_agreement(label_gan(), three_way, num_samples=4)
    with pytest.raises(ValueError, match="`classifier` must be"):
        label_agreement(label_gan(), "classifier")


def test_label_agreement_draws_what_synthesize_draws():
    # The metrics generate without importing synthetic_data; the draw must stay the same.
    seen = []

    def recording_classifier(batch):
        seen.append(np.asarray(batch))
        return np.stack([-batch[:, 0], batch[:, 0], batch[:, 1]], axis=1)

    gan = label_gan(num_classes=3)
    label_agreement(gan, recording_classifier, num_samples=7, seed=5)
    x, y = synthetic_data.synthesize(gan, num_samples=7, seed=5, shuffle=False)
    np.testing.assert_array_equal(y, [0, 0, 0, 1, 1, 2, 2])
    np.testing.assert_allclose(np.concatenate(seen), x)
    with pytest.raises(ValueError, match="exactly one of"):
        label_agreement(gan, recording_classifier, num_samples=6, samples_per_class=2)
    with pytest.raises(ValueError, match="Received: num_samples=0"):
        label_agreement(gan, recording_classifier, num_samples=0)
