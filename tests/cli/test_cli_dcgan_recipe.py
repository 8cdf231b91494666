"""`train dcgan`'s optimizer, schedule, augmentation and EMA options (built, not trained)."""

import json

import numpy as np
import pytest

from keras_gan_kit import cli

TINY = {"image_size": 8, "width": 8, "latent_dim": 8, "num_samples": 4}
STEPS_PER_EPOCH = 29  # ceil(1797 bundled digits / 64)


def _build(tmp_path, **options):
    from keras_gan_kit.cli.train.dcgan import DCGANRecipe

    recipe = DCGANRecipe()
    config = {**recipe.defaults, **TINY, **options, "output": str(tmp_path)}
    return recipe.build(config)


def _rate(optimizer, step):
    rate = optimizer._learning_rate  # the schedule (or the constant) the optimizer holds
    return float(np.asarray(rate(step))) if callable(rate) else float(np.asarray(rate))


def _ema(training):
    from keras_gan_kit.callbacks import GeneratorEMA

    return [c for c in training.callbacks if isinstance(c, GeneratorEMA)]


def test_options_build_what_they_say(tmp_path):
    training = _build(
        tmp_path,
        epochs=2,
        beta_1=0.0,
        beta_2=0.99,
        learning_rate=1e-4,
        discriminator_learning_rate=4e-4,
        learning_rate_decay="linear",
        augment="color,translation",
        ema_half_life=10_000.0,
        ema_rampup=0.05,
    )
    gan = training.model
    g_opt, d_opt = gan.generator_optimizer, gan.discriminator_optimizer
    assert (g_opt.beta_1, g_opt.beta_2, d_opt.beta_1, d_opt.beta_2) == (0.0, 0.99, 0.0, 0.99)
    steps = 2 * STEPS_PER_EPOCH
    # Linear to 0 over the run: full rate at step 0, half at mid-run, 0 at the end.
    assert _rate(g_opt, 0) == pytest.approx(1e-4)
    assert _rate(d_opt, 0) == pytest.approx(4e-4)
    assert _rate(g_opt, steps / 2) == pytest.approx(0.5e-4)
    assert _rate(d_opt, steps) == pytest.approx(0.0, abs=1e-12)
    assert type(gan.augmentation).__name__ == "DiffAugment"
    assert gan.augmentation.policy == "color,translation"
    (ema,) = _ema(training)
    assert (ema.half_life_images, ema.rampup) == (10_000.0, 0.05)
    record = json.loads(json.dumps(training.config))  # as written to config.json
    assert (record["augment"], record["learning_rate_decay"]) == ("color,translation", "linear")


def test_cosine_decay_and_extra_discriminator_steps(tmp_path):
    training = _build(
        tmp_path,
        epochs=1,
        learning_rate=2e-4,
        learning_rate_decay="cosine",
        discriminator_steps=2,
        augment="none",
    )
    gan = training.model
    steps = STEPS_PER_EPOCH
    # Half-cosine: (1 + cos(pi / 2)) / 2 = 0.5 of the rate at mid-run; D updates twice per step.
    assert _rate(gan.generator_optimizer, steps / 2) == pytest.approx(1e-4)
    assert _rate(gan.discriminator_optimizer, steps) == pytest.approx(1e-4)
    assert _rate(gan.discriminator_optimizer, 2 * steps) == pytest.approx(0.0, abs=1e-12)
    assert gan.augmentation is None


