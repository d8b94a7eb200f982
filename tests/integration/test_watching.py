"""What an operator's alerts watch (`/metrics`, deploy/prometheus/ceasewatch-alerts.yml):
the clock kept, the outbox sent, the protocol's deadlines met, the audit log checkpointed.
Each metric is read from a real store; the rules are checked and unit-tested by
Prometheus's own promtool where the machine has it (.ci/run installs it)."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from api_world import World, build
from programs import program
from prometheus_client.parser import text_string_to_metric_families
from servers import Receiver, smtp_server
from starlette.testclient import TestClient
from test_notifications import LOOPBACK, with_contacts
from web_client import FixedClock

from builders import DAY, HOUR, T0
from ceasewatch.app import create_app
from ceasewatch.notify.net import NetTransport
from ceasewatch.services import checkpoints, commands, sender, tokens
from ceasewatch.services.reads import status
from ceasewatch.services.system import System
from ceasewatch.services.tokens import UserRole
from ceasewatch.store import outbox, tables
from ceasewatch.store.queries import status as rows

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "deploy" / "prometheus" / "ceasewatch-alerts.yml"
CONFIG = RULES.with_name("prometheus.yml")
RULES_TEST = Path(__file__).parent / "prometheus" / "ceasewatch-alerts-test.yml"
CLOCK = T0 + 73 * HOUR
"""Where the world's stored clock stands."""


@pytest.fixture
def world(system: System, tmp_path: Path) -> World:
    """The API's world, every party with a webhook and an e-mail address: its events
    wait in the outbox, and no `run` sends them."""
    return build(system, tmp_path, before_reports=lambda w: with_contacts(w, Receiver()))


