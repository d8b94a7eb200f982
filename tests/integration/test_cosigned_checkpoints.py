"""Checkpoints co-signed by the parties, checked offline with nothing but the export and
their public keys: each signer is named; an entry changed, removed or reordered at or
before a signed checkpoint fails it, named."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
import yaml
from api_world import CASE
from cosigning import cli, co_signed, decided, edit_lines, execute, ok, party_keys, verify_export
from web_client import FixedClock, client, sign_in

from builders import HOUR, T0
from ceasewatch.audit import link
from ceasewatch.services.system import System


@pytest.fixture
def export(db_url: str, system: System, tmp_path: Path) -> Path:
    """An export of a store whose latest checkpoint US and GB have signed."""
    decided(system, tmp_path)
    return co_signed(db_url, tmp_path, "US", "GB")


def size_of(export: Path) -> int:
    [record] = [json.loads(line) for line in export.with_name("audit.checkpoints.jsonl").open()]
    return int(record["size"])


def test_two_parties_sign_a_checkpoint_and_the_export_verifies_offline_naming_both(
    export: Path, tmp_path: Path
):
    code, output = verify_export(export, tmp_path / "keys.yaml")

    size = size_of(export)
    assert code == 0, output
    assert f"checkpoint {size}: its root holds; signed by GB, US" in output
    assert f"GB signed up to entry {size}" in output
    assert f"US signed up to entry {size}" in output


def test_the_signed_checkpoint_is_a_c2sp_signed_note(export: Path, tmp_path: Path):
    [record] = [json.loads(line) for line in export.with_name("audit.checkpoints.jsonl").open()]
    text, signatures = record["note"].split("\n\n")
    origin, size, root, end = text.split("\n") + [""] * (4 - len(text.split("\n")))

    assert origin.startswith("ceasewatch/") and int(size) == record["size"]
    assert root == record["root"] and end == ""
    assert [line.split(" ")[:2] for line in signatures.splitlines()] == [
        ["—", "GB"],
        ["—", "US"],
    ]


def test_an_entry_edited_before_the_checkpoint_fails_naming_it_and_the_checkpoint(
    export: Path, tmp_path: Path
):
    def edit(entries: list[dict[str, object]]) -> None:
        entries[4]["kind"] = "case_closed"

    edit_lines(export, edit)

    code, output = verify_export(export, tmp_path / "keys.yaml")
    assert code == 1
    assert "line 5 (seq 5): edited" in output
    assert f"checkpoint {size_of(export)} (signed by GB, US)" in output
    assert "the chain breaks at entry 5" in output


def test_an_entry_edited_in_the_store_before_the_checkpoint_fails_the_export(
    db_url: str, system: System, export: Path, tmp_path: Path
):
    execute(system, "UPDATE audit SET kind = 'case_closed' WHERE seq = 3")
    ok("audit", "export", str(export), "--db", db_url)

    code, output = verify_export(export, tmp_path / "keys.yaml")
    assert code == 1
    assert "line 3 (seq 3): edited" in output
    assert (
        f"checkpoint {size_of(export)} (signed by GB, US): entries 1..{size_of(export)}" in output
    )


def test_a_rewritten_chain_that_holds_still_fails_the_signed_checkpoint(
    export: Path, tmp_path: Path
):
    def rewrite(entries: list[dict[str, object]]) -> None:
        entries[2]["kind"] = "case_closed"
        prev = entries[1]["hash"]
        for e in entries[2:]:
            e["prev"] = prev
            e["hash"] = prev = link(e["seq"], e["at"], e["kind"], e["body"], prev)  # type: ignore[arg-type]

    edit_lines(export, rewrite)

    code, output = verify_export(export, tmp_path / "keys.yaml")
    assert code == 1
    assert f"{export}: the chain holds" in output
    size = size_of(export)
    assert f"checkpoint {size} (signed by GB, US): entries 1..{size} do not give its root" in output


@pytest.mark.parametrize(
    ("edit", "found"),
    [
        (lambda e: e.pop(), "entries {size}..{size} were removed"),
        (lambda e: e.insert(3, e.pop(4)), "line 4"),
        (lambda e: e.pop(6), "seq 7 is missing"),
    ],
    ids=["last removed", "reordered", "one removed"],
)
def test_entries_removed_or_reordered_before_the_checkpoint_fail_it(
    export: Path,
    tmp_path: Path,
    edit,
    found: str,  # type: ignore[no-untyped-def]
):
    size = size_of(export)
    edit_lines(export, edit)

    code, output = verify_export(export, tmp_path / "keys.yaml")
    assert code == 1
    assert f"checkpoint {size} (signed by GB, US)" in output
    assert found.format(size=size) in output


def test_a_forged_signature_fails_naming_the_party(export: Path, tmp_path: Path):
    beside = export.with_name("audit.checkpoints.jsonl")

    def forge(records: list[dict[str, object]]) -> None:
        note = str(records[0]["note"])
        line = next(x for x in note.splitlines() if x.startswith("— US "))
        signature = line.split(" ")[2]
        forged = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
        records[0]["note"] = note.replace(signature, forged)

    edit_lines(beside, forge)

    code, output = verify_export(export, tmp_path / "keys.yaml")
    assert code == 1
    assert f"checkpoint {size_of(export)}: the signature of US" in output
    assert "does not match it" in output


def test_a_signature_by_a_key_not_given_is_listed_and_not_trusted(export: Path, tmp_path: Path):
    keys = yaml.safe_load((tmp_path / "keys.yaml").read_text())
    keys["keys"] = [k for k in keys["keys"] if k["party"] == "US"]
    (tmp_path / "us-only.yaml").write_text(yaml.safe_dump(keys))

    code, output = verify_export(export, tmp_path / "us-only.yaml")

    assert code == 0, output
    assert "signed by US (and by keys not given: GB+" in output
    assert "GB signed up to" not in output


def test_signatures_need_the_checkpoints_beside_the_export(export: Path, tmp_path: Path):
    export.with_name("audit.checkpoints.jsonl").unlink()

    code, output = verify_export(export, tmp_path / "keys.yaml")

    assert code == 2 and "no checkpoints beside" in output


def test_a_party_will_not_sign_a_checkpoint_its_chain_does_not_give(
    db_url: str, system: System, tmp_path: Path
):
    decided(system, tmp_path)
    keys = party_keys(db_url, tmp_path, "US")
    ok("audit", "checkpoint", "--db", db_url)
    execute(system, "UPDATE audit SET kind = 'case_closed' WHERE seq = 2")

    code, output = cli("audit", "sign", "--key", str(keys["US"]), "--db", db_url)

    assert code == 1
    assert "will not sign checkpoint" in output and "(seq 2): edited" in output
    assert "signed by no one yet" in ok("audit", "checkpoints", "--db", db_url)


def test_a_new_key_retires_the_old_one_which_still_verifies_what_it_signed(
    db_url: str, system: System, tmp_path: Path
):
    decided(system, tmp_path)
    old = party_keys(db_url, tmp_path, "US")["US"]
    ok("audit", "checkpoint", "--db", db_url)
    ok("audit", "sign", "--key", str(old), "--db", db_url)
    first = int(ok("audit", "head", "--db", db_url).split()[0])
    new = tmp_path / "us-2026.key"
    rotated = ok("key", "create", "--party", "US", "--out", str(new), "--db", db_url)
    assert "retired US+" in rotated
    ok("audit", "checkpoint", "--db", db_url)

    code, output = cli("audit", "sign", "--key", str(old), "--db", db_url)
    assert code == 1 and "was retired" in output
    ok("audit", "sign", "--key", str(new), "--db", db_url)
    ok("key", "export", str(tmp_path / "keys.yaml"), "--db", db_url)
    ok("audit", "export", str(tmp_path / "audit.jsonl"), "--db", db_url)

    code, output = verify_export(tmp_path / "audit.jsonl", tmp_path / "keys.yaml")
    last = int(ok("audit", "head", "--db", db_url).split()[0])
    assert code == 0, output
    assert last == first + 1  # the new key's registration is an entry of its own
    assert f"checkpoint {first}: its root holds; signed by US" in output
    assert f"checkpoint {last}: its root holds; signed by US" in output
    keys = yaml.safe_load((tmp_path / "keys.yaml").read_text())["keys"]
    assert [("retired_at" in k) for k in keys] == [True, False]


def test_the_private_key_stays_with_the_party_readable_by_its_owner_only(
    db_url: str, system: System, tmp_path: Path
):
    decided(system, tmp_path)
    path = party_keys(db_url, tmp_path, "GB")["GB"]

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("PRIVATE+KEY+GB+")
    listed = ok("key", "list", "--db", db_url)
    assert "GB     GB+" in listed and "PRIVATE" not in listed
    code, output = cli("key", "create", "--party", "GB", "--out", str(path), "--db", db_url)
    assert code == 2 and "never overwritten" in output


def test_a_key_for_a_store_out_of_reach_is_printed_then_registered(
    db_url: str, system: System, tmp_path: Path
):
    decided(system, tmp_path)
    printed = ok(
        "key", "create", "--party", "UA", "--out", str(tmp_path / "ua.key"), "--print-public"
    )
    verifier = next(line for line in printed.splitlines() if line.startswith("verifier key: "))

    registered = ok("key", "register", "--party", "UA", verifier.split(": ")[1], "--db", db_url)

    assert registered.startswith("registered UA+")
    assert "UA     UA+" in ok("key", "list", "--db", db_url)


def test_keys_of_parties_not_in_the_directory_are_refused(
    db_url: str, system: System, tmp_path: Path
):
    decided(system, tmp_path)

    code, output = cli(
        "key", "create", "--party", "XX", "--out", str(tmp_path / "x.key"), "--db", db_url
    )

    assert code == 2 and "party XX is not in the directory" in output
    assert not (tmp_path / "x.key").exists()


def test_a_log_that_has_not_grown_keeps_its_checkpoint_and_its_origin(
    db_url: str, system: System, tmp_path: Path
):
    decided(system, tmp_path)
    first = ok("audit", "checkpoint", "--origin", "ceasewatch/test-cell", "--db", db_url)
    again = ok("audit", "checkpoint", "--db", db_url)
    code, output = cli("audit", "checkpoint", "--origin", "ceasewatch/other", "--db", db_url)

    assert first.startswith("checkpoint ") and "ceasewatch/test-cell" in first
    assert again.startswith("unchanged since checkpoint ")
    assert code == 1 and "origin is ceasewatch/test-cell" in output


def test_the_case_page_shows_which_parties_signed_which_head(
    db_url: str, system: System, tmp_path: Path
):
    world = decided(system, tmp_path)
    http = client(world, FixedClock(T0 + 74 * HOUR))
    sign_in(http, world.tokens["observer"])
    before = http.get(f"/cases/{CASE}").text
    keys = party_keys(db_url, tmp_path, "US", "GB")
    made = ok("audit", "checkpoint", "--db", db_url).split()[1].rstrip(":")
    ok("audit", "sign", "--key", str(keys["US"]), "--db", db_url)

    page = http.get(f"/cases/{CASE}").text

    assert "No checkpoint yet: no party has co-signed the record." in before
    assert f"Checkpoint of entries 1 to {made} (" in page
    assert "signed by US; it covers this case's record." in page


# -- inclusion proofs -----------------------------------------------------------------


@pytest.fixture
def proof(db_url: str, export: Path, tmp_path: Path) -> Path:
    """A proof that the monitors' second report is in the log at the signed checkpoint."""
    path = tmp_path / "v2.tlog-proof"
    ok("audit", "prove", "omm/v2", "--out", str(path), "--db", db_url)
    return path


