"""The report's tables: one function each, from the dataset to a TableResult.

Every cell that comes from data is escaped when the table is rendered (see kzchina.markdown),
so names and topics containing markup characters show as text and never break a table.
"""

from __future__ import annotations

import calendar
import re

import pandas as pd

from kzchina import formatting as F
from kzchina.results import TableResult, traced

_PERIOD_LABEL = {"2022H1": "2022 (first half)"}


def _date(value) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{value.day} {value.strftime('%B')} {value.year}"


_NUMERIC_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b|\b(\d{1,2})\.(\d{4})\b")


def _spelled_dates(text: str) -> str:
    """Write the source's numeric dates (08.12.1966, 08.2013) as the table's other dates are."""

    def spell(m: re.Match) -> str:
        if m.group(4):  # month.year
            month, year = int(m.group(4)), int(m.group(5))
            return f"{calendar.month_name[month]} {year}" if 1 <= month <= 12 else m.group(0)
        first, second, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        day, month = (first, second) if second <= 12 else (second, first)  # 04.24.1969: month first
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return m.group(0)
        return f"{day} {calendar.month_name[month]} {year}"

    return _NUMERIC_DATE.sub(spell, text)


def _result(frame: pd.DataFrame, caption: str, note: str, **kwargs) -> TableResult:
    # Typeset text: number ranges in cells take an en dash (the data keep the printed hyphen).
    text_columns = [
        c
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])
    ]
    frame = frame.assign(
        **{
            c: frame[c].map(lambda v: F.en_dash_ranges(v) if isinstance(v, str) else v)
            for c in text_columns
        }
    )
    return TableResult(frame=frame.reset_index(drop=True), caption=caption, source_note=note,
                       name="", inputs=[], **kwargs)  # fmt: skip


@traced("table")
def foreign_ministers(ds) -> TableResult:
    """Tabulate the PRC's foreign ministers since 1949 with their other positions (Table 1)."""
    ministers = ds.table("foreign_ministers").sort_values("order")
    terms = []
    for r in ministers.itertuples():
        end = _date(r.end_date) or "present"
        term = f"{_date(r.start_date)} \u2013 {end}"
        if pd.notna(r.end_date_alternative):
            term += f" (alternative end date: {_date(r.end_date_alternative)})"
        terms.append(term)
    titles = ministers["title"].fillna("").astype(str)
    names = [f"{n} ({t})" if t else n for n, t in zip(ministers["minister"].astype(str), titles)]
    frame = pd.DataFrame(
        {
            "Minister": names,
            "In office": terms,
            "Other positions during or after the term": [
                _spelled_dates(t) for t in ministers["other_positions"].astype(str)
            ],
        }
    )
    return _result(frame, "Foreign ministers of the People's Republic of China since 1949",
                   f"Source: {ds.report_citation}, Table 1.", align=["l", "l", "l"])  # fmt: skip


@traced("table")
def leading_investors(ds) -> TableResult:
    """Tabulate the leading investor countries in Kazakhstan per year (Table 2)."""
    ranks = ds.table("investor_ranks")
    wide = ranks.pivot(index="rank", columns="year", values="country").sort_index()
    wide.columns = [str(c) for c in wide.columns]
    frame = wide.reset_index().rename(columns={"rank": "Rank"})
    frame = frame.astype({c: str for c in frame.columns if c != "Rank"})
    align = ["r"] + ["l"] * (frame.shape[1] - 1)
    span = f"{ranks['year'].min()}\u2013{ranks['year'].max()}"
    return _result(frame, f"Leading countries by accumulated investment in Kazakhstan, {span}",
                   f"Source: NBK, via {ds.report_citation}, Table 2.", align=align)  # fmt: skip


@traced("table")
def media_topics(ds) -> TableResult:
    """Tabulate the negative and positive topics on Kazakhstan–China relations by year (Table 3)."""
    topics = ds.table("media_topics")
    rows = []
    for period in topics["period"].astype(str).drop_duplicates():
        part = topics[topics["period"].astype(str) == period]
        neg = part[part["tone"] == "negative"].sort_values("topic_order")["topic"].tolist()
        pos = part[part["tone"] == "positive"].sort_values("topic_order")["topic"].tolist()
        for i in range(max(len(neg), len(pos))):
            rows.append(
                {
                    "Period": _PERIOD_LABEL.get(period, period),
                    "No.": i + 1,
                    "Negative topics": neg[i] if i < len(neg) else "",
                    "Positive topics": pos[i] if i < len(pos) else "",
                }
            )
    frame = pd.DataFrame(rows)
    return _result(frame, "Topics of negative and positive reports on Kazakhstan–China relations",
                   f"Source: TALAP media monitoring, via {ds.report_citation}, Table 3.",
                   align=["l", "r", "l", "l"])  # fmt: skip


