"""MODEL_CARD.md for the shipped weights, written by train.py from its own summary."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any

CARD_PATH = Path(str(files(__package__) / "MODEL_CARD.md"))  # package data


def model_card(summary: dict[str, Any]) -> str:
    config = summary["config"]
    tunes = summary["tunes"]
    styles = ", ".join(f"{style} {count}" for style, count in summary["styles"].items())
    history = "\n".join(
        f"| {row['step']} | {row['train']:.3f} | {row['val']:.3f} |" for row in summary["history"]
    )
    layout = (
        f"{config['n_layer']} layers, {config['n_head']} heads, width {config['n_embd']}, "
        f"context {config['block_size']} tokens"
    )
    return f"""# genls music model (genls-music-events-v1)

A {summary["parameters"]:,}-parameter decoder-only transformer (nanoGPT-style: {layout})
over symbolic melody events. It writes **melodies only**. Harmony, bass and drums are
**rule-based** (`accompany.py`: a diatonic triad per bar or half bar chosen to fit the
melody, cadence rules, bass on roots and fifths, a drum pattern per meter).

## Tokens

`BOS STYLE MODE METER TEMPO`, then per bar `BAR (POS PITCH DUR)*`, then `EOS`: positions and
durations in sixteenths, pitches relative to the tonic (MIDI 60 = tonic), so the key is a
transposition at render time and the model learns once for all keys (no transposition
augmentation is needed). Styles: folk, chorale, reel, jig, hornpipe, air; modes major and
minor (by music21's key analysis); 11 meters; tempo slow (< 80 bpm), moderate, fast (>= 120).
Decoding is constrained so bars are well formed (`sample.py`).

## Data

Melodies from the scores that ship inside the `music21` {summary["music21"]} wheel
(`music21/corpus`), parsed by `corpus.py`; tunes with meter changes, unsupported meters or
notes outside MIDI 48-96 after transposition are skipped.

- `essenFolksong`, the Essen folk song collection (ABC by Seymour Schlien), labelled folk:
  permission for non-commercial distribution and use in music21
  (corpus/essenFolksong/license.txt).
- `oneills1850`, O'Neill's *Music of Ireland* (1903, "the 1850"), labelled reel, jig,
  hornpipe or air by its R: field (untagged tunes marked slow count as airs): public-domain
  tunes, transcribed by Norbert Paap, distributed with music21.
- `ryansMammoth`, *Ryan's Mammoth Collection* (1883), labelled reel, jig or hornpipe:
  public-domain tunes, ABC contributed to music21.
- `bach`, the J. S. Bach chorales (soprano line), labelled chorale: public domain,
  encodings distributed with music21.

music21's corpus licence (corpus/license.txt): works are out of copyright in the US or
licensed for use, with possible restrictions on commercial use. The Essen encodings are
permitted for **non-commercial** use: treat these weights as non-commercial.

Tunes used: {tunes["train"]} train, {tunes["val"]} validation, {tunes["test"]} test
(5% each held out, fixed by a CRC32 of the tune's source name, `corpus.is_held_out`);
{summary["training_tokens"]:,} training tokens. By style: {styles}.

## Training recipe

`python -m multimodal.audio.train` (seed {summary["seed"]}): AdamW (weight decay 0.1), peak
learning rate {summary["peak_lr"]}, 100 warm-up steps then cosine decay to a tenth,
{summary["steps"]} steps of {summary["batch"]} windows x {config["block_size"]} tokens, dropout
{config["dropout"]}, gradient clipping 1.0. Windows start at a barline (half of them at the tune's
start) and always carry the tune's conditioning prefix. Weights are stored as float16
safetensors; the sha256 in `weights/music.safetensors.sha256` is checked on every load.

Hardware: {summary["hardware"]}, torch {summary["torch"]}; {summary["train_seconds"]} s.

| step | train loss | validation loss |
| --- | --- | --- |
{history}

Final validation perplexity {summary["val_perplexity"]} per token (sha256 `{summary["sha256"]}`).
Test-split perplexity against unigram and n-gram baselines: `genls bench music`
(bench/results/music.json).

## Limits

One melodic line per piece; the accompaniment does not come from the model. The corpus is
European and Irish folk and chorale melody: other styles are refused rather than faked.
"""


def write_card(summary: dict[str, Any], path: Path = CARD_PATH) -> None:
    path.write_text(model_card(summary))
