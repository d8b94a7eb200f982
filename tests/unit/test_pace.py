"""The host's clock, held to the time that passes, and how far `run` moves the stored
clock: never at once across a jump of the host's clock, which would fire every deadline
in between into the audit log and the parties' notifications."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from builders import DAY, HOUR, MINUTE, SECOND, T0
from ceasewatch.domain.events import iso_z
from ceasewatch.services.clock import CATCH_UP, JUMP, Pace, SteadyClock


class Host:
    """A host's wall clock and its uptime, which a test moves apart or together; what
    its steady clock and `run`'s pace said."""

    def __init__(self) -> None:
        self.wall, self.up, self.said = T0, 1000.0, list[str]()
        self.clock = SteadyClock(self, monotonic=lambda: self.up, say=self.said.append)
        self.pace = Pace(clock=self.clock, say=self.said.append)

    def now(self) -> datetime:
        return self.wall

    def passes(self, time: timedelta) -> None:
        self.wall += time
        self.up += time.total_seconds()

    def target(self, stored: datetime | None = T0) -> datetime | None:
        return self.pace.target(stored)


@pytest.fixture
def host() -> Host:
    return Host()


# -- the host's clock --------------------------------------------------------------------


def test_a_wall_clock_in_step_with_time_passing_is_read_as_it_is(host: Host):
    for _ in range(3):
        host.passes(HOUR)
        assert host.clock.now() == host.wall
    assert host.said == []


def test_a_wall_clock_that_strays_within_a_minute_is_read_as_it_is(host: Host):
    host.clock.now()
    host.passes(HOUR)
    host.wall += JUMP

    assert host.clock.now() == T0 + HOUR + JUMP


def test_a_wall_clock_that_jumps_ahead_is_not_followed_but_time_passing_is(host: Host):
    host.clock.now()
    host.passes(HOUR)
    host.wall += 3 * DAY

    assert host.clock.now() == T0 + HOUR
    host.passes(10 * SECOND)
    assert host.clock.now() == T0 + HOUR + 10 * SECOND
    assert host.clock.ahead == 3 * DAY
    assert host.said == [
        f"the wall clock ({iso_z(T0 + HOUR + 3 * DAY)}) jumped 3 d ahead of the time this "
        f"host's uptime keeps ({iso_z(T0 + HOUR)}): not followed; time goes on at the "
        "uptime's pace"
    ]


def test_many_small_steps_ahead_add_up_to_a_jump(host: Host):
    host.clock.now()
    for _ in range(5):
        host.passes(SECOND)
        host.wall += 30 * SECOND

    assert host.clock.now() == T0 + 5 * SECOND


def test_a_wall_clock_set_right_again_is_followed_again(host: Host):
    host.clock.now()
    host.wall += 3 * DAY
    host.clock.now()
    host.wall -= 3 * DAY
    host.passes(MINUTE)

    assert host.clock.now() == T0 + MINUTE
    assert host.clock.ahead == timedelta(0)
    assert host.said[-1] == "the wall clock is in step again"


def test_a_wall_clock_that_goes_back_is_followed(host: Host):
    host.clock.now()
    host.passes(HOUR)
    host.wall -= 2 * HOUR

    assert host.clock.now() == T0 - HOUR
    host.passes(HOUR)
    assert host.clock.now() == T0
    assert host.said == ["the wall clock went back 2 h"]


def test_a_jump_taken_as_right_is_followed(host: Host):
    host.clock.now()
    host.wall += 3 * DAY
    host.clock.now()

    host.clock.accept()

    assert host.clock.now() == T0 + 3 * DAY
    host.passes(HOUR)
    assert host.clock.now() == T0 + 3 * DAY + HOUR


# -- run, starting -----------------------------------------------------------------------


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
    assert host.said[-1] == "moving with the wall clock"


def test_with_any_catch_up_it_moves_however_far():
    pace = Pace(catch_up=None, clock=SteadyClock(Host(), monotonic=lambda: 0.0))

    assert pace.target(T0 - 300 * DAY) == T0


# -- run, running ------------------------------------------------------------------------


def test_across_a_jump_ahead_run_goes_on_at_the_uptimes_pace_and_says_how_to_move_on(
    host: Host,
):
    host.target()
    host.passes(HOUR)
    host.wall += 3 * DAY

    assert host.target(stored=T0 + HOUR) == T0 + HOUR
    host.passes(SECOND)
    assert host.target(stored=T0 + HOUR) == T0 + HOUR + SECOND
    assert host.said[1:] == [
        "if the wall clock is right, move the stored clock to it: ceasewatch tick --until "
        f"{iso_z(T0 + HOUR + 3 * DAY)}"
    ]


def test_a_jump_a_person_accepted_by_moving_the_stored_clock_is_followed(host: Host):
    host.target()
    host.wall += 3 * DAY
    host.target()

    assert host.target(stored=host.wall) == host.wall
    host.passes(HOUR)
    assert host.target(stored=host.wall - HOUR) == host.wall
    assert host.said[-1] == "the wall clock taken as right: moving with it"
