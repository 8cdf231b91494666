import keras
import numpy as np
import pytest

from keras_gan_kit.layers import DownsampleBlock, UpsampleBlock
from tests.test_case import run_layer_test


@pytest.mark.parametrize(
    "cls, kwargs, in_shape, out_shape",
    [
        (UpsampleBlock, {"filters": 6}, (2, 4, 4, 3), (2, 8, 8, 6)),
        (UpsampleBlock, {"filters": 6, "normalization": "none"}, (2, 4, 4, 3), (2, 8, 8, 6)),
        (DownsampleBlock, {"filters": 5}, (2, 8, 8, 3), (2, 4, 4, 5)),
        (DownsampleBlock, {"filters": 5, "normalization": "layer"}, (2, 8, 8, 3), (2, 4, 4, 5)),
        (DownsampleBlock, {"filters": 5, "spectral_norm": True}, (2, 8, 8, 3), (2, 4, 4, 5)),
    ],
)
def test_layer_contract(cls, kwargs, in_shape, out_shape):
    x = np.random.default_rng(0).normal(size=in_shape).astype("float32")
    layer = run_layer_test(cls, kwargs, x, out_shape)
    assert tuple(layer.compute_output_shape(in_shape)) == out_shape


def test_bias_only_without_normalization():
    with_norm = UpsampleBlock(4)
    with_norm.build((None, 4, 4, 2))
    without = UpsampleBlock(4, normalization="none")
    without.build((None, 4, 4, 2))
    assert len(without.conv.weights) == 2 and len(with_norm.conv.weights) == 1


def test_leaky_relu_slope():
    block = DownsampleBlock(1, kernel_size=1, negative_slope=0.1)
    block.build((None, 2, 2, 1))
    block.conv.kernel.assign(np.ones((1, 1, 1, 1), "float32"))
    block.conv.bias.assign(np.zeros(1, "float32"))
    y = keras.ops.convert_to_numpy(block(np.array([[[[-2.0], [0]], [[3.0], [0]]]], "float32")))
    np.testing.assert_allclose(y[0, 0, 0, 0], -0.2, rtol=1e-5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="filters=0"):
        UpsampleBlock(0)
    with pytest.raises(ValueError, match="normalization='group'"):
        DownsampleBlock(4, normalization="group")
