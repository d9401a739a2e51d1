"""Train the music model from music21's corpus and write the shipped weights.

    python -m multimodal.audio.train            # the recipe behind weights/music.safetensors
    python -m multimodal.audio.train --steps 50 --out /tmp/m.safetensors   # a smoke run

Fixed seed, fixed held-out split (corpus.is_held_out), fixed step count: the same corpus and
torch version give the same weights on the same hardware. Logs go to stderr; the model card's
figures come from the summary this prints at the end.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from multimodal.audio.card import write_card
from multimodal.audio.checkpoint import WEIGHTS_PATH, save_model
from multimodal.audio.corpus import load_corpus
from multimodal.audio.dataset import TokenWindows, split_tunes
from multimodal.audio.events import Vocabulary
from multimodal.audio.model import MusicModel, MusicModelConfig

SEED = 20261129


def learning_rate(step: int, steps: int, peak: float, warmup: int = 100) -> float:
    """Linear warm-up, then cosine decay to a tenth of the peak."""
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


@torch.no_grad()
def mean_loss(
    model: MusicModel, windows: list[tuple[np.ndarray, np.ndarray]], device: str
) -> float:
    """Token-weighted mean cross-entropy (nats) over the given windows."""
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(windows), 32):
        chunk = windows[i : i + 32]
        x = torch.from_numpy(np.stack([w[0] for w in chunk])).to(device)
        y = torch.from_numpy(np.stack([w[1] for w in chunk])).to(device)
        logits, _ = model(x)
        losses = torch.nn.functional.cross_entropy(
            logits.view(-1, logits.shape[-1]), y.view(-1), ignore_index=-1, reduction="sum"
        )
        total += float(losses)
        count += int((y != -1).sum())
    model.train()
    return total / max(count, 1)


def train(args: argparse.Namespace) -> dict:
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    torch.set_num_threads(args.threads)
    device = "cuda" if torch.cuda.is_available() and not args.cpu else "cpu"
    vocab = Vocabulary()
    config = MusicModelConfig(
        vocab_size=len(vocab),
        block_size=args.block,
        n_layer=args.layers,
        n_head=args.heads,
        n_embd=args.width,
    )
    parts = split_tunes(load_corpus(limit=args.limit))
    train_set = TokenWindows(parts["train"], vocab, config.block_size)
    val_windows = TokenWindows(parts["val"], vocab, config.block_size).covering_windows()
    model = MusicModel(config).to(device)
    print(
        f"{model.parameter_count():,} parameters; tunes train/val/test "
        f"{len(parts['train'])}/{len(parts['val'])}/{len(parts['test'])}; "
        f"{train_set.token_count():,} training tokens; device {device}",
        file=sys.stderr,
    )
    optimiser = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.1)
    started = time.time()
    history = []
    for step in range(args.steps):
        for group in optimiser.param_groups:
            group["lr"] = learning_rate(step, args.steps, args.lr)
        x, y = (torch.from_numpy(a).to(device) for a in train_set.random_batch(rng, args.batch))
        _, loss = model(x, y)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        if step % 50 == 0 or step == args.steps - 1:
            line = f"step {step} train {loss.item():.4f} {time.time() - started:.0f}s"
            if step % args.eval_every == 0 or step == args.steps - 1:
                # a fixed sample along the way; every validation window at the end
                sample = val_windows if step == args.steps - 1 else val_windows[::4]
                val = mean_loss(model, sample, device)
                history.append({"step": step, "train": round(loss.item(), 4), "val": round(val, 4)})
                line += f" val {val:.4f}"
            print(line, file=sys.stderr, flush=True)
    seconds = time.time() - started
    summary = {
        "parameters": model.parameter_count(),
        "config": config.as_dict(),
        "steps": args.steps,
        "batch": args.batch,
        "peak_lr": args.lr,
        "seed": SEED,
        "tunes": {name: len(tunes) for name, tunes in parts.items()},
        "styles": dict(sorted(Counter(t.style for t in parts["train"]).items())),
        "music21": music21_version(),
        "training_tokens": train_set.token_count(),
        "final_train_loss": history[-1]["train"],
        "final_val_loss": history[-1]["val"],
        "val_perplexity": round(math.exp(history[-1]["val"]), 3),
        "history": history,
        "train_seconds": round(seconds),
        "hardware": f"{platform.machine()} with {os.cpu_count()} CPUs, {device}, "
        f"{args.threads} torch thread(s)",
        "torch": torch.__version__,
    }
    digest = save_model(model.cpu(), args.out, {"training": json.dumps(summary)})
    summary["sha256"] = digest
    if args.out == WEIGHTS_PATH:
        write_card(summary)
    return summary


def music21_version() -> str:
    import music21

    return music21.__version__


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=900)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--block", type=int, default=256)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--eval-every", type=int, default=150, dest="eval_every")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--limit", type=int, help="parse only the first N corpus tunes")
    parser.add_argument("--cpu", action="store_true", help="even when a GPU is present")
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    summary = train(parser.parse_args(argv))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
