import numpy as np
import pytest

from keras_gan_kit import augmentation


@pytest.mark.parametrize("shape", [(8, 8, 1), (5,)])
def test_build_classifier(shape):
    model = augmentation.build_classifier(shape, 4, width=8)
    x = np.random.default_rng(0).uniform(-1, 1, (6,) + shape).astype("float32")
    history = model.fit(x, np.arange(6) % 4, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert model.predict(x, verbose=0).shape == (6, 4)
    with pytest.raises(ValueError, match=r"Received: input_shape=\(4, 4\)"):
        augmentation.build_classifier((4, 4), 3)
    with pytest.raises(ValueError, match="Received: num_classes=1"):
        augmentation.build_classifier(shape, 1)