def test_a_report_is_proved_in_the_log_at_the_signed_checkpoint(
    proof: Path, export: Path, tmp_path: Path
):
    code, output = cli("audit", "verify-proof", str(proof), "--keys", str(tmp_path / "keys.yaml"))

    assert code == 0, output
    assert f"report omm/v2 is in the log at checkpoint {size_of(export)}, signed by GB, US" in (
        output
    )
    assert proof.read_text().startswith("c2sp.org/tlog-proof@v1\nextra ")


def test_a_proof_for_an_edited_report_fails(proof: Path, tmp_path: Path):
    lines = proof.read_text().split("\n")
    extra = json.loads(base64.b64decode(lines[1].removeprefix("extra ")))
    extra["report"] = extra["report"].replace('"artillery"', '"missile_strike"')
    lines[1] = "extra " + base64.b64encode(json.dumps(extra).encode()).decode()
    proof.write_text("\n".join(lines))

    code, output = cli("audit", "verify-proof", str(proof), "--keys", str(tmp_path / "keys.yaml"))

    assert code == 1 and "does not list a report with this body" in output


def test_a_proof_with_a_wrong_path_fails(proof: Path, tmp_path: Path):
    lines = proof.read_text().split("\n")
    lines[3] = base64.b64encode(bytes(32)).decode()
    proof.write_text("\n".join(lines))

    code, output = cli("audit", "verify-proof", str(proof), "--keys", str(tmp_path / "keys.yaml"))

    assert code == 1 and "the path does not lead from entry" in output


def test_a_report_not_in_the_journal_has_no_proof(db_url: str, export: Path, tmp_path: Path):
    code, output = cli("audit", "prove", "omm/nope", "--out", str(tmp_path / "p"), "--db", db_url)

    assert code == 1 and "no report omm/nope in the journal" in output
