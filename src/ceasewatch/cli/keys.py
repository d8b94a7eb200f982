"""`ceasewatch key`: the parties' signing keys."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import app
from .common import Db, HelpGroup, fail, out, system_at

if TYPE_CHECKING:
    from ..tlog.note import Signer

key_app = typer.Typer(cls=HelpGroup, help="The parties' signing keys.", no_args_is_help=True)
app.add_typer(key_app, name="key")

Party = Annotated[str, typer.Option("--party", help="The party's code, e.g. US.")]


@key_app.command("create")
def key_create(
    party: Party,
    path: Annotated[Path, typer.Option("--out", help="Where to write the private key.")],
    name: Annotated[
        str | None, typer.Option(help="The key's name in signatures (default: the party).")
    ] = None,
    print_public: Annotated[
        bool,
        typer.Option(
            "--print-public", help="Print the public key instead of registering it (no store)."
        ),
    ] = False,
    db: Db = None,
) -> None:
    """Make an Ed25519 key pair for a party: the private key goes to --out (mode 0600;
    it stays with the party), the public key to the store's directory (or is printed)."""
    from ..services import clock, keys
    from ..services.keys import KeyRefused
    from ..tlog.note import b64

    try:
        signer = keys.new_signer(party, name)
    except KeyRefused as exc:
        fail(str(exc))
    verifier = signer.verifier
    if print_public:
        _write(path, signer)
        out.print(f"wrote the private key of {verifier.label} to {path}", markup=False)
        out.print(f"public key: {b64(verifier.public_key)}", markup=False)
        out.print(f"verifier key: {verifier.verifier_key}", markup=False)
        out.print(
            f"register it: ceasewatch key register --party {party} {verifier.verifier_key}, "
            f"or PUT /api/v1/parties/{party}/keys with "
            f'{{"public_key": "{b64(verifier.public_key)}", "name": "{verifier.name}"}}',
            markup=False,
        )
        return
    with system_at(db) as system:
        _write(path, signer)
        try:
            done = keys.register(system, party, verifier, clock.WallClock().now())
        except KeyRefused as exc:
            path.unlink()
            fail(str(exc))
    out.print(f"wrote the private key of {verifier.label} to {path}", markup=False)
    _registered(party, verifier.label, done.retired)


def _write(path: Path, signer: Signer) -> None:
    from ..services import keys
    from ..services.keys import KeyRefused

    try:
        keys.write_private_key(path, signer)
    except KeyRefused as exc:
        fail(str(exc))


def _registered(party: str, label: str, retired: list[str]) -> None:
    line = f"registered {label} for {party}"
    if retired:
        line += f"; retired {', '.join(retired)} (it still verifies what it signed)"
    out.print(line, markup=False)


@key_app.command("register")
def key_register(
    party: Party,
    verifier_key: Annotated[
        str, typer.Argument(help="The verifier key NAME+KEYID+BASE64 that --print-public gave.")
    ],
    db: Db = None,
) -> None:
    """Register a party's public key made elsewhere (audited); it retires the party's
    older keys."""
    from ..services import clock, keys
    from ..services.keys import KeyRefused
    from ..tlog.note import NoteError, parse_verifier_key

    try:
        verifier = parse_verifier_key(verifier_key)
    except NoteError as exc:
        fail(str(exc))
    with system_at(db) as system:
        try:
            done = keys.register(system, party, verifier, clock.WallClock().now())
        except KeyRefused as exc:
            fail(str(exc))
    if done.new:
        _registered(party, verifier.label, done.retired)
    else:
        out.print(f"{verifier.label} is registered already for {party}", markup=False)


@key_app.command("list")
def key_list(db: Db = None) -> None:
    """Every party's keys, retired ones too."""
    from ..services import keys

    with system_at(db) as system:
        listed = keys.listed(system)
    for stored in listed:
        record = keys.key_record(stored)
        state = f"retired {record['retired_at']}" if "retired_at" in record else "live"
        out.print(f"{record['party']:6} {record['verifier']}  {state}", markup=False)


@key_app.command("export")
def key_export(
    path: Annotated[Path, typer.Argument(help="Where to write the keys (YAML).")],
    db: Db = None,
) -> None:
    """Write every party's public keys, for `audit verify --file OUT --keys`."""
    import yaml

    from ..services import keys

    with system_at(db) as system:
        data = keys.exported(system)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    out.print(f"wrote {len(data['keys'])} keys to {path}", markup=False)
