"""Parse a .qmd chapter: YAML front matter, markdown, ```{python} cells with #| options, inline code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .yamltext import YAML_ERRORS, load_yaml

CELL_OPEN = re.compile(r"^(?P<fence>`{3,})\s*\{(?P<lang>[A-Za-z0-9_-]+)(?P<attrs>[^}]*)\}\s*$")
OTHER_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})")
# Quarto's inline code: `{python} expr`, single backticks.
INLINE = re.compile(r"`\{python\}\s+(?P<expr>[^`]+?)\s*`")


@dataclass
class CodeCell:
    """One executable cell: its code, its #| options and where it stands in the .qmd."""

    index: int
    source: str  # the code without the #| option lines
    options: dict[str, Any]
    first_line: int  # line of the opening fence, 1-based
    last_line: int  # line of the closing fence


@dataclass
class InlineExpr:
    """One inline `{python} expr`, numbered in document order."""

    index: int
    expr: str
    line: int


@dataclass
class MarkdownBlock:
    """Markdown between cells; inline expressions are replaced by placeholder tokens."""

    text: str
    first_line: int
    inlines: list[InlineExpr] = field(default_factory=list)


@dataclass
class Chapter:
    """A parsed chapter: front matter plus markdown blocks and cells, in document order."""

    path: str  # relative to the project root
    front_matter: dict[str, Any]
    blocks: list[MarkdownBlock | CodeCell]
    source_text: str

    @property
    def cells(self) -> list[CodeCell]:
        return [b for b in self.blocks if isinstance(b, CodeCell)]

    @property
    def inlines(self) -> list[InlineExpr]:
        return [i for b in self.blocks if isinstance(b, MarkdownBlock) for i in b.inlines]

    @property
    def needs_kernel(self) -> bool:
        return bool(self.cells or self.inlines)


def inline_token(index: int) -> str:
    """Placeholder for inline value `index`: letters and digits only, so pandoc keeps it whole."""
    return f"LBINLINE{index:04d}X"


def _split_front_matter(text: str, path: str) -> tuple[dict[str, Any], list[str], int]:
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":
        for end in range(1, len(lines)):
            if lines[end].strip() in ("---", "..."):
                try:
                    meta = load_yaml("\n".join(lines[1:end])) or {}
                except YAML_ERRORS as exc:
                    raise ConfigError(
                        f"{path}:1: invalid YAML front matter: {_yaml_message(exc)}"
                    ) from None
                if not isinstance(meta, dict):
                    raise ConfigError(f"{path}:1: front matter must be a YAML mapping")
                return meta, lines[end + 1 :], end + 1
        raise ConfigError(f"{path}:1: front matter is not closed with '---'")
    return {}, lines, 0


def _cell_options(body: list[str], path: str, line: int) -> tuple[dict[str, Any], list[str]]:
    option_lines = []
    rest = list(body)
    while rest and rest[0].lstrip().startswith("#|"):
        option_lines.append(rest.pop(0).lstrip()[2:])
    if not option_lines:
        return {}, rest
    try:
        options = load_yaml("\n".join(option_lines)) or {}
    except YAML_ERRORS as exc:
        raise ConfigError(
            f"{path}:{line}: invalid '#|' cell options: {_yaml_message(exc)}"
        ) from None
    if not isinstance(options, dict):
        raise ConfigError(f"{path}:{line}: '#|' cell options must be 'key: value' lines")
    label = options.get("label")
    if label is not None and not (
        isinstance(label, str) and LABEL.fullmatch(label) and ".." not in label
    ):
        raise ConfigError(
            f"{path}:{line}: label {label!r}: expected letters, digits, '-', '_', "
            "'.' or ':' (a label names output files, so no '/' or '..')"
        )
    return options, rest


# Quarto's labels are identifiers; they also become file names, so no path separators.
LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]*")


def _yaml_message(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc)


