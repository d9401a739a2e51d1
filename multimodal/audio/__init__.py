"""Audio assets: a small symbolic music model with rule-based accompaniment, a numpy
synthesiser, and sfxr-style game sound effects. Never imports genls.server."""
