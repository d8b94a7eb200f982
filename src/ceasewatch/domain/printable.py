"""Text from reporters, analysts and peers, as it may be shown to people.

Such text may hold characters that steer a terminal (clear the screen, move the cursor
back over a line already shown and write over it, hide what follows, retitle the
window) or reorder a line (bidirectional overrides). Wherever it is shown as it is (the
command line's tables and messages, a document written to a terminal), it goes through
`printable`, and the names a new report gives must be printable already.
"""

from __future__ import annotations

import re


def printable(text: str, keep: str = "") -> str:
    """`text` with each character that is not printable (`str.isprintable`: controls,
    format characters, separators other than the space) written as `repr` writes it
    (`\\x1b`, `\\u202e`), but those in `keep`. Printable text is returned as it is."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in keep else repr(c)[1:-1] for c in text)


_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")
"""LRE, RLE, LRO, RLO: each closed by a PDF."""
_ISOLATES = frozenset("\u2066\u2067\u2068")
"""LRI, RLI, FSI: each closed by a PDI."""
_PDF, _PDI = "\u202c", "\u2069"
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def bidi_closed(text: str) -> str:
    """`text` with each bidirectional embedding, override and isolate it leaves open closed
    at its end (as Unicode's bidirectional algorithm pairs them), so that one shown among
    other text cannot reorder what follows it: a name that opens a right-to-left override
    would otherwise turn the words after it around (`A1` would read `1A`). Text with none
    is returned as it is."""
    if _BIDI_CONTROLS.search(text) is None:
        return text
    still_open: list[str] = []
    for c in text:
        if c in _EMBEDDINGS:
            still_open.append(_PDF)
        elif c in _ISOLATES:
            still_open.append(_PDI)
        elif c == _PDF and still_open and still_open[-1] == _PDF:
            still_open.pop()
        elif c == _PDI and _PDI in still_open:
            while still_open.pop() != _PDI:  # closing the isolate closes what it holds
                pass
    return text + "".join(reversed(still_open))
