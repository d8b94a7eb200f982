"""How far `run` moves the stored clock: to the wall clock while it keeps pace with time
passing; never at once across a jump of the host's clock, which would fire every deadline
in between into the audit log and the parties' notifications."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from builders import DAY, HOUR, MINUTE, SECOND, T0
from ceasewatch.domain.events import iso_z
from ceasewatch.services.clock import CATCH_UP, JUMP, Pace


class Host:
    """A host's wall clock and its uptime, which the test moves apart or together."""

    def __init__(self) -> None:
        self.wall, self.up, self.said = T0, 1000.0, list[str]()
        self.pace = Pace(monotonic=lambda: self.up, say=self.said.append)

    def passes(self, time: timedelta) -> None:
        self.wall += time
        self.up += time.total_seconds()

    def target(self, stored: datetime | None = T0) -> datetime | None:
        return self.pace.target(self.wall, stored)


@pytest.fixture
def host() -> Host:
    return Host()


# -- starting ---------------------------------------------------------------------------


def test_at_the_start_a_stored_clock_within_the_catch_up_is_moved_to_the_wall_clock(host: Host):
    assert host.target(stored=T0 - CATCH_UP) == T0
    assert host.said == []


def test_at_the_start_a_store_with_no_clock_yet_starts_at_the_wall_clock(host: Host):
    assert host.target(stored=None) == T0


def test_at_the_start_a_stored_clock_further_behind_waits_for_a_person(host: Host):
    behind = T0 - 3 * DAY

    assert host.target(stored=behind) is None
    assert host.target(stored=behind) is None
    assert host.said == [
        f"not moved: the wall clock ({iso_z(T0)}) is 3 d ahead of the stored clock "
        f"({iso_z(behind)}), more than --catch-up 1 h; moving it there would fire every "
        "deadline in between at once. If the wall clock is right, move it: ceasewatch tick "
        f"--until {iso_z(T0)}"
    ]


def test_once_a_person_has_moved_the_stored_clock_it_follows_the_wall_clock(host: Host):
    host.target(stored=T0 - 3 * DAY)
    host.passes(10 * SECOND)

    assert host.target(stored=T0) == T0 + 10 * SECOND
    assert host.said[-1] == "moving with the wall clock again"


def test_with_any_catch_up_it_moves_however_far():
    pace = Pace(catch_up=None, monotonic=lambda: 0.0)

    assert pace.target(T0, T0 - 300 * DAY) == T0


# -- running ----------------------------------------------------------------------------


def test_it_follows_a_wall_clock_in_step_with_time_passing(host: Host):
    host.target()
    for _ in range(3):
        host.passes(HOUR)
        assert host.target() == host.wall
    assert host.said == []


def test_a_wall_clock_that_strays_within_a_minute_is_followed(host: Host):
    host.target()
    host.passes(HOUR)
    host.wall += JUMP

    assert host.target() == T0 + HOUR + JUMP


def test_a_wall_clock_that_jumps_ahead_is_not_followed_but_time_passing_is(host: Host):
    host.target()
    host.passes(HOUR)
    host.wall += 3 * DAY

    assert host.target() == T0 + HOUR
    host.passes(10 * SECOND)
    assert host.target() == T0 + HOUR + 10 * SECOND
    jumped = iso_z(T0 + HOUR + 3 * DAY)
    assert host.said == [
        f"the wall clock ({jumped}) jumped 3 d ahead of the time this host's uptime keeps "
        f"({iso_z(T0 + HOUR)}): not followed; the stored clock goes on at the uptime's "
        f"pace. If the wall clock is right, move the stored clock to it: ceasewatch tick "
        f"--until {jumped}"
    ]


def test_many_small_steps_ahead_add_up_to_a_jump(host: Host):
    host.target()
    for _ in range(5):
        host.passes(SECOND)
        host.wall += 30 * SECOND

    assert host.target() == T0 + 5 * SECOND


def test_a_wall_clock_set_right_again_is_followed_again(host: Host):
    host.target()
    host.wall += 3 * DAY
    host.target()
    host.wall -= 3 * DAY
    host.passes(MINUTE)

    assert host.target() == T0 + MINUTE
    assert host.said[-1] == "moving with the wall clock again"


def test_a_jump_a_person_accepted_by_moving_the_stored_clock_is_followed(host: Host):
    host.target()
    host.wall += 3 * DAY
    host.target()

    assert host.target(stored=host.wall) == host.wall
    host.passes(HOUR)
    assert host.target(stored=host.wall - HOUR) == host.wall


def test_a_wall_clock_that_goes_back_is_followed_and_the_stored_clock_waits(host: Host):
    host.target()
    host.passes(HOUR)
    host.wall -= 2 * HOUR

    assert host.target(stored=T0 + HOUR) == T0 - HOUR
    host.passes(HOUR)
    assert host.target(stored=T0 + HOUR) == T0
    assert host.said == ["the wall clock went back 2 h: the stored clock waits for it"]
