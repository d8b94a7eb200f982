"""Text from reporters, analysts and peers, as it may be shown to people.

Such text may hold characters that steer a terminal (clear the screen, move the cursor
back over a line already shown and write over it, hide what follows, retitle the
window) or reorder a line (bidirectional overrides). Wherever it is shown as it is (the
command line's tables and messages, a document written to a terminal), it goes through
`printable`, and the names a new report gives must be printable already.
"""

from __future__ import annotations


def printable(text: str, keep: str = "") -> str:
    """`text` with each character that is not printable (`str.isprintable`: controls,
    format characters, separators other than the space) written as `repr` writes it
    (`\\x1b`, `\\u202e`), but those in `keep`. Printable text is returned as it is."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in keep else repr(c)[1:-1] for c in text)