@traced("table")
def fdi_by_sector(ds) -> TableResult:
    """Tabulate Chinese FDI in Kazakhstan by sector and year, USD million (data of Figure 3)."""
    fdi = ds.table("fdi_by_sector")
    sectors = ds.table("fdi_sectors").sort_values("display_order")
    wide = fdi.pivot(index="sector", columns="year", values="position_usd_mn")
    wide = wide.reindex(sectors["sector"])
    wide.columns = [str(c) for c in wide.columns]
    total = wide.sum(axis=0)
    frame = wide.reset_index(drop=True)
    frame.insert(0, "Sector", sectors["label"].astype(str).values)
    # Rounded to the printed precision: a float sum would carry noise (2847.5299999999997).
    frame.loc[len(frame)] = ["Total (sum of sectors)"] + [round(float(v), 2) for v in total.values]
    formats = {c: F.number(2) for c in frame.columns if c != "Sector"}
    return _result(frame, "Chinese direct investment in Kazakhstan by sector, USD million",
                   f"Source: NBK, via {ds.report_citation}, Figure 3; the total row is derived.",
                   formats=formats)  # fmt: skip


def facts_list(ds=None) -> TableResult:
    """Tabulate every headline fact: id, text as printed, unit and description."""
    # Not @traced: each fact records its own inputs, and recordings must not nest; the
    # table's inputs are the union of the facts' inputs.
    from kzchina.facts import all_facts, default_dataset
    from kzchina.results import code_location, function_name

    ds = default_dataset() if ds is None else ds
    facts = all_facts(ds)
    frame = pd.DataFrame(
        {
            "Fact": [f.fact_id for f in facts],
            "Text": [f.text for f in facts],
            "Unit": [f.unit for f in facts],
            "Description": [f.description for f in facts],
        }
    )
    inputs: list[dict] = []
    for f in facts:
        inputs += [i for i in f.inputs if i not in inputs]
    result = _result(frame, "Every headline fact in this book",
                     "Computed from data/2022 by kzchina.facts.", align=["l", "l", "l", "l"])  # fmt: skip
    result.name = "facts_list"
    result.inputs = sorted(inputs, key=lambda i: i["resource"])
    result.function = function_name(facts_list)
    result.code = code_location(facts_list)
    return result


@traced("table")
def data_notes(ds) -> TableResult:
    """Tabulate every note the data package attaches to a value: resource, row and note."""
    rows = []
    for name in ds.resource_names:
        frame = ds.table(name)
        if "note" not in frame.columns:
            continue
        # The primary key names a row uniquely (the first columns need not: two migration rows
        # share period and partner and differ only in flow).
        key_columns = ds.resource_meta(name).primary_key or list(frame.columns[:3])
        for r in frame[frame["note"].notna() & (frame["note"].astype(str) != "")].itertuples():
            row = r._asdict()
            key = ", ".join(_key_text(row[c]) for c in key_columns)
            rows.append({"Resource": name, "Row": key, "Note": str(row["note"])})
    # One line per distinct note of a resource: a note repeated on many rows is shown once.
    merged: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        merged.setdefault((r["Resource"], r["Note"]), []).append(r["Row"])
    rows = [
        {"Resource": res, "Row": keys[0] + (f" (and {len(keys) - 1} more rows)" if len(keys) > 1
                                             else ""), "Note": note}
        for (res, note), keys in merged.items()
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["Resource", "Row", "Note"])
    return _result(frame, "Notes attached to values in the data package",
                   f"Source: {_folder(ds)} (column note of every resource).",
                   align=["l", "l", "l"])  # fmt: skip


def _folder(ds) -> str:
    """The edition's own data folder, relative to the project (e.g. data/2022)."""
    return ds.folder.relative_to(ds.root).as_posix()


def _key_text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def sources(ds) -> TableResult:
    """Tabulate the sources the data package cites (from datapackage.json)."""
    from kzchina.results import code_location, function_name

    frame = pd.DataFrame(
        [{"Source": s.get("title", ""), "Where": s.get("path", "")} for s in ds.sources],
        columns=["Source", "Where"],
    )
    result = _result(frame, "Sources cited by the data package", f"Source: {_folder(ds)}/datapackage.json.",
                     align=["l", "l"])  # fmt: skip
    result.name = "sources"
    result.inputs = [{"resource": "datapackage.json", "path": ds.descriptor_path.relative_to(
        ds.root).as_posix(), "sha256": _sha256(ds.descriptor_path)}]  # fmt: skip
    result.function = function_name(sources)
    result.code = code_location(sources)
    return result


def _sha256(path) -> str:
    from litbuild.contract import content_sha256

    return content_sha256(path.read_bytes())  # the engine's hash: CRLF read as LF


ALL = [foreign_ministers, leading_investors, media_topics, fdi_by_sector, facts_list, data_notes,
       sources]  # fmt: skip
