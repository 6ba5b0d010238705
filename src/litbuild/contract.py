"""The contract between the engine and the code its chapters run, in one place.

MIME types of the display-bundle entries the engine reads from kernel outputs.
"""

from __future__ import annotations

# A figure's or table's provenance, in its display bundle beside the image or markdown.
PROVENANCE_MIME = "application/vnd.litbuild.provenance+json"
# An inline expression's value: {"text": ..., "info": what `_litbuild_inline_()` returned}.
INLINE_MIME = "application/vnd.litbuild.inline+json"
# The files and project modules a chapter read, sent by the last hidden cell.
READS_MIME = "application/vnd.litbuild.reads+json"
