import keras
import numpy as np
import pytest

from keras_gan_kit.layers import InstanceNormalization, ResidualBlock, UNetUpBlock
from keras_gan_kit.networks import PatchGANDiscriminator, ResNetGenerator, UNetGenerator
from tests.test_case import no_weight_init, run_model_saving_test

# Structural checks (shapes, layouts, parameter counts) build the networks in `no_weight_init()`:
# nothing is drawn for the weights, so even the full-size networks build in a fraction of a
# second on every backend (on JAX, initializing them compiles one XLA program per kernel shape).


def numpy(x):
    return np.asarray(keras.ops.convert_to_numpy(x))


def images(shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, size=shape).astype("float32")


def symbolic_shape(net, *shapes):
    """Output shape of `net` for inputs of these shapes (shape inference, nothing compiled)."""
    inputs = [keras.KerasTensor(shape) for shape in shapes]
    return tuple(net(inputs[0] if len(inputs) == 1 else inputs).shape)


def trainable_count(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


# ------------------------------------------------------------------------------ U-Net


@pytest.mark.parametrize(
    "kwargs, in_shape",
    [
        ({"image_size": 16}, (2, 16, 16, 3)),  # down to 1x1
        ({"image_size": 48, "num_downsamples": 4, "output_channels": 1}, (1, 48, 48, 3)),
        ({"image_size": None, "num_downsamples": 3, "input_channels": 1}, (2, 16, 24, 1)),
        ({"image_size": None, "num_downsamples": 3, "input_channels": 1}, (1, 40, 8, 1)),
    ],
)
def test_unet_output_shapes(kwargs, in_shape):
    with no_weight_init():
        g = UNetGenerator(base_filters=4, max_filters=8, **kwargs)
    assert symbolic_shape(g, in_shape) == in_shape[:3] + (g.output_channels,)
    assert tuple(g.inputs[0].shape) == (
        None,
        kwargs["image_size"],
        kwargs["image_size"],
        in_shape[3],
    )


def test_unet_256_layout_matches_pix2pix():
    with no_weight_init():
        g = UNetGenerator()  # unet_256
    down = [tuple(g.get_layer(f"down_{i}").output.shape[1:]) for i in range(1, 9)]
    assert down == [
        (128, 128, 64),
        (64, 64, 128),
        (32, 32, 256),
        (16, 16, 512),
        (8, 8, 512),
        (4, 4, 512),
        (2, 2, 512),
        (1, 1, 512),
    ]
    # decoder: widths before concatenation mirror the encoder; skips double them
    assert [tuple(g.get_layer(f"up_{k}").output.shape[1:]) for k in range(7, 0, -1)] == [
        (2, 2, 512),
        (4, 4, 512),
        (8, 8, 512),
        (16, 16, 512),
        (32, 32, 256),
        (64, 64, 128),
        (128, 128, 64),
    ]
    assert tuple(g.get_layer("skip_1").output.shape[1:]) == (128, 128, 128)
    assert tuple(g.output.shape[1:]) == (256, 256, 3)
    # no norm on the outermost and innermost encoder blocks; dropout in the first 3 decoder blocks
    assert [g.get_layer(f"down_{i}").normalization for i in (1, 2, 7, 8)] == [
        "none",
        "batch",
        "batch",
        "none",
    ]
    ups = [layer for layer in g.layers if isinstance(layer, UNetUpBlock)]
    assert [layer.dropout for layer in ups] == [0.5, 0.5, 0.5, 0, 0, 0, 0, 0]
    # the reference prints 54.414 M parameters for unet_256 with batch norm; it has no bias in
    # the outermost and innermost down convolutions (64 + 512), which no norm follows here
    assert round((trainable_count(g) - 64 - 512) / 1e6, 3) == 54.414


def test_unet_skips_carry_what_the_bottleneck_cannot():
    """Cut the bottleneck (innermost conv = 0): the output still follows the input."""
    g = UNetGenerator(image_size=16, base_filters=4, max_filters=8, normalization="none")
    concatenations = [layer for layer in g.layers if isinstance(layer, keras.layers.Concatenate)]
    assert len(concatenations) == 3  # depth 4: skips at 8x8, 4x4, 2x2
    for k in (1, 2, 3):  # [down_k, up_k] concatenated
        inbound = g.get_layer(f"skip_{k}")._inbound_nodes[0].input_tensors
        assert [t._keras_history.operation.name for t in inbound] == [f"down_{k}", f"up_{k}"]
    inner = g.get_layer("down_4").conv
    inner.kernel.assign(np.zeros(inner.kernel.shape, "float32"))
    inner.bias.assign(np.zeros(inner.bias.shape, "float32"))
    x = images((1, 16, 16, 3))
    checker = np.indices((16, 16)).sum(0) % 2 * 2.0 - 1.0  # a 1-pixel checkerboard
    x2 = x + 0.5 * checker[None, :, :, None].astype("float32")
    y, y2 = numpy(g(x)), numpy(g(x2))
    assert np.abs(y - y2).max() > 1e-4
    # ...whereas without skips a constant bottleneck would give a constant answer:
    bottleneck = keras.Model(g.input, g.get_layer("down_4").output)
    np.testing.assert_array_equal(numpy(bottleneck(x)), numpy(bottleneck(x2)))


def test_unet_dropout_is_on_in_training_only():
    g = UNetGenerator(image_size=16, base_filters=4, max_filters=8)
    x = images((2, 16, 16, 3))
    train_a, train_b = numpy(g(x, training=True)), numpy(g(x, training=True))
    assert np.abs(train_a - train_b).max() > 1e-6
    np.testing.assert_array_equal(numpy(g(x)), numpy(g(x)))
    no_dropout = UNetGenerator(image_size=16, base_filters=4, max_filters=8, dropout=0.0)
    np.testing.assert_array_equal(
        numpy(no_dropout(x, training=True)), numpy(no_dropout(x, training=True))
    )


# ------------------------------------------------------------------------------ ResNet


@pytest.mark.parametrize(
    "kwargs, in_shape",
    [
        ({}, (1, 16, 16, 3)),
        ({}, (2, 20, 12, 3)),
        ({"image_size": 32, "output_channels": 1}, (1, 32, 32, 3)),
        ({"num_downsamples": 3, "input_channels": 1, "normalization": "batch"}, (2, 24, 16, 1)),
        ({"num_downsamples": 0, "normalization": "none", "dropout": 0.5}, (1, 8, 8, 3)),
    ],
)
def test_resnet_output_shapes(kwargs, in_shape):
    with no_weight_init():
        g = ResNetGenerator(base_filters=4, num_residual_blocks=2, **kwargs)
    assert symbolic_shape(g, in_shape) == in_shape[:3] + (g.output_channels,)


def test_resnet_9blocks_layout_matches_cyclegan():
    with no_weight_init():
        g = ResNetGenerator(image_size=256)
    shapes = {
        name: tuple(g.get_layer(name).output.shape[1:])
        for name in ("stem_relu", "down_1_relu", "down_2_relu", "res_9", "up_1_relu", "up_2_relu")
    }
    assert shapes == {
        "stem_relu": (256, 256, 64),
        "down_1_relu": (128, 128, 128),
        "down_2_relu": (64, 64, 256),
        "res_9": (64, 64, 256),
        "up_1_relu": (128, 128, 128),
        "up_2_relu": (256, 256, 64),
    }
    assert sum(isinstance(layer, ResidualBlock) for layer in g.layers) == 9
    assert isinstance(g.get_layer("stem_norm"), InstanceNormalization)
    # 11.378 M in the reference, which also counts 2 * 64 + 2 * 128 + 256 + 18 * 256 conv
    # biases that its non-affine instance norm cancels (we leave them out)
    assert trainable_count(g) + 2 * 64 + 2 * 128 + 256 + 18 * 256 == 11_378_179


def conv_reference(x, kernel, bias, stride, pad):
    """torch.nn.Conv2d(padding=pad, stride=stride) in NumPy (NHWC, HWIO kernel)."""
    x = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    k = kernel.shape[0]
    h = (x.shape[1] - k) // stride + 1
    w = (x.shape[2] - k) // stride + 1
    out = np.zeros((x.shape[0], h, w, kernel.shape[-1]))
    for i in range(h):
        for j in range(w):
            patch = x[:, i * stride : i * stride + k, j * stride : j * stride + k]
            out[:, i, j] = np.einsum("nabc,abcd->nd", patch, kernel)
    return out + bias


def conv_transpose_reference(x, kernel, stride, pad, output_pad):
    """torch.nn.ConvTranspose2d in NumPy: out[i*s + a - p] += x[i] K[a]; kernel (k, k, out, in)."""
    n, h, w, _ = x.shape
    k = kernel.shape[0]
    size_h = (h - 1) * stride - 2 * pad + k + output_pad
    size_w = (w - 1) * stride - 2 * pad + k + output_pad
    out = np.zeros((n, size_h, size_w, kernel.shape[2]))
    for i in range(h):
        for j in range(w):
            for a in range(k):
                for b in range(k):
                    oi, oj = i * stride + a - pad, j * stride + b - pad
                    if 0 <= oi < size_h and 0 <= oj < size_w:
                        out[:, oi, oj] += x[:, i, j] @ kernel[a, b].T
    return out


def test_resnet_down_and_up_convolutions_align_with_the_reference():
    """Stride-2 conv (k3, p1) and transposed conv (k3, p1, output_padding 1) as in torch."""
    g = ResNetGenerator(base_filters=4, num_residual_blocks=1, normalization="none")
    x = images((1, 6, 6, 4), seed=4)
    down = keras.Sequential([g.get_layer("down_1_pad"), g.get_layer("down_1_conv")])
    conv = g.get_layer("down_1_conv")
    np.testing.assert_allclose(
        numpy(down(x)), conv_reference(x, numpy(conv.kernel), numpy(conv.bias), 2, 1), atol=1e-5
    )
    x = images((1, 3, 3, 16), seed=5)
    up = keras.Sequential([g.get_layer("up_1_conv"), g.get_layer("up_1_crop")])
    convt = g.get_layer("up_1_conv")
    ref = conv_transpose_reference(x, numpy(convt.kernel), 2, 1, 1) + numpy(convt.bias)
    np.testing.assert_allclose(numpy(up(x)), ref, atol=1e-5)


# ------------------------------------------------------------------------------ PatchGAN


@pytest.mark.parametrize(
    "kwargs, size, out_size",
    [
        ({}, 256, 30),  # the 70x70 PatchGAN on 256x256: 30x30 logits
        ({}, 64, 6),
        ({"num_layers": 2}, 32, 6),
        ({"num_layers": 1, "normalization": "instance"}, 16, 6),
        ({"num_layers": 4, "spectral_norm": True, "normalization": "none"}, 64, 2),
    ],
)
def test_patchgan_output_shapes(kwargs, size, out_size):
    with no_weight_init():
        d = PatchGANDiscriminator(input_channels=1, base_filters=2, **kwargs)
        fixed = PatchGANDiscriminator(input_channels=1, base_filters=2, image_size=size, **kwargs)
    assert symbolic_shape(d, (2, size, size, 1)) == (2, out_size, out_size, 1)
    assert tuple(fixed.output.shape) == (None, out_size, out_size, 1)


def test_patchgan_70_layout_matches_pix2pix():
    with no_weight_init():
        d = PatchGANDiscriminator(input_channels=3, condition_channels=3, image_size=256)
    assert [tuple(i.shape) for i in d.inputs] == [(None, 256, 256, 3)] * 2
    assert tuple(d.get_layer("condition_and_image").output.shape) == (None, 256, 256, 6)
    assert [d.get_layer(f"layer_{i}_conv").filters for i in range(1, 5)] == [64, 128, 256, 512]
    assert [d.get_layer(f"layer_{i}_conv").strides for i in range(1, 5)] == [(2, 2)] * 3 + [(1, 1)]
    assert tuple(d.output.shape) == (None, 30, 30, 1)
    assert round(trainable_count(d) / 1e6, 3) == 2.769  # the reference's pix2pix D


def test_patchgan_conditional_inputs():
    d = PatchGANDiscriminator(input_channels=2, condition_channels=1, base_filters=2)
    names = {layer.name for layer in d.layers}
    assert "layer_1_norm" not in names and "layer_2_norm" in names
    assert [d.get_layer(f"layer_{i}_conv").filters for i in range(1, 5)] == [2, 4, 8, 16]
    condition, image = images((2, 32, 32, 1)), images((2, 32, 32, 2), seed=1)
    a = numpy(d([condition, image]))
    assert a.shape == (2, 2, 2, 1)
    assert not np.allclose(a, numpy(d([-condition, image])))  # the condition matters
    with pytest.raises(ValueError):
        d(image)  # two inputs expected


def measured_receptive_field(d, size):
    """Rows and columns of the input that change the centre logit (positive weights)."""
    for w in d.weights:
        if w.path.endswith("kernel"):
            w.assign(np.full(w.shape, 1.0 / np.prod(w.shape[:3]), "float32"))
        elif w.path.endswith("bias"):
            w.assign(np.zeros(w.shape, "float32"))
    x = np.zeros((2 * size, size, size, 1), "float32")
    for r in range(size):
        x[r, r, :, :] = 1.0  # one whole row lit
        x[size + r, :, r, :] = 1.0  # one whole column lit
    logits = numpy(d(x))
    centre = logits.shape[1] // 2
    hit = logits[:, centre, centre, 0] > 0
    rows, cols = np.flatnonzero(hit[:size]), np.flatnonzero(hit[size:])
    for idx in (rows, cols):
        assert np.all(np.diff(idx) == 1)  # one contiguous band
        assert idx[0] > 0 and idx[-1] < size - 1  # not clipped by the image border
    return len(rows), len(cols)


@pytest.mark.parametrize("num_layers, size, expected", [(1, 32, 16), (2, 64, 34), (3, 128, 70)])
def test_patchgan_receptive_field_is_the_measured_one(num_layers, size, expected):
    d = PatchGANDiscriminator(
        input_channels=1, base_filters=1, num_layers=num_layers, normalization="none"
    )
    assert d.receptive_field == expected
    assert measured_receptive_field(d, size) == (expected, expected)


def test_patchgan_receptive_field_formula():
    with no_weight_init():
        fields = [
            PatchGANDiscriminator(base_filters=1, num_layers=n).receptive_field for n in (3, 4, 5)
        ]
    assert fields == [70, 142, 286]


# ------------------------------------------------------------------------------ all three


def small_networks():
    return [
        UNetGenerator(image_size=16, base_filters=4, max_filters=8, normalization="instance"),
        UNetGenerator(image_size=None, num_downsamples=3, base_filters=4, max_filters=8),
        ResNetGenerator(image_size=16, base_filters=4, num_residual_blocks=2),
        ResNetGenerator(base_filters=4, num_residual_blocks=1, normalization="batch"),
        PatchGANDiscriminator(input_channels=3, condition_channels=1, base_filters=4),
        PatchGANDiscriminator(base_filters=4, num_layers=2, spectral_norm=True, image_size=32),
    ]


def sample_inputs(net):
    shapes = [tuple(i.shape) for i in net.inputs]
    arrays = [images((2, s[1] or 32, s[2] or 32, s[3]), seed=k) for k, s in enumerate(shapes)]
    return arrays[0] if len(arrays) == 1 else arrays


def test_keras_file_keeps_trained_state():
    """Config, dtype and a single training call are covered by tests/networks/test_network.py;
    here the saved state after training-mode calls (batch-norm statistics, power iteration)."""
    for net in small_networks():
        x = sample_inputs(net)
        net(x, training=True)  # move batch-norm statistics and power-iteration vectors
        run_model_saving_test(net, x)
        y = numpy(net(x))
        assert y.dtype == np.float32
        if not isinstance(net, PatchGANDiscriminator):  # tanh images of the input size
            assert y.shape == x.shape[:3] + (net.output_channels,)
            assert -1 <= y.min() and y.max() <= 1


@pytest.mark.parametrize(
    "cls, kwargs, match",
    [
        (UNetGenerator, {"image_size": 100}, "image_size=100"),
        (UNetGenerator, {"image_size": None}, "num_downsamples"),
        (UNetGenerator, {"image_size": 48, "num_downsamples": 5}, "image_size=48"),
        (UNetGenerator, {"num_downsamples": 0}, "num_downsamples=0"),
        (UNetGenerator, {"dropout": 1.0}, "dropout=1.0"),
        (UNetGenerator, {"normalization": "group"}, "normalization='group'"),
        (UNetGenerator, {"input_channels": 0}, "input_channels=0"),
        (ResNetGenerator, {"image_size": 30}, "image_size=30"),
        (ResNetGenerator, {"image_size": 4}, "image_size=4"),
        (ResNetGenerator, {"num_residual_blocks": 0}, "num_residual_blocks=0"),
        (ResNetGenerator, {"num_downsamples": -1}, "num_downsamples=-1"),
        (ResNetGenerator, {"dropout": -0.5}, "dropout=-0.5"),
        (PatchGANDiscriminator, {"num_layers": 0}, "num_layers=0"),
        (PatchGANDiscriminator, {"image_size": 16}, "image_size=16"),
        (PatchGANDiscriminator, {"condition_channels": 0}, "condition_channels=0"),
        (PatchGANDiscriminator, {"normalization": "spectral"}, "normalization='spectral'"),
    ],
)
def test_bad_arguments(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)