def parse_chapter(text: str, path: str) -> Chapter:
    """Split a chapter into blocks; raise ConfigError naming file and line on malformed input."""
    front_matter, lines, offset = _split_front_matter(text, path)
    blocks: list[MarkdownBlock | CodeCell] = []
    markdown: list[str] = []
    markdown_start = offset + 1
    inline_count = 0

    def flush_markdown(next_line: int) -> None:
        nonlocal markdown, markdown_start, inline_count
        if markdown:
            block = MarkdownBlock("", markdown_start)
            out = []
            in_fence: str | None = None
            for n, raw in enumerate(markdown):
                fence = OTHER_FENCE.match(raw.lstrip())
                if in_fence:
                    if fence and raw.lstrip().startswith(in_fence):
                        in_fence = None
                    out.append(raw)
                    continue
                if fence:
                    in_fence = fence.group("fence")
                    out.append(raw)
                    continue

                def replace(match: re.Match, line_no: int = markdown_start + n) -> str:
                    nonlocal inline_count
                    block.inlines.append(InlineExpr(inline_count, match.group("expr"), line_no))
                    inline_count += 1
                    return inline_token(inline_count - 1)

                out.append(INLINE.sub(replace, raw))
            block.text = "\n".join(out)
            blocks.append(block)
        markdown = []
        markdown_start = next_line

    i = 0
    while i < len(lines):
        line_no = offset + i + 1
        match = CELL_OPEN.match(lines[i])
        other = OTHER_FENCE.match(lines[i])
        if match and match.group("lang") == "python":
            fence = match.group("fence")
            j = i + 1
            closing = re.compile(rf"^`{{{len(fence)},}}\s*$")
            while j < len(lines) and not closing.match(lines[j]):
                j += 1
            if j >= len(lines):
                raise ConfigError(f"{path}:{line_no}: code cell is not closed with {fence}")
            flush_markdown(line_no)
            options, body = _cell_options(lines[i + 1 : j], path, line_no)
            blocks.append(
                CodeCell(
                    len([b for b in blocks if isinstance(b, CodeCell)]),
                    "\n".join(body).strip("\n"),
                    options,
                    line_no,
                    offset + j + 1,
                )
            )
            i = j + 1
            markdown_start = offset + i + 1
            continue
        if match:
            raise ConfigError(
                f"{path}:{line_no}: unsupported cell language '{match.group('lang')}'"
                " (the builtin engine runs python cells only)"
            )
        if other:  # a plain fenced block: copy it whole, never look for inline code inside
            fence = other.group("fence")
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(fence):
                j += 1
            markdown.extend(lines[i : j + 1])
            i = j + 1
            continue
        markdown.append(lines[i])
        i += 1
    flush_markdown(offset + len(lines) + 1)
    _attach_float_divs(blocks, path)
    return Chapter(path, front_matter, blocks, text)


# Quarto's other way to caption a computed figure or table: a div carrying the label, holding the
# cell, with the caption as the div's last paragraph. That caption is markdown, so it may hold
# inline values: a caption that names data periods can follow the data.
FLOAT_DIV_OPEN = re.compile(
    r"^(?P<colons>:{3,})\s*\{#(?P<label>(?:fig|tbl)-[A-Za-z0-9_.:-]+)\s*\}\s*$"
)
DIV_CLOSE = re.compile(r"^:{3,}\s*$")


def _attach_float_divs(blocks: list[MarkdownBlock | CodeCell], path: str) -> None:
    """Give a cell inside a `::: {#fig-x}` div the div's label and caption; drop the div's lines.

    The div's lines become blank lines, so every later line keeps its number.
    """
    for k, cell in enumerate(blocks):
        if not isinstance(cell, CodeCell) or k == 0 or k + 1 >= len(blocks):
            continue
        before, after = blocks[k - 1], blocks[k + 1]
        if not isinstance(before, MarkdownBlock) or not isinstance(after, MarkdownBlock):
            continue
        above = before.text.split("\n")
        last = max((n for n, line in enumerate(above) if line.strip()), default=None)
        opening = FLOAT_DIV_OPEN.match(above[last].strip()) if last is not None else None
        if not opening:
            continue
        label = opening.group("label")
        where = f"{path}:{before.first_line + last}"
        if "label" in cell.options:
            raise ConfigError(
                f"{where}: the cell in div #{label} has its own label "
                f"{cell.options['label']!r}: label the div or the cell, not both"
            )
        below = after.text.split("\n")
        close = next((n for n, line in enumerate(below) if DIV_CLOSE.match(line.strip())), None)
        if close is None:
            raise ConfigError(f"{where}: div #{label} is not closed with ':::' after its cell")
        text = [line.strip() for line in below[:close]]
        while text and not text[0]:
            text.pop(0)
        while text and not text[-1]:
            text.pop()
        if "" in text:
            raise ConfigError(
                f"{where}: div #{label} holds more than its cell and one caption "
                "paragraph (the builtin engine supports only that form)"
            )
        caption = " ".join(text)
        cap_key = "fig-cap" if label.startswith("fig-") else "tbl-cap"
        if cap_key in cell.options:
            raise ConfigError(
                f"{where}: div #{label} has a caption paragraph and its cell a "
                f"'{cap_key}' option: keep one"
            )
        if not caption:
            raise ConfigError(
                f"{where}: div #{label} has no caption: write it as the div's "
                "last paragraph, after the cell"
            )
        cell.options = {**cell.options, "label": label, cap_key: caption}
        above[last] = ""
        before.text = "\n".join(above)
        after.text = "\n".join([""] * (close + 1) + below[close + 1 :])


def read_chapter(root: Path, path: str) -> Chapter:
    """Read and parse one chapter file of the project."""
    file = root / path
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid UTF-8 ({exc})") from exc
    return parse_chapter(text, path)
