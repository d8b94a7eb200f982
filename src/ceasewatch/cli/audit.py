"""`ceasewatch audit`: the hash-chained log, its checkpoints and the parties' signatures."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..domain.events import iso_z
from . import app
from .common import Db, HelpGroup, err, fail, out, system_at

audit_app = typer.Typer(cls=HelpGroup, help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")

Url = Annotated[
    str | None, typer.Option("--url", help="A ceasewatch server's base URL, instead of --db.")
]
Token = Annotated[
    str | None,
    typer.Option("--token", envvar="CEASEWATCH_TOKEN", help="Its API token (with --url)."),
]


@audit_app.command("verify")
def audit_verify(
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Verify an export offline instead of the database."),
    ] = None,
    keys: Annotated[
        Path | None,
        typer.Option("--keys", help="With --file: the parties' public keys (key export)."),
    ] = None,
    head: Annotated[
        str | None, typer.Option(help="The published last hash the chain must end at.")
    ] = None,
    quick: Annotated[
        bool, typer.Option("--quick", help="The chain alone, not the journal and derived rows.")
    ] = False,
    db: Db = None,
) -> None:
    """Check the hash chain; in the database also the journal against it and every row
    derived from the journal; in an export also its checkpoints and, with --keys, every
    party's signature. Names each problem (exit 1)."""
    from ..services import verify

    if file is not None:
        _verify_export(file, keys, head)
        return
    if keys is not None:
        fail("--keys goes with --file (the database's signatures were checked when stored)")
    with system_at(db) as system:
        result = verify.verify_store(
            system.db,
            quick=quick,
            head=head,
            on_problem=lambda check, text: err.print(f"{check}: {text}", markup=False),
        )
    for line in verify.summary(result):
        (out if result.ok else err).print(line, markup=False)
    if not result.ok:
        raise typer.Exit(1)


def _verify_export(file: Path, keys: Path | None, head: str | None) -> None:
    from ..services import auditfiles
    from ..services.auditfiles import FileError

    try:
        result = auditfiles.verify_file(file, keys, head)
    except FileError as exc:
        fail(str(exc))
    told, problems = auditfiles.summary(str(file), result)
    for line in told:
        out.print(line, markup=False)
    for line in problems:
        err.print(f"[bold red]broken:[/bold red] {line}", markup=True, highlight=False)
    if problems:
        raise typer.Exit(1)


@audit_app.command("export")
def audit_export(
    path: Annotated[Path, typer.Argument(help="Where to write the log (JSONL).")],
    db: Db = None,
) -> None:
    """Write the audit log, one entry per line, and its checkpoints with the parties'
    signatures beside it (OUT's stem + .checkpoints.jsonl), for anyone to verify offline."""
    from ..services import auditfiles

    with system_at(db) as system:
        done = auditfiles.export(system, path)
    out.print(
        f"wrote {done.entries} entries to {path} and {done.checkpoints} checkpoints "
        f"to {done.checkpoints_path}",
        markup=False,
    )


@audit_app.command("head")
def audit_head(db: Db = None) -> None:
    """The last entry's seq and hash: publish it, so a rewritten log cannot pass."""
    from ..services import checkpoints

    with system_at(db) as system:
        seq, digest = checkpoints.head(system)
    out.print(f"{seq} {digest}", markup=False)


@audit_app.command("checkpoint")
def audit_checkpoint(
    origin: Annotated[
        str | None,
        typer.Option(help="The log's name, at the first checkpoint (default ceasewatch/<id>)."),
    ] = None,
    db: Db = None,
) -> None:
    """Record the chain's head as a checkpoint (entries, RFC 6962 root, time) for the
    parties to sign; the latest again if the log has not grown."""
    from ..services import checkpoints, clock
    from ..services.checkpoints import CheckpointError

    with system_at(db) as system:
        try:
            made = checkpoints.create(system, clock.WallClock().now(), origin)
        except CheckpointError as exc:
            fail(str(exc), 1)
    c = made.checkpoint
    state = "checkpoint" if made.new else "unchanged since checkpoint"
    out.print(f"{state} {c.size}: {c.checkpoint.origin} root {c.checkpoint.root_b64}")


