"""The image generator without the server: shipped weights, sampling, files, bad input, the
CLI, and a diffusers model folder built here from a tiny random UNet."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from multimodal.image.assets import make_icons
from multimodal.image.errors import ImageError
from multimodal.image.generate import BundledIconModel, load_image_model
from multimodal.image.output import OutputError, write_all
from multimodal.image.request import ImageRequest, ImageRequestError
from multimodal.image.sampler import Cancelled
from multimodal.image.weights import WeightsError, bundled_path, load_checkpoint

CARD = Path(__file__).parents[1] / "multimodal" / "image" / "MODEL_CARD.md"
FAST = {"steps": 4}  # few DDIM steps: seconds, not minutes


@pytest.fixture(scope="module")
def icons() -> BundledIconModel:
    return BundledIconModel(threads=2)


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_shipped_weights_match_the_model_card_and_load(icons):
    recorded = bundled_path().with_suffix(".sha256").read_text().strip()
    assert icons.sha256 == recorded
    assert recorded in CARD.read_text(), "the model card records the shipped file's sha256"
    assert 1_000_000 < sum(p.numel() for p in icons.model.parameters()) < 4_000_000
    assert icons.size == 32 and icons.info["steps"] > 0


def test_sampling_is_rgba_and_the_same_for_the_same_seed(icons):
    request = ImageRequest("a red apple", n=2, seed=7, **FAST)
    first = icons.generate(request, lambda: False, lambda done, total: None)
    again = icons.generate(request, lambda: False, lambda done, total: None)
    other = icons.generate(
        ImageRequest("a red apple", n=2, seed=8, **FAST), lambda: False, lambda d, t: None
    )
    assert first.shape == (2, 32, 32, 4) and first.dtype == np.uint8
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert not np.array_equal(first[0], first[1]), "each image of a batch has its own noise"


def test_icons_have_transparent_backgrounds(icons):
    images = icons.generate(
        ImageRequest("a star", n=4, seed=1, steps=10), lambda: False, lambda d, t: None
    )
    corners = images[:, [0, 0, -1, -1], [0, -1, 0, -1], 3]
    assert (corners < 64).mean() >= 0.75, "icons are drawn on a transparent background"
    assert (images[..., 3] > 192).any(), "and have an opaque subject"


def test_files_sheet_upscales_and_sidecar(icons, tmp_path):
    steps = []
    made = make_icons(
        icons,
        ImageRequest("a red potion bottle", n=3, seed=5, **FAST),
        tmp_path / "assets" / "potion.png",
        "genls test",
        on_step=lambda done, total: steps.append((done, total)),
    )
    assert steps == [(i, 4) for i in range(1, 5)]
    names = [p.name for p in made.files]
    assert names == [
        "potion-sheet.png",
        "potion-sheet@4x.png",
        "potion-sheet@8x.png",
        "potion-1.png",
        "potion-2.png",
        "potion-3.png",
        "potion.provenance.json",
    ]
    assert files_in(tmp_path / "assets") == sorted(names), "no temporary files left"
    sheet = Image.open(tmp_path / "assets" / "potion-sheet.png")
    assert sheet.mode == "RGBA" and sheet.size == (64, 64)  # 2 x 2 grid of 32 px
    big = np.asarray(Image.open(tmp_path / "assets" / "potion-sheet@4x.png"))
    assert big.shape == (256, 256, 4)
    assert np.array_equal(big[::4, ::4], np.asarray(sheet)), "nearest neighbour, no blur"
    sidecar = json.loads((tmp_path / "assets" / "potion.provenance.json").read_text())
    assert sidecar["model"] == "icons32" and sidecar["model_sha256"] == icons.sha256
    assert sidecar["prompt"] == "a red potion bottle" and sidecar["seed"] == 5
    assert (sidecar["steps"], sidecar["guidance"], sidecar["size"]) == (4, 3.0, 32)
    assert sidecar["generator"] == "genls test" and "CC-BY 4.0" in sidecar["licence"]
    for name, entry in sidecar["files"].items():
        data = (tmp_path / "assets" / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (ImageRequest("   "), "empty"),
        (ImageRequest("a cat", n=0), "between 1 and 64"),
        (ImageRequest("a cat", n=1000), "between 1 and 64"),
        (ImageRequest("a cat", steps=0), "steps"),
        (ImageRequest("a cat", guidance=-1), "guidance"),
    ],
)
def test_bad_requests_are_refused_before_any_work(icons, tmp_path, request_, message):
    with pytest.raises(ImageRequestError, match=message):
        make_icons(icons, request_, tmp_path / "x.png", "genls test")
    assert files_in(tmp_path) == []


def test_wrong_size_for_the_bundled_model_is_refused(icons, tmp_path):
    with pytest.raises(ImageRequestError, match="32x32"):
        make_icons(icons, ImageRequest("a cat", size=64, **FAST), tmp_path / "x.png", "t")


def test_an_unwritable_target_fails_before_sampling(icons, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    calls = []
    with pytest.raises(OutputError, match="not a writable folder"):
        make_icons(
            icons,
            ImageRequest("a cat", **FAST),
            tmp_path / "a-file" / "cat.png",
            "t",
            on_step=lambda d, t: calls.append(d),
        )
    assert calls == []


def test_a_write_that_fails_halfway_leaves_nothing(tmp_path):
    (tmp_path / "blocker").write_text("")
    files = {tmp_path / "ok.png": b"1", tmp_path / "blocker" / "no.png": b"2"}
    with pytest.raises(OutputError):
        write_all(files)
    assert files_in(tmp_path) == ["blocker"]


def test_a_prompt_in_another_script_is_served_with_a_warning(icons, tmp_path):
    made = make_icons(icons, ImageRequest("красное яблоко", **FAST), tmp_path / "a.png", "t")
    assert made.warnings and "English" in made.warnings[0]


def test_cancelling_leaves_nothing(icons, tmp_path):
    steps = []
    with pytest.raises(Cancelled):
        make_icons(
            icons,
            ImageRequest("a cat", n=2, steps=25),
            tmp_path / "out" / "cat.png",
            "t",
            should_stop=lambda: len(steps) >= 2,
            on_step=lambda d, t: steps.append(d),
        )
    assert steps == [1, 2] and files_in(tmp_path) == []


def test_missing_and_corrupt_weights_are_named(tmp_path):
    with pytest.raises(WeightsError, match="not found"):
        load_checkpoint(tmp_path / "icons32.safetensors")
    copy = tmp_path / "icons32.safetensors"
    shutil.copy(bundled_path(), copy)
    shutil.copy(bundled_path().with_suffix(".sha256"), copy.with_suffix(".sha256"))
    data = bytearray(copy.read_bytes())
    data[-100] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="corrupt"):
        load_image_model(str(copy))


def save_tiny_unet(folder: Path, sample_size: int, cross_attention_dim: int | None) -> None:
    """A random 2-level UNet with a DDIM scheduler config, saved as diffusers does:
    text-conditioned (UNet2DConditionModel) when cross_attention_dim is given."""
    from diffusers import DDIMScheduler, UNet2DConditionModel, UNet2DModel

    torch.manual_seed(0)
    common = {
        "sample_size": sample_size,
        "in_channels": 4,
        "out_channels": 4,
        "layers_per_block": 1,
        "block_out_channels": (16, 32),
        "norm_num_groups": 8,
    }
    if cross_attention_dim:
        unet = UNet2DConditionModel(
            **common,
            cross_attention_dim=cross_attention_dim,
            attention_head_dim=8,
            down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
            up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        )
    else:
        unet = UNet2DModel(
            **common,
            down_block_types=("DownBlock2D", "DownBlock2D"),
            up_block_types=("UpBlock2D", "UpBlock2D"),
        )
    unet.save_pretrained(folder / "unet")
    DDIMScheduler(num_train_timesteps=100).save_pretrained(folder / "scheduler")


def tiny_diffusers_folder(folder: Path, conditioned: bool) -> Path:
    """A pixel diffusers model folder as a user would have it (MiniLM-conditioned or not)."""
    save_tiny_unet(folder, sample_size=16, cross_attention_dim=384 if conditioned else None)
    return folder


def no_progress(done: int, total: int) -> None:
    pass


def tiny_stable_diffusion_folder(folder: Path) -> Path:
    """A Stable Diffusion layout (CLIP tokenizer and text encoder, VAE, latent UNet), random
    weights and a byte-level tokenizer vocabulary without merges."""
    from diffusers import AutoencoderKL
    from tokenizers.pre_tokenizers import ByteLevel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    torch.manual_seed(0)
    symbols = sorted(ByteLevel.alphabet())
    vocab = [*symbols, *(s + "</w>" for s in symbols), "<|startoftext|>", "<|endoftext|>"]
    tokenizer = CLIPTokenizer(vocab={t: i for i, t in enumerate(vocab)}, merges=[])
    tokenizer.model_max_length = 16
    tokenizer.save_pretrained(folder / "tokenizer")
    CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(vocab),
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=1,
            num_attention_heads=2,
            max_position_embeddings=16,
            projection_dim=32,
        )
    ).save_pretrained(folder / "text_encoder")
    AutoencoderKL(
        in_channels=3,
        out_channels=3,
        latent_channels=4,
        block_out_channels=(8, 16),
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
        norm_num_groups=8,
        sample_size=16,
    ).save_pretrained(folder / "vae")
    save_tiny_unet(folder, sample_size=8, cross_attention_dim=32)  # latents, CLIP's width
    return folder


def test_a_stable_diffusion_folder_uses_its_text_encoder_and_vae(tmp_path):
    folder = tiny_stable_diffusion_folder(tmp_path / "tiny-sd")
    model = load_image_model(str(folder))
    assert model.size == 16  # latents of 8 decoded x2 by the VAE
    steps = []
    made = make_icons(
        model,
        ImageRequest("a blue gem", n=1, seed=3, steps=2),
        tmp_path / "out" / "gem.png",
        "genls test",
        on_step=lambda d, t: steps.append(d),
    )
    assert steps == [1, 2]
    pixels = np.asarray(Image.open(tmp_path / "out" / "gem.png"))
    assert pixels.shape == (16, 16, 4)
    assert (pixels[..., 3] == 255).all(), "an RGB model's images are opaque"
    # The CLIP text encoder conditions the UNet: another prompt, same seed, another image.
    blue = model.generate(ImageRequest("a blue gem", seed=3, steps=2), lambda: False, no_progress)
    red = model.generate(ImageRequest("a red potion", seed=3, steps=2), lambda: False, no_progress)
    assert not np.array_equal(blue, red)
    assert len(made.files) == 4  # icon, x4, x8, sidecar


@pytest.mark.parametrize("conditioned", [True, False])
def test_a_diffusers_folder_is_pluggable(tmp_path, conditioned):
    folder = tiny_diffusers_folder(tmp_path / "my-model", conditioned)
    model = load_image_model(str(folder))
    request = ImageRequest("a blue gem", n=2, seed=3, steps=3)
    steps = []
    made = make_icons(
        model,
        request,
        tmp_path / "out" / "gem.png",
        "genls test",
        on_step=lambda d, t: steps.append(d),
    )
    assert steps == [1, 2, 3]
    sidecar = json.loads((tmp_path / "out" / "gem.provenance.json").read_text())
    unet_file = folder / "unet" / "diffusion_pytorch_model.safetensors"
    assert sidecar["model"] == "my-model"
    assert sidecar["model_sha256"] == hashlib.sha256(unet_file.read_bytes()).hexdigest()
    assert sidecar["size"] == 16 and len(made.files) == 6  # sheet x3, 2 icons, sidecar
    again = model.generate(request, lambda: False, lambda d, t: None)
    first = np.asarray(Image.open(tmp_path / "out" / "gem-1.png"))
    assert np.array_equal(again[0], first), "the same seed gives the same image"
    with pytest.raises(Cancelled):
        model.generate(request, lambda: True, lambda d, t: None)


def test_a_folder_that_is_not_a_model_is_named(tmp_path):
    with pytest.raises(WeightsError, match="not a diffusers model folder"):
        load_image_model(str(tmp_path))


def genls(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "genls", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


def test_cli_writes_the_files_and_prints_their_paths(tmp_path):
    result = genls(
        "image",
        "a red potion bottle",
        "-n",
        "2",
        "--seed",
        "7",
        "--steps",
        "3",
        "-o",
        "assets/potion.png",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    printed = result.stdout.split()
    assert printed[0].endswith("assets/potion-sheet.png") and len(printed) == 6
    assert all(Path(tmp_path, p).is_file() for p in printed)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["", "-n", "1"], "empty"),
        (["a cat", "-n", "1000"], "between 1 and 64"),
        (["a cat", "-n", "0"], "between 1 and 64"),
    ],
)
def test_cli_bad_input_is_one_clear_line(tmp_path, flags, message):
    result = genls("image", *flags, "-o", "x.png", cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr and files_in(tmp_path) == []


def test_errors_share_one_base_for_callers():
    assert all(
        issubclass(e, ImageError) for e in (ImageRequestError, OutputError, WeightsError, Cancelled)
    )