def scrape(world: World, wall: datetime) -> dict[str, float]:
    """/metrics at this wall-clock time, as `name{label="value"}` -> value."""
    http = TestClient(create_app(world.system, clock=FixedClock(wall)))
    answer = http.get("/metrics", headers=world.headers("observer"))
    assert answer.status_code == 200
    return {
        sample.name
        + "".join(f'{{{k}="{v}"}}' for k, v in sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def outbox_rows(world: World) -> list[sa.RowMapping]:
    with world.system.db.connect() as conn:
        return list(conn.execute(sa.select(tables.outbox)).mappings())


# -- the clock -------------------------------------------------------------------------


def test_a_clock_kept_within_a_minute_is_not_stalled(world: World):
    seen = scrape(world, CLOCK + timedelta(seconds=30))

    assert seen["ceasewatch_clock_lag_seconds"] == 30
    assert seen["ceasewatch_clock_stalled"] == 0


def test_a_clock_nobody_keeps_is_stalled(world: World):
    seen = scrape(world, CLOCK + 2 * HOUR)

    assert seen["ceasewatch_clock_lag_seconds"] == 7200
    assert seen["ceasewatch_clock_stalled"] == 1


def test_a_clock_not_started_is_stalled_with_no_lag(system: System):
    observer = tokens.create(system, name="watch", role=UserRole.OBSERVER, party=None, now=CLOCK)

    seen = scrape(World(system, {"observer": observer}), CLOCK)

    assert math.isnan(seen["ceasewatch_clock_lag_seconds"])
    assert seen["ceasewatch_clock_stalled"] == 1


# -- the outbox ------------------------------------------------------------------------


def test_notifications_nobody_sends_wait_since_they_were_written(world: World):
    """Sent at once when written, so each has waited since the stored clock's time then."""
    rows = outbox_rows(world)
    wall = CLOCK + timedelta(minutes=10)

    seen = scrape(world, wall)

    oldest = min(row["created_at"] for row in rows)
    assert seen["ceasewatch_outbox_waiting_seconds"] == (wall - oldest).total_seconds()
    assert seen['ceasewatch_outbox_messages{status="pending"}'] == len(rows)
    assert seen['ceasewatch_outbox_messages{status="dead"}'] == 0


def test_once_every_message_is_sent_nothing_waits(world: World):
    receiver = Receiver()
    receiver.start()
    try:
        with world.system.db.begin() as conn:
            conn.execute(
                sa.update(tables.outbox)
                .where(tables.outbox.c.channel == "webhook")
                .values(address=receiver.url)
            )
        with smtp_server() as (smtp, _):
            transport = NetTransport(smtp, webhooks=LOOPBACK)
            sender.deliver_due(world.system, transport, CLOCK)
    finally:
        receiver.stop()

    seen = scrape(world, CLOCK + timedelta(minutes=10))

    assert seen['ceasewatch_outbox_messages{status="sent"}'] == len(outbox_rows(world))
    assert seen['ceasewatch_outbox_messages{status="pending"}'] == 0
    assert seen["ceasewatch_outbox_waiting_seconds"] == 0


def test_a_message_retried_later_does_not_wait_until_its_time(world: World):
    later = CLOCK + HOUR
    with world.system.db.begin() as conn:
        conn.execute(sa.update(tables.outbox).values(next_attempt_at=later))

    assert scrape(world, later - timedelta(seconds=1))["ceasewatch_outbox_waiting_seconds"] == 0
    assert scrape(world, later + timedelta(seconds=90))["ceasewatch_outbox_waiting_seconds"] == 90


def test_a_message_whose_sender_died_waits_from_when_its_claim_lapsed(world: World):
    wall = CLOCK + timedelta(minutes=10)
    with world.system.db.begin() as conn:
        conn.execute(sa.update(tables.outbox).values(next_attempt_at=wall + HOUR))
        first = conn.execute(sa.select(sa.func.min(tables.outbox.c.id))).scalar_one()
        conn.execute(
            sa.update(tables.outbox)
            .where(tables.outbox.c.id == first)
            .values(status=outbox.SENDING, claimed_until=wall - timedelta(minutes=3))
        )

    seen = scrape(world, wall)

    assert seen["ceasewatch_outbox_waiting_seconds"] == 180
    assert seen['ceasewatch_outbox_messages{status="sending"}'] == 1


# -- the protocol's deadlines -----------------------------------------------------------


def test_actions_past_their_deadline_are_counted_until_done(world: World):
    """The world's case is past its phase-1 deadline: the warning and the halting."""
    before = scrape(world, CLOCK)["ceasewatch_actions_overdue"]
    commands.action_done(world.system, "cf-1/RU/1", "halt_breach", by="cell", cell=True)

    assert (before, scrape(world, CLOCK)["ceasewatch_actions_overdue"]) == (2, 1)


# -- the audit log ----------------------------------------------------------------------


def test_entries_no_checkpoint_covers_are_counted_and_a_checkpoint_has_an_age(world: World):
    none_yet = scrape(world, CLOCK)
    made = checkpoints.create(world.system, CLOCK)
    after = scrape(world, CLOCK + HOUR)

    assert none_yet["ceasewatch_audit_entries_since_checkpoint"] == made.checkpoint.size
    assert math.isnan(none_yet["ceasewatch_checkpoint_age_seconds"])
    assert after["ceasewatch_audit_entries_since_checkpoint"] == 0
    assert after["ceasewatch_checkpoint_age_seconds"] == 3600


# -- the clocks -------------------------------------------------------------------------


def test_the_database_servers_clock_is_given_beside_this_hosts(world: World, db_url: str):
    seen = scrape(world, datetime.now(UTC) - 3 * DAY)
    offset = seen["ceasewatch_database_clock_offset_seconds"]

    if db_url.startswith("sqlite"):
        assert math.isnan(offset)  # the same host: no second witness
    else:
        assert abs(offset - 3 * 86400) < 60


def test_a_host_clock_in_step_is_not_ahead(world: World):
    assert scrape(world, CLOCK)["ceasewatch_wall_clock_ahead_seconds"] == 0


# -- what is stored --------------------------------------------------------------------


def test_the_stores_rows_are_given_by_kind(world: World):
    seen = scrape(world, CLOCK)

    assert {
        kind: seen[f'ceasewatch_stored{{kind="{kind}"}}'] for kind in rows.COUNTED
    } == status.stats(world.system)


def test_on_postgresql_a_large_table_is_given_as_the_planner_estimates_it(
    pg_system: System, tmp_path: Path
):
    build(pg_system, tmp_path)
    with pg_system.db.begin() as conn:
        before = rows.estimated_stats(conn, from_rows=1)  # not analysed yet: counted
        conn.exec_driver_sql(f"ANALYZE {tables.events.name}")
        conn.exec_driver_sql(
            f"UPDATE pg_class SET reltuples = 1234567 WHERE oid = '{tables.events.name}'::regclass"
        )
        estimated = rows.estimated_stats(conn, from_rows=1)
        counted = rows.stats(conn)
        conn.rollback()

    assert before == counted
    assert estimated == {**counted, "events": 1234567}


# -- the rules -------------------------------------------------------------------------


def test_every_metric_the_rules_watch_is_one_the_server_gives(world: World):
    watched = set(re.findall(r"\bceasewatch_[a-z_]+\b", RULES.read_text()))
    given = {name.partition("{")[0] for name in scrape(world, CLOCK)}

    assert watched and watched <= given


def promtool() -> str:
    return program("promtool", "prometheus", "CEASEWATCH_REQUIRE_PROMTOOL")


@pytest.mark.parametrize(
    "check", [["check", "rules", str(RULES)], ["test", "rules", str(RULES_TEST)]]
)
def test_the_rules_pass_promtool(check: list[str]):
    ran = subprocess.run([promtool(), *check], capture_output=True, text=True)

    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_the_prometheus_configuration_passes_promtool(tmp_path: Path):
    """As installed: beside its rules, reading an observer's token from a file."""
    token = tmp_path / "ceasewatch.token"
    token.write_text("cw_token\n")
    shutil.copy(RULES, tmp_path)
    config = tmp_path / "prometheus.yml"
    config.write_text(CONFIG.read_text().replace("/etc/prometheus/ceasewatch.token", str(token)))

    ran = subprocess.run(
        [promtool(), "check", "config", str(config)], capture_output=True, text=True
    )

    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert f"SUCCESS: {RULES.read_text().count('- alert:')} rules found" in ran.stdout
