"""Roles in words: the article before a role's name, and the list of roles."""

from __future__ import annotations

import pytest

from ceasewatch.roles import UserRole, listed, with_article


@pytest.mark.parametrize(
    ("role", "words"),
    [
        (UserRole.ANALYST, "an analyst"),
        (UserRole.OBSERVER, "an observer"),
        (UserRole.ADMIN, "an admin"),
        (UserRole.REPORTER, "a reporter"),
        (UserRole.DECISION_MAKER, "a decision_maker"),
    ],
)
def test_a_role_takes_an_before_a_vowel_and_a_before_a_consonant(role: UserRole, words: str):
    assert with_article(role) == words


def test_the_roles_are_listed_in_order_with_or_before_the_last():
    assert listed() == "reporter, analyst, decision_maker, observer or admin"
    assert listed((UserRole.ANALYST,)) == "analyst"
