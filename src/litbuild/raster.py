"""PNG copies of SVG figures, drawn by the build instead of inside the chapter's kernel.

A chapter that wants a PNG beside its SVG (for a standalone figures folder, say) adds a
`application/vnd.litbuild.raster+json` entry `{"dpi": N}` to the figure's display bundle. The
kernel then only renders the SVG, which the pages and the PDF use; the PNG is rasterised from
those SVG bytes with resvg (a pinned, self-contained renderer: same bytes on every machine).
PNGs are kept by the hash of their SVG, so an unchanged figure is never drawn twice.

resvg holds Python's interpreter lock while it draws (0.2-0.4 s a figure): drawn in a thread of
the build process, it stalled the event loop that drives the kernels. So a child process draws.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from . import processes
from .contract import RASTER_MIME
from .errors import BuildError

__all__ = [
    "RASTER_MIME",
    "RasterCache",
    "RasterJob",
    "draw_pngs",
    "rasterize",
    "requested_dpi",
    "svg_to_png",
]

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


# The child: (svg, dpi) pairs pickled on stdin, the PNGs pickled on stdout.
_DRAW = """
import os, pickle, sys
from litbuild.raster import svg_to_png
jobs = pickle.loads(sys.stdin.buffer.read())
sys.stdout.buffer.write(pickle.dumps([svg_to_png(svg, dpi) for svg, dpi in jobs]))
sys.stdout.buffer.flush()
os._exit(0)  # skip tearing down the interpreter: the build is waiting
"""
RESVG_HINT = "resvg comes with the pinned `resvg-py` package: run `make report`"


def draw_pngs(jobs: list[RasterJob], timeout: float | None = 300.0) -> list[bytes]:
    """PNG bytes for each job, drawn in one child process (which ends with the build)."""
    if not jobs:
        return []
    proc = processes.run(
        [sys.executable, "-c", _DRAW],
        pickle.dumps([(job.svg, job.dpi) for job in jobs]),
        timeout,
        "drawing the PNG copies of figures",
        "resvg",
        RESVG_HINT,
    )
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BuildError(
            "drawing the PNG copies of figures failed: "
            + (message[-1] if message else f"exit code {proc.returncode}")
        )
    return pickle.loads(proc.stdout)  # our own child's output


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
        return self.pngs([job])[0]

    def pngs(self, jobs: list[RasterJob]) -> list[bytes]:
        """The PNGs for several jobs; those no earlier build drew are drawn in one child."""
        keys = [self._key(job) for job in jobs]
        found = {key: self._memory.get(key) or self._read(key) for key in keys}
        missing = {key: job for key, job in zip(keys, jobs) if found[key] is None}
        for key, data in zip(missing, draw_pngs(list(missing.values()))):
            self._write(key, data)
            found[key] = data
        self._memory.update(found)
        return [found[key] for key in keys]

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
    return dict(zip(jobs, cache.pngs(list(jobs.values()))))
