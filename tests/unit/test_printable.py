"""Text shown among other text closes the bidirectional overrides it opens, so that it
cannot reorder what follows it on the line (Unicode's bidirectional algorithm, UAX #9)."""

from __future__ import annotations

import pytest

from ceasewatch.domain.printable import bidi_closed

RLO, LRE, PDF = "\u202e", "\u202a", "\u202c"
RLI, FSI, PDI = "\u2067", "\u2068", "\u2069"


def test_text_without_bidirectional_controls_is_the_same_text():
    text = "omm-3 · Запоріжжя · مراقب"

    assert bidi_closed(text) is text


@pytest.mark.parametrize(
    ("text", "closed"),
    [
        (f"omm{RLO}", f"omm{RLO}{PDF}"),
        (f"a{RLO}b{LRE}c", f"a{RLO}b{LRE}c{PDF}{PDF}"),
        (f"{RLI}a", f"{RLI}a{PDI}"),
        (f"{RLI}a{RLO}b", f"{RLI}a{RLO}b{PDF}{PDI}"),
        (f"{FSI}a{RLO}b{PDI}c", f"{FSI}a{RLO}b{PDI}c"),
    ],
    ids=["override", "two embeddings", "isolate", "override in an isolate", "isolate closed"],
)
def test_each_override_left_open_is_closed_at_the_end(text: str, closed: str):
    assert bidi_closed(text) == closed


def test_what_the_text_closes_itself_stays_closed():
    text = f"a{RLO}b{PDF}c"

    assert bidi_closed(text) == text


@pytest.mark.parametrize(
    "stray", [PDF, PDI, f"{RLI}{PDF}{PDI}"], ids=["PDF", "PDI", "PDF in isolate"]
)
def test_a_closer_with_nothing_to_close_closes_nothing(stray: str):
    """A PDF closes only an embedding opened in the same isolate; a PDI only an isolate."""
    assert bidi_closed(f"a{stray}b") == f"a{stray}b"


def test_an_isolate_closed_closes_the_overrides_it_held():
    assert bidi_closed(f"{RLI}{RLO}a{PDI}{RLO}") == f"{RLI}{RLO}a{PDI}{RLO}{PDF}"
