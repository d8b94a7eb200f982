"""The `console` blocks of the docs, read as the test runs them.

A block is a list of commands, each a line starting with `$ ` (a line ending in `\\`
goes on), followed by the output it shows, if any. A command that shows output must
print exactly that, but for lines marked as elided: a line `...` stands for any number
of lines, and `...` inside a line for any text. A command that shows none may print
anything. Either way it must exit 0.

An HTML comment on the line before a block (blank lines between are allowed) changes how
it runs:

- `<!-- docs-test: skip: REASON -->`: not run (it needs a server, another host, or is
  the set-up itself); the reason is shown in the test report.
- `<!-- docs-test: exit=N -->`: the block's last command exits N (an example of an
  error).
- `<!-- docs-test: needs PATH -->`: the block reads a file of the shared data folder
  (`$CEASEWATCH_SHARED/data/PATH`) that may not be shipped; the test puts it in the
  folder under its own name, or skips the block where it is not at hand.
- `<!-- docs-test: needs command NAME -->`: the block runs a program that is not
  ceasewatch's (the `sqlite3` shell); skipped where it is not installed.

Several comments may stand before one block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

DIRECTIVE = re.compile(r"<!--\s*docs-test:\s*(.*?)\s*-->")


@dataclass
class Command:
    line: int
    text: str
    shown: list[str] = field(default_factory=list)
    exit: int = 0


@dataclass
class Block:
    path: Path
    line: int
    commands: list[Command]
    skip: str | None = None
    needs: list[str] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)


def blocks(path: Path) -> list[Block]:
    """Every `console` block of a Markdown file, in order."""
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    directives: list[str] = []
    number = 0
    while number < len(lines):
        text = lines[number].strip()
        marked = DIRECTIVE.fullmatch(text)
        if marked:
            directives.append(marked.group(1))
        elif text == "```console":
            end = lines.index("```", number + 1) if "```" in lines[number + 1 :] else len(lines)
            block = Block(path, number + 1, _commands(lines[number + 1 : end], number + 2))
            for directive in directives:
                _apply(block, directive)
            found.append(block)
            directives, number = [], end
        elif text:
            directives = []
        number += 1
    return found


def _commands(lines: list[str], first: int) -> list[Command]:
    commands: list[Command] = []
    going_on = False
    for offset, line in enumerate(lines):
        if going_on:
            commands[-1].text += "\n" + line
        elif line.startswith("$ "):
            commands.append(Command(first + offset, line[2:]))
        elif commands:
            commands[-1].shown.append(line.rstrip())
        going_on = line.endswith("\\") and bool(commands) and not commands[-1].shown
    for command in commands:
        while command.shown and not command.shown[-1]:
            command.shown.pop()
    return commands


def _apply(block: Block, directive: str) -> None:
    if directive.startswith("needs command "):
        block.programs.append(directive.removeprefix("needs command ").strip())
    elif directive.startswith("needs "):
        block.needs.append(directive.removeprefix("needs ").strip())
    elif directive.startswith("skip:"):
        block.skip = directive.removeprefix("skip:").strip()
    elif directive.startswith("exit="):
        block.commands[-1].exit = int(directive.removeprefix("exit="))
    else:
        raise ValueError(f"{block.path}:{block.line}: unknown docs-test directive {directive!r}")


def matches(shown: list[str], printed: list[str]) -> bool:
    """Whether the printed lines are the shown ones, `...` standing for what is elided."""
    if not shown:
        return not printed
    head, rest = shown[0], shown[1:]
    if head == "...":
        return any(matches(rest, printed[i:]) for i in range(len(printed) + 1))
    if not printed:
        return False
    pattern = ".*".join(re.escape(part) for part in head.split("..."))
    return re.fullmatch(pattern, printed[0].rstrip()) is not None and matches(rest, printed[1:])
