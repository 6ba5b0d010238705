"""PNG copies of SVG figures, drawn by the build process instead of inside the chapter's kernel.

A chapter that wants a PNG beside its SVG (for a standalone figures folder, say) adds a
`application/vnd.litbuild.raster+json` entry `{"dpi": N}` to the figure's display bundle. The
kernel then only renders the SVG, which the pages and the PDF use; the PNG is rasterised from
those SVG bytes with resvg (a pinned, self-contained renderer: same bytes on every machine).
PNGs are kept by the hash of their SVG, so an unchanged figure is never drawn twice.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .contract import RASTER_MIME

__all__ = ["RASTER_MIME", "RasterCache", "RasterJob", "rasterize", "requested_dpi", "svg_to_png"]

DEFAULT_DPI = 96.0


@dataclass(frozen=True)
class RasterJob:
    """One PNG to make: the SVG it shows and the resolution."""

    svg: bytes
    dpi: float


def requested_dpi(hint: object) -> float:
    """The resolution a raster hint asks for, or the default when it names none usable."""
    dpi = hint.get("dpi") if isinstance(hint, Mapping) else None
    if isinstance(dpi, int | float) and 0 < dpi <= 1200:
        return float(dpi)
    return DEFAULT_DPI


def svg_to_png(svg: bytes, dpi: float) -> bytes:
    """Rasterise SVG bytes to PNG; system fonts are not consulted, so output is the same anywhere."""
    import resvg_py

    return resvg_py.svg_to_bytes(svg_string=svg.decode("utf-8"), dpi=dpi, skip_system_fonts=True)


class RasterCache:
    """PNG bytes by (SVG hash, dpi), in memory and (optionally) in a folder of the project cache."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder
        self._memory: dict[str, bytes] = {}

    def _key(self, job: RasterJob) -> str:
        from importlib.metadata import version

        digest = hashlib.sha256(job.svg)
        digest.update(f"\0{job.dpi}\0{version('resvg-py')}".encode())
        return digest.hexdigest()

    def png(self, job: RasterJob) -> bytes:
        """The PNG for a job, drawn only if no earlier build drew the same one."""
        key = self._key(job)
        if key in self._memory:
            return self._memory[key]
        data = self._read(key)
        if data is None:
            data = svg_to_png(job.svg, job.dpi)
            self._write(key, data)
        self._memory[key] = data
        return data

    def _read(self, key: str) -> bytes | None:
        if self.folder is None:
            return None
        try:
            data = (self.folder / f"{key}.png").read_bytes()
        except OSError:
            return None
        return data if data.startswith(b"\x89PNG\r\n\x1a\n") else None  # damaged: draw again

    def _write(self, key: str, data: bytes) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{key}.png"
        tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, target)


def rasterize(jobs: Mapping[str, RasterJob], cache: RasterCache) -> dict[str, bytes]:
    """PNG bytes for every output path in `jobs`."""
    return {path: cache.png(job) for path, job in jobs.items()}
