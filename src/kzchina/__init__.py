"""The TALAP China-in-Kazakhstan report: data access, figures, tables and headline facts.

Chapters start with ``from kzchina import load, fact, figures, tables``. Importing the package
is light (pandas only): matplotlib is imported when the first figure is drawn.
"""

from __future__ import annotations

__all__ = ["all_facts", "claim", "fact", "load"]


def load(edition: str | None = None, root=None):
    """Open the data package: the dataset shared with `fact()`, of `edition` when given."""
    if root is None:
        from kzchina.facts import default_dataset, use_edition

        return default_dataset() if edition is None else use_edition(edition)
    from kzchina.data import load as load_edition

    return load_edition(edition, root)


def fact(fact_id: str, ds=None):
    """Return one headline fact (a str with provenance); see kzchina.facts."""
    from kzchina.facts import fact as compute

    return compute(fact_id, ds)


def all_facts(ds=None):
    """Return every registered fact."""
    from kzchina.facts import all_facts as compute

    return compute(ds)


def claim(claim_id: str, ds=None):
    """Declare that a claim about the data holds (renders as nothing); see kzchina.claims."""
    from kzchina.claims import claim as evaluate

    return evaluate(claim_id, ds)
