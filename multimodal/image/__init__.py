"""Image assets: a small text-conditioned pixel-space diffusion model for icons and sprites.

dataset.py (Twemoji icons + captions) -> model.py (UNet) + diffusion.py (noise schedule)
-> train.py; sampler.py (DDIM with classifier-free guidance) -> generate.py (prompt to
RGBA pixels, bundled or diffusers model) -> output.py (PNG, sprite sheet, upscales, sidecar).
"""