@audit_app.command("checkpoints")
def audit_checkpoints(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
    db: Db = None,
) -> None:
    """The checkpoints, and which parties signed which."""
    from ..services import checkpoints

    with system_at(db) as system:
        stored = checkpoints.listed(system)
    if not stored:
        out.print("no checkpoints yet (ceasewatch audit checkpoint)")
    for c in stored:
        if as_json:
            record = checkpoints.as_record(c)
            sys.stdout.write(json.dumps(record, default=_iso, ensure_ascii=False) + "\n")
            continue
        signers = ", ".join(c.parties) or "no one yet"
        out.print(
            f"checkpoint {c.size}  {iso_z(c.created_at)}  root {c.checkpoint.root_b64}  "
            f"signed by {signers}",
            markup=False,
        )


def _iso(value: Any) -> str:
    return iso_z(value)


@audit_app.command("sign")
def audit_sign(
    key: Annotated[Path, typer.Option("--key", help="The party's private key file.")],
    size: Annotated[
        int | None, typer.Option("--size", min=1, help="The checkpoint (default: the latest).")
    ] = None,
    url: Url = None,
    token: Token = None,
    db: Db = None,
) -> None:
    """Check the chain up to a checkpoint and its root on this machine, then sign the
    checkpoint with the party's key and store the signature (in --db, or through --url)."""
    from ..services import checkpoints, clock
    from ..services.checkpoints import CheckpointError
    from ..services.keys import KeyRefused, read_private_key
    from ..services.remote import Remote, RemoteError, sign

    try:
        signer = read_private_key(key)
    except KeyRefused as exc:
        fail(str(exc))
    if url is not None:
        if not token:
            fail("--url needs --token (or CEASEWATCH_TOKEN)")
        try:
            with Remote(url, token) as remote:
                answer = sign(remote, signer, size)
        except RemoteError as exc:
            fail(str(exc), 1)
        party, signed, new = answer["party"], answer["size"], answer["new"]
    else:
        with system_at(db) as system:
            try:
                done = checkpoints.sign_local(system, signer, clock.WallClock().now(), size)
            except CheckpointError as exc:
                fail(str(exc), 1)
        party, signed, new = done.party, done.size, done.new
    verb = "signed" if new else "had already signed"
    out.print(f"{party} {verb} checkpoint {signed} (key {signer.verifier.label})")


@audit_app.command("prove")
def audit_prove(
    report: Annotated[str, typer.Argument(help="The report: SOURCE/ID (or ID, if unique).")],
    path: Annotated[Path, typer.Option("--out", help="Where to write the proof.")],
    size: Annotated[
        int | None,
        typer.Option("--size", min=1, help="The checkpoint (default: the latest signed one)."),
    ] = None,
    db: Db = None,
) -> None:
    """Write a proof (C2SP tlog-proof) that a report is in the log at a checkpoint the
    parties signed: its audit entry, the RFC 6962 path to the root, the signed checkpoint."""
    from ..services import proofs

    with system_at(db) as system:
        try:
            proof = proofs.prove(system, report, size)
        except proofs.ProofError as exc:
            fail(str(exc), 1)
    path.write_text(proof.encode(), encoding="utf-8")
    size_line = proof.note.text.splitlines()[1]
    out.print(
        f"wrote to {path}: entry {proof.entry['seq']} at checkpoint {size_line} "
        f"({len(proof.path)} hashes, {len(proof.note.signatures)} signatures)",
        markup=False,
    )


@audit_app.command("verify-proof")
def audit_verify_proof(
    path: Annotated[Path, typer.Argument(help="The proof file (audit prove).")],
    keys: Annotated[Path, typer.Option("--keys", help="The parties' public keys.")],
) -> None:
    """Check a proof offline: the entry lists the report, the path leads to the
    checkpoint's root, and parties whose keys are given signed it."""
    from ..services import proofs
    from ..services.auditfiles import FileError

    try:
        result = proofs.verify_proof(path, keys)
    except FileError as exc:
        fail(str(exc))
    for problem in result.problems:
        err.print(f"[bold red]broken:[/bold red] {path}: {problem}", markup=True, highlight=False)
    if not result.ok:
        raise typer.Exit(1)
    assert result.checkpoint is not None and result.report is not None
    source, report_id = result.report
    out.print(
        f"{path}: report {source}/{report_id} is in the log at checkpoint "
        f"{result.checkpoint.size}, signed by {', '.join(result.parties)}",
        markup=False,
    )
