"""``minigrad.cuda``: what ``torch.cuda`` answers on a machine without a GPU.

``device = "cuda" if torch.cuda.is_available() else "cpu"`` opens many PyTorch programs;
with minigrad it picks the CPU, so the rest of the program runs unchanged.
"""

from __future__ import annotations


def is_available() -> bool:
    """False: minigrad computes on the CPU only."""
    return False


def device_count() -> int:
    """0: no GPU is visible to minigrad."""
    return 0
