"""The daily report shows what reports say as text: no renderer of it finds HTML or links.

Report text, source names and the ceasefire's name come from outside; a report that says
`<script>` must not put a script into the Markdown report's HTML, nor `[x](javascript:..)`
a link. A store on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from builders import write_jsonl
from ceasewatch.reports import daily, render
from ceasewatch.reports.daily import DailyReport
from ceasewatch.services.ingest import ingest
from ceasewatch.services.setup import add_ceasefire
from ceasewatch.services.system import System

SCRIPT = "<script>alert(1)</script>"
LINK = "[x](javascript:alert(1))"
CEASEFIRE = (
    "id: cf-1\nname: 'One <em>truce</em>'\nparties: [RU, UA]\n"
    "effective_from: 2026-03-01T00:00:00Z\n"
)


@pytest.fixture
def report(system: System, tmp_path: Path) -> DailyReport:
    """A day with one violation, reported by `<b>omm</b>` in the words SCRIPT and LINK."""
    (tmp_path / "cf.yaml").write_text(CEASEFIRE)
    add_ceasefire(system, tmp_path / "cf.yaml")
    record = {
        "id": "r-1",
        "source": "<b>omm</b>",
        "occurred_at": "2026-03-02T10:00:00Z",
        "lat": 48.0,
        "lon": 37.8,
        "event_type": "artillery",
        "perpetrator": "RU",
        "text": f"{SCRIPT} and {LINK} | *loud* & `code`\n# not a heading",
    }
    ingest(system, [str(write_jsonl(tmp_path / "reports.jsonl", [record]))], trusted=True)
    return daily.build(system, date(2026, 3, 2))


def permissive_markdown_to_html(text: str) -> str:
    """A CommonMark renderer (markdown-it-py, as rich brings it) that passes raw HTML and
    takes every link, as many renderers do: whatever survives escaping shows here."""
    markdown_it = pytest.importorskip("markdown_it")
    renderer = markdown_it.MarkdownIt("commonmark").enable("table")
    renderer.validateLink = lambda _url: True
    rendered: str = renderer.render(text)
    return rendered


def test_report_text_in_the_markdown_report_is_escaped(report: DailyReport):
    text = render.markdown(report)

    assert SCRIPT not in text and LINK not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert r"\[x\](javascript:alert(1))" in text
    assert r"\<b\>" not in text and "&lt;b&gt;omm&lt;/b&gt;" in text
    assert "# not a heading" not in text.splitlines()


def test_the_markdown_report_renders_to_html_without_markup_from_reports(report: DailyReport):
    page = permissive_markdown_to_html(render.markdown(report))

    assert "<script" not in page and "<a " not in page
    assert "<b>" not in page and "<em>" not in page and "<code>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; and [x](javascript:alert(1))" in page
    assert "| *loud* &amp; `code` # not a heading" in page
    assert "&lt;b&gt;omm&lt;/b&gt;:" in page
    assert "One &lt;em&gt;truce&lt;/em&gt;" in page


def test_the_html_report_escapes_report_text(report: DailyReport):
    page = render.html(report)

    assert "<script>alert" not in page and "<b>omm" not in page and "<em>truce" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;omm&lt;/b&gt;" in page and "One &lt;em&gt;truce&lt;/em&gt;" in page
