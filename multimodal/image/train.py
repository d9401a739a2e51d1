"""Train the icon model: `python -m multimodal.image.train --minutes 45 [--resume]`.

Reproducible: a fixed seed drives initialisation, batches, noise and prompt dropout, and
the step count is the only state a resumed run needs (optimizer moments re-warm; the run
restarts from the shipped EMA weights). The shipped file holds the EMA weights, which sample
better than the raw ones after short training.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from multimodal.image.dataset import is_held_out, load_icons
from multimodal.image.diffusion import add_noise
from multimodal.image.model import UNet, UNetConfig
from multimodal.image.pixels import to_model
from multimodal.image.weights import bundled_path, load_checkpoint, parameter_count, save_checkpoint

log = logging.getLogger("multimodal.image.train")
PROMPT_DROPOUT = 0.12  # classifier-free guidance: learn the unconditioned model too


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=45.0, help="wall-time budget")
    parser.add_argument("--max-steps", type=int, default=0, help="stop after this many (0: none)")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=8e-4)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--ema", type=float, default=0.995)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--save-every", type=int, default=500)
    parser.add_argument("--resume", action="store_true", help="continue from --out")
    parser.add_argument("--out", type=Path, default=bundled_path())
    return parser.parse_args(argv)


def train(args: argparse.Namespace) -> None:
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    icons = load_icons(32)
    keep = np.array([not is_held_out(i) for i in range(len(icons.captions))])
    images = to_model(icons.pixels[keep])
    texts = torch.from_numpy(icons.embeddings[keep])
    info = {"steps": 0, "minutes": 0.0, "seed": args.seed, "images": int(keep.sum())}
    if args.resume:
        model, info, _ = load_checkpoint(args.out, verify=False)
        model.train()
    else:
        model = UNet(UNetConfig())
    ema = copy.deepcopy(model).eval().requires_grad_(False)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.0)
    # One generator per run, seeded by where the run starts: a resumed run draws new batches.
    generator = torch.Generator().manual_seed(args.seed + info["steps"])
    log.info(
        "%d parameters, %d training images, starting at step %d",
        parameter_count(model),
        len(images),
        info["steps"],
    )
    started, steps_at_start, minutes_before = time.monotonic(), info["steps"], info["minutes"]
    smoothed = None
    step = info["steps"]
    while True:
        elapsed = (time.monotonic() - started) / 60
        done = step - steps_at_start
        if elapsed >= args.minutes or (args.max_steps and done >= args.max_steps):
            break
        warm = min(1.0, (done + 1) / args.warmup)
        for group in optimizer.param_groups:
            group["lr"] = args.lr * warm
        index = torch.randint(len(images), (args.batch,), generator=generator)
        x0 = images[index]
        flip = torch.rand(args.batch, generator=generator) < 0.5
        x0 = torch.where(flip[:, None, None, None], x0.flip(-1), x0)
        text = texts[index]
        drop = torch.rand(args.batch, generator=generator) < PROMPT_DROPOUT
        text = torch.where(drop[:, None], torch.zeros_like(text), text)
        t = torch.rand(args.batch, generator=generator)
        noise = torch.randn(x0.shape, generator=generator)
        x_t, v = add_noise(x0, noise, t)
        loss = F.mse_loss(model(x_t, t, text), v)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        with torch.no_grad():
            decay = min(args.ema, (1 + done) / (10 + done))  # a short run still averages
            for e, p in zip(ema.parameters(), model.parameters(), strict=True):
                e.lerp_(p, 1 - decay)
        step += 1
        smoothed = loss.item() if smoothed is None else 0.98 * smoothed + 0.02 * loss.item()
        if step % 50 == 0:
            log.info(
                "step %d loss %.4f (smoothed %.4f) %.1f min", step, loss.item(), smoothed, elapsed
            )
        if step % args.save_every == 0:
            _save(args.out, ema, info, step, minutes_before + elapsed, smoothed)
    _save(args.out, ema, info, step, minutes_before + (time.monotonic() - started) / 60, smoothed)


def _save(path: Path, ema: UNet, info: dict, step: int, minutes: float, loss: float | None) -> None:
    info.update(
        steps=step, minutes=round(minutes, 1), loss=None if loss is None else round(loss, 4)
    )
    digest = save_checkpoint(path, ema, info)
    log.info("saved %s at step %d (sha256 %s) %s", path, step, digest[:12], json.dumps(info))


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    train(parse_args(argv))


if __name__ == "__main__":
    main()
