"""`FixupHeNormal`: He-normal initialization scaled for residual networks without normalization."""

from __future__ import annotations

import math

import keras

from keras_gan_kit.utils.validation import check_non_negative_number, check_positive_int

__all__ = ["FixupHeNormal", "fixup_gain"]


def fixup_gain(num_blocks: int = 1, branch_depth: int = 3, negative_slope: float = 0.2) -> float:
    """The gain of a residual branch's weights under fix-up initialization.

    `sqrt(2 / (1 + negative_slope^2)) * num_blocks^(-1 / (2 * branch_depth - 2))`:
    the He gain of a leaky ReLU, scaled down so that the variance of a
    network of `num_blocks` residual branches of `branch_depth` layers each
    stays bounded at initialization (Zhang et al.'s fix-up rule; R3GAN
    uses `branch_depth=3`, so the factor is `L^(-1/4)`).

    Args:
        num_blocks: int. `L`, the number of residual blocks in the whole
            network. Defaults to 1.
        branch_depth: int. `m`, the number of weight layers in one residual
            branch (>= 2). Defaults to 3.
        negative_slope: float. Slope of the leaky ReLU after each layer (0
            for a ReLU). Defaults to 0.2.

    Returns:
        The gain, a float.

    Example:

    ```python
    fixup_gain(8)   # sqrt(2 / 1.04) * 8 ** -0.25 = 0.8245...
    ```
    """
    check_positive_int(num_blocks, "num_blocks")
    check_positive_int(branch_depth, "branch_depth")
    if branch_depth < 2:
        raise ValueError(
            "`branch_depth` must be at least 2 (a residual branch with one layer has no "
            f"fix-up scaling). Received: branch_depth={branch_depth}"
        )
    check_non_negative_number(negative_slope, "negative_slope")
    he = math.sqrt(2.0 / (1.0 + negative_slope**2))
    return he * num_blocks ** (-1.0 / (2 * branch_depth - 2))


@keras.saving.register_keras_serializable(package="keras_gan_kit")
class FixupHeNormal(keras.initializers.VarianceScaling):
    """He-normal initialization scaled by `L^(-1/(2m-2))` (fix-up), as in R3GAN.

    Draws from `N(0, (gain / sqrt(fan_in))^2)` with
    `gain = fixup_gain(num_blocks, branch_depth, negative_slope)` (no
    truncation), `fan_in` being the kernel's receptive field times its input
    channels (per group for grouped convolutions, as in PyTorch). This is
    R3GAN's `MSRInitializer` with `ActivationGain = BiasedActivation.Gain *
    L^(-1/(2m-2))`, used for the first `m - 1` layers of each residual
    branch; its last layer is zero-initialized, so every block is the
    identity at initialization. It is `keras.initializers.VarianceScaling(
    scale=gain**2, mode="fan_in", distribution="untruncated_normal")` with a
    config that keeps the fix-up parameters.

    Args:
        num_blocks: int. `L`, the number of residual blocks in the whole
            network. Defaults to 1.
        branch_depth: int. `m`, weight layers per residual branch (>= 2).
            Defaults to 3.
        negative_slope: float. Slope of the leaky ReLUs. Defaults to 0.2.
        seed: int, `keras.random.SeedGenerator` or None. Defaults to None.

    Example:

    ```python
    conv = keras.layers.Conv2D(64, 1, kernel_initializer=FixupHeNormal(num_blocks=8))
    ```

    References:
        Zhang et al., "Fixup Initialization: Residual Learning Without
        Normalization", ICLR 2019.
        Huang et al., "The GAN is dead; long live the GAN! A Modern GAN
        Baseline", NeurIPS 2024.
    """

    def __init__(
        self,
        num_blocks: int = 1,
        branch_depth: int = 3,
        negative_slope: float = 0.2,
        seed=None,
    ):
        gain = fixup_gain(num_blocks, branch_depth, negative_slope)
        super().__init__(scale=gain**2, mode="fan_in", distribution="untruncated_normal", seed=seed)
        self.num_blocks = num_blocks
        self.branch_depth = branch_depth
        self.negative_slope = float(negative_slope)
        self.gain = gain

    def get_config(self):
        return {
            "num_blocks": self.num_blocks,
            "branch_depth": self.branch_depth,
            "negative_slope": self.negative_slope,
            "seed": super().get_config()["seed"],
        }