def test_a_run_folder_from_before_the_options_resumes_with_the_old_recipe(tmp_path):
    from keras_gan_kit.cli.train.dcgan import DCGANRecipe

    new_keys = (
        "beta_1",
        "beta_2",
        "discriminator_learning_rate",
        "learning_rate_decay",
        "augment",
        "ema_rampup",
    )
    config = {k: v for k, v in DCGANRecipe.defaults.items() if k not in new_keys}
    config["learning_rate"] = 2e-4  # recorded in every run folder
    training = DCGANRecipe().build({**config, **TINY, "output": str(tmp_path)})
    gan = training.model
    for optimizer in (gan.generator_optimizer, gan.discriminator_optimizer):
        assert (optimizer.beta_1, optimizer.beta_2) == (0.5, 0.999)
        assert _rate(optimizer, 0) == _rate(optimizer, 10**6) == pytest.approx(2e-4)
    assert gan.augmentation is None
    (ema,) = _ema(training)
    assert (ema.half_life_images, ema.rampup) == (5000.0, None)


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--beta-1", "1", "[0, 1)"),
        ("--beta-2", "-0.1", "[0, 1)"),
        ("--augment", "rotation", "color, translation, cutout"),
        ("--augment", "translation,translation", "color, translation, cutout"),
        ("--learning-rate-decay", "step", "invalid choice"),
        ("--ema-rampup", "-1", "--ema-rampup"),
    ],
)
def test_bad_values_are_refused_before_training(option, value, message, capsys):
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["train", option, value])
    assert message in capsys.readouterr().err


def test_augment_policies_are_normalized():
    args = cli.build_parser().parse_args(["train", "--augment", " Translation, color"])
    assert args.augment == "translation,color"
    assert cli.build_parser().parse_args(["train", "--augment", "NONE"]).augment == "none"


def test_the_default_recipe(tmp_path):
    # Chosen from measurements (docs/benchmarks.md, benchmarks/quality_digits.py): the
    # previous default with the learning rate doubled to 4e-4.
    training = _build(tmp_path)
    gan = training.model
    for optimizer in (gan.generator_optimizer, gan.discriminator_optimizer):
        assert (optimizer.beta_1, optimizer.beta_2) == (0.5, 0.999)
        assert _rate(optimizer, 0) == _rate(optimizer, 10**6) == pytest.approx(4e-4)
    assert gan.augmentation is None
    (ema,) = _ema(training)
    assert (ema.half_life_images, ema.rampup) == (5000.0, None)
    assert training.epochs == 30 and training.config["batch_size"] == 64


def test_resume_keeps_the_decay_schedule_and_refuses_to_stretch_it(tmp_path):
    from keras_gan_kit.cli import common, run_folder
    from keras_gan_kit.cli.train import resolve_config
    from keras_gan_kit.cli.train.dcgan import DCGANRecipe

    first = _build(tmp_path, epochs=2, learning_rate=1e-4, learning_rate_decay="linear")
    assert first.config["learning_rate_decay_epochs"] == 2
    run_folder.write_config(str(tmp_path), first.config)

    def resumed(epochs):  # the configuration `train --resume --epochs N` builds from
        args = cli.build_parser().parse_args(
            ["train", "--resume", "--output", str(tmp_path), "--epochs", str(epochs)]
        )
        return resolve_config(args)

    # More epochs would stretch the decay (at the end of epoch 2 the rate, 0 there, would
    # jump back up to a third of 1e-4): refused before anything is built, naming both options.
    with pytest.raises(common.CLIError) as info:
        DCGANRecipe().build(resumed(3))
    assert "--epochs 3" in str(info.value) and "--learning-rate-decay linear" in str(info.value)
    # Fewer epochs keep the first run's schedule (half the rate at its mid-point, 0 at
    # its end) and stop early; the record keeps the schedule's length.
    shorter = DCGANRecipe().build(resumed(1))
    g_opt = shorter.model.generator_optimizer
    assert _rate(g_opt, STEPS_PER_EPOCH) == pytest.approx(0.5e-4)
    assert _rate(g_opt, 2 * STEPS_PER_EPOCH) == pytest.approx(0.0, abs=1e-12)
    assert (shorter.epochs, shorter.config["learning_rate_decay_epochs"]) == (1, 2)


def test_augment_option_knows_diffaugments_transforms():
    from keras_gan_kit.augment import diffaugment
    from keras_gan_kit.cli.train.dcgan import _DIFFAUGMENT_TRANSFORMS

    assert _DIFFAUGMENT_TRANSFORMS == diffaugment._POLICIES
