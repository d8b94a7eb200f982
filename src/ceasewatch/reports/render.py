"""The daily report as HTML (one file, figures inline), PDF (WeasyPrint) or Markdown.

PDF is the HTML printed by WeasyPrint: one template for both, so they say the same. The
figures are PNG from matplotlib, inline as data URIs; Markdown links them as files
written beside it.

Report text, source names, parties and the policy's titles come from outside: the HTML
template escapes them (autoescape) and Markdown puts each through `md_text`, so that no
renderer of the Markdown finds HTML, links or emphasis in them.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from ..timezones import zone
from .daily import SEVERAL, DailyReport, Tally
from .figures import daily_chart, oblast_map

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("ceasewatch.reports", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot run here (its Pango libraries are missing)."""


_MD_ACTIVE = re.compile(r"([\\`*_\[\]|~])")
"""What makes Markdown of text inline: code, emphasis, links and images, table cells, strikes."""


def md_text(value: object) -> str:
    """`value` as Markdown that reads as the text itself: on one line, `&`, `<` and `>` as
    HTML entities (a backslash before `<` does not stop every renderer's raw HTML), and
    Markdown's inline punctuation backslash-escaped."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_ACTIVE.sub(r"\\\1", text)


def title(report: DailyReport) -> str:
    return f"Daily situation report · {report.ceasefire.name} · {report.day.isoformat()}"


def _localiser(report: DailyReport) -> Callable[[datetime], str]:
    local = zone(report.tz)

    def show(at: datetime) -> str:
        return at.astimezone(local).strftime("%Y-%m-%d %H:%M")

    return show


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def _mean(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _ordered(tallies: dict[str, Tally]) -> list[tuple[str, Tally]]:
    return sorted(tallies.items(), key=lambda kv: (-kv[1].last_24h, -kv[1].total, kv[0]))


def tables(report: DailyReport) -> list[tuple[str, list[tuple[str, Tally]]]]:
    return [
        ("By oblast", _ordered(report.by_area)),
        ("By type", _ordered(report.by_type)),
        ("By party", _ordered(report.by_party)),
    ]


def figures(report: DailyReport) -> tuple[bytes, bytes]:
    """The daily chart and the map, as PNG."""
    parties = sorted(report.by_party)
    return daily_chart(report.series, parties), oblast_map(report.last_24h, parties)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def html(report: DailyReport) -> str:
    chart, map_ = figures(report)
    return _ENV.get_template("daily.html.j2").render(**_context(report, chart, map_))


def _context(report: DailyReport, chart: bytes, map_: bytes) -> dict[str, Any]:
    return {
        "report": report,
        "title": title(report),
        "cf": report.ceasefire,
        "day": report.day.isoformat(),
        "tz": report.tz,
        "w": report.windows,
        "o": report.overall,
        "tables": tables(report),
        "several": SEVERAL,
        "chart": _data_uri(chart),
        "map": _data_uri(map_),
        "local": _localiser(report),
        "signed": _signed,
        "mean": lambda tally, days: _mean(report.mean(tally, days)),
    }


def pdf(report: DailyReport) -> bytes:
    try:
        from weasyprint import HTML
    except OSError as exc:  # cffi could not load Pango
        raise PdfUnavailable(
            f"PDF needs WeasyPrint's system libraries (Pango): {exc}; "
            "install them (Debian: apt-get install libpango-1.0-0 libpangoft2-1.0-0) "
            "or use --format html"
        ) from None
    document: bytes = HTML(string=html(report)).write_pdf()
    return document


def markdown(report: DailyReport, figures_dir: Path | None = None, stem: str = "daily") -> str:
    """Markdown; with `figures_dir`, the chart and map are written there and linked."""
    show = _localiser(report)
    w, o = report.windows, report.overall
    cf = report.ceasefire
    lines = [f"# {md_text(title(report))}", ""]
    lines.append(
        f"{md_text(cf.name)} ({md_text(cf.id)}). Cut-off {show(w.cutoff)} "
        f"({md_text(report.tz)}); the last 24 h are {show(w.day[0])} to {show(w.day[1])}."
    )
    if report.warning:
        lines += ["", f"> {md_text(report.warning[0].upper() + report.warning[1:])}."]
    if report.revised:
        lines += [
            "",
            "> Revised: counts what the store knows now about the days before the "
            "cut-off, including reports verified after it.",
        ]
    if report.incomplete:
        clock = show(report.clock) if report.clock else "nothing yet"
        lines += [
            "",
            f"> The store's clock stands at {clock}, before the cut-off: "
            "reports still to come may change these figures.",
        ]
    lines += [
        "",
        f"- **{o.last_24h}** violations in the last 24 h ({_signed(o.change)} on the day before)",
        f"- daily mean **{_mean(report.mean(o, 7))}** over the 7 days before, "
        f"**{_mean(report.mean(o, 30))}** over the 30 days before",
        f"- **{o.total}** since the ceasefire began; **{len(report.open_cases)}** open cases",
    ]
    if figures_dir is not None:
        chart, map_ = figures(report)
        figures_dir.mkdir(parents=True, exist_ok=True)
        (figures_dir / f"{stem}-chart.png").write_bytes(chart)
        (figures_dir / f"{stem}-map.png").write_bytes(map_)
        lines += [
            "",
            f"![Violations per day by party]({quote(stem)}-chart.png)",
            "",
            f"![The last 24 h by oblast]({quote(stem)}-map.png)",
        ]
    for heading, rows in tables(report):
        lines += ["", f"## {heading}", ""]
        lines.append(
            "| | last 24 h | day before | change | 7-day mean | 30-day mean | since start |"
        )
        lines.append("|---|---:|---:|---:|---:|---:|---:|")
        for name, t in rows:
            lines.append(
                f"| {md_text(name)} | {t.last_24h} | {t.previous_24h} | {_signed(t.change)} | "
                f"{_mean(report.mean(t, 7))} | {_mean(report.mean(t, 30))} | {t.total} |"
            )
    lines += ["", "## Open cases at the cut-off", ""]
    if not report.open_cases:
        lines.append("No case is open.")
    for case in report.open_cases:
        lines.append(
            f"- **{md_text(case.id)}** ({md_text(case.violator)}), phase {case.phase}, "
            f"{md_text(case.severity)}, opened {show(case.opened)}"
        )
        for action in case.actions:
            when = "no deadline"
            if action.due is not None:
                when = ("overdue since " if action.overdue else "due ") + show(action.due)
            owners = md_text(", ".join(action.owners))
            lines.append(f"  - {md_text(action.title)} ({owners}): {when}")
    lines += ["", "## Notable incidents of the last 24 h", ""]
    if not report.notable:
        lines.append("No violations in the last 24 h.")
    for violation, sources in report.notable:
        lines.append(
            f"- **{md_text(violation.id)}** {show(violation.occurred_at)}, "
            f"{md_text(violation.area)}: {md_text(', '.join(violation.event_types))} "
            f"({md_text(violation.severity)}) by {md_text(violation.party)}, "
            f"killed {violation.killed}, injured {violation.injured}"
        )
        for source in sources:
            text = source.text if len(source.text) <= 220 else source.text[:219] + "…"
            lines.append(f"  - {md_text(source.source)}: {md_text(text)}")
    return "\n".join(lines) + "\n"
