"""Every `console` block of README.md and docs/*.md runs, in order, as a reader would run it.

Each document gets a folder of its own, holding the demo (`ceasewatch demo --save .`,
which also leaves `./ceasewatch.db`) and the repository's `examples/`; its blocks run
there one after another in one shell, so a `cd` or an `export` carries on. See
`console.py` for how a block says what it prints and how a block is marked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from console import Block, blocks, matches

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
BIN = Path(sys.executable).parent
SHARED = Path(os.environ.get("CEASEWATCH_SHARED", REPO.parent / "shared"))
MARK = "@@docs-test"
TIMEOUT = 900
"""Seconds for one document's blocks: a command that serves or waits must be marked (the
longest documents take minutes on a busy two-core machine)."""


def test_the_parser_reads_commands_output_and_marks():
    [first, second, third, fourth] = blocks(REPO / "tests" / "docs" / "sample.md")

    assert first.skip == "needs a server"
    assert [c.text for c in second.commands] == ["echo one", "printf 'a\\nb\\n' \\\n  | cat"]
    assert [c.shown for c in second.commands] == [["one"], ["a", "..."]]
    assert second.commands[-1].exit == 0
    assert (third.needs, third.commands[-1].exit) == (["no/such/file.csv"], 1)
    assert fourth.programs == ["no-such-program-here"]
    assert runnable(REPO / "tests" / "docs" / "sample.md") == [second]


@pytest.mark.parametrize(
    ("shown", "printed", "ok"),
    [
        (["a", "b"], ["a", "b"], True),
        (["a", "..."], ["a", "b", "c"], True),
        (["...", "c"], ["a", "b", "c"], True),
        (["a ... z"], ["a then z"], True),
        (["a"], ["a", "b"], False),
        (["a", "b"], ["a", "c"], False),
    ],
)
def test_elided_lines_match_anything_else_must_be_exact(shown, printed, ok):
    assert matches(shown, printed) is ok


def runnable(path: Path) -> list[Block]:
    return [
        b
        for b in blocks(path)
        if b.skip is None
        and b.commands
        and all(map(shared, b.needs))
        and all(map(shutil.which, b.programs))
    ]


def shared(name: str) -> Path | None:
    path = SHARED / "data" / name
    return path if path.is_file() else None


@pytest.mark.parametrize(
    "document",
    [d for d in DOCUMENTS if runnable(d)],
    ids=lambda d: d.relative_to(REPO).name,
)
def test_every_console_block_runs_as_shown(document: Path, tmp_path: Path):
    folder = prepared(tmp_path)
    for block in runnable(document):
        for name in block.needs:
            shutil.copy(SHARED / "data" / name, folder / Path(name).name)
    commands = [c for block in runnable(document) for c in block.commands]
    results = run_in_one_shell(commands, folder)

    problems = []
    for command, (status, printed) in zip(commands, results, strict=True):
        where = f"{document.relative_to(REPO)}:{command.line}: $ {command.text}"
        if status != command.exit:
            problems.append(f"{where}\n  exit {status}, not {command.exit}:\n{indent(printed)}")
        elif command.shown and not matches(command.shown, printed):
            problems.append(
                f"{where}\n  printed:\n{indent(printed)}\n  the doc shows:\n{indent(command.shown)}"
            )
    assert not problems, "\n\n".join(problems)


def prepared(tmp_path: Path) -> Path:
    folder = tmp_path / "reader"
    folder.mkdir()
    shutil.copytree(REPO / "examples", folder / "examples")
    (folder / ".venv").symlink_to(BIN.parent)
    subprocess.run(
        [BIN / "ceasewatch", "demo", "--save", "."],
        cwd=folder,
        env=environment(folder),
        check=True,
        capture_output=True,
    )
    return folder


def environment(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CEASEWATCH_")}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        COLUMNS="100",
        TERM="dumb",
        NO_COLOR="1",
        HOME=str(folder),
        CEASEWATCH_SECRET_FILE=str(folder / ".secret"),
    )
    return env


def run_in_one_shell(commands, folder: Path) -> list[tuple[int, list[str]]]:
    """Run the commands one after another in one bash; each one's status and output."""
    script = ["set +e"]
    for number, command in enumerate(commands):
        script += [
            f"printf '\\n{MARK} start {number}\\n'",
            f"{{\n{command.text}\n}} </dev/null 2>&1",
            f"printf '\\n{MARK} end {number} %d\\n' $?",
        ]
    try:
        done = subprocess.run(
            ["bash", "-c", "\n".join(script)],
            cwd=folder,
            env=environment(folder),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        finished = len(split(partial, None))
        pytest.fail(f"still running after {TIMEOUT} s: $ {commands[finished].text}")
    return split(done.stdout, len(commands))


def split(stdout: str, count: int | None) -> list[tuple[int, list[str]]]:
    results: list[tuple[int, list[str]]] = []
    printed: list[str] = []
    for line in stdout.splitlines():
        if line.startswith(f"{MARK} start"):
            printed = []
        elif line.startswith(f"{MARK} end"):
            while printed and not printed[-1].strip():
                printed.pop()
            results.append((int(line.split()[-1]), printed))
            printed = []
        else:
            printed.append(line.rstrip())
    if count is not None:
        assert len(results) == count, f"the shell stopped after {len(results)} of {count}"
    return [(status, lines[1:] if lines and not lines[0] else lines) for status, lines in results]


def indent(lines: list[str]) -> str:
    return "\n".join(f"    | {line}" for line in lines) or "    | (nothing)"
