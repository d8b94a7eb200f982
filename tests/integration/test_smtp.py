"""E-mail through the operator's SMTP server, for real on loopback: over TLS that is
verified, logging in over TLS only, and never held by the server past the whole
exchange's deadline, however it answers."""

from __future__ import annotations

import socket
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from api_world import NOW, build
from certificates import Authority, authority
from servers import Receiver, raw_server, smtp_server
from test_notifications import LOOPBACK, outbox_rows, with_contacts
from typer.testing import CliRunner

from ceasewatch.cli import app
from ceasewatch.notify import smtp
from ceasewatch.notify.net import NetTransport
from ceasewatch.notify.smtp import REPLIES, HostName, SmtpMail, SmtpServer, address_literal
from ceasewatch.services import sender
from ceasewatch.services.delivery import WHOLE_EXCHANGE
from ceasewatch.services.notify import DeliveryFailed
from ceasewatch.services.system import System

TIMEOUT = 0.5
"""The send timeout these tests give: each part of an answer within it."""
USER, PASSWORD = "officer", "p@ss:word/1"


@pytest.fixture
def trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Authority:
    """An authority of the test's own, which the client trusts (as an operator with a
    relay of an internal authority would, through `SSL_CERT_FILE`)."""
    found = authority(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(found.certificate))
    return found


def message() -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "ceasewatch@example.org", "ua@example.org", "due"
    mail.set_content("Phase 1 is due.")
    return mail


def logins(seen: list[tuple[str, str]]) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        seen.append((data.login.decode(), data.password.decode()))
        known = (data.login.decode(), data.password.decode()) == (USER, PASSWORD)
        return AuthResult(success=known, handled=False)  # aiosmtpd answers 235 or 535

    return check


LOGIN = "officer:p%40ss%3Aword%2F1@"
"""USER and PASSWORD in a URL, percent-encoded."""


def relay(trusted: Authority, seen: list[tuple[str, str]] | None = None) -> Any:
    """A relay as mail providers run them: STARTTLS required before anything else, and
    logging in over TLS (the logins it is given added to `seen`)."""
    return smtp_server(
        tls_context=trusted.server_context(),
        require_starttls=True,
        authenticator=logins([] if seen is None else seen),
        auth_require_tls=True,
    )


def send(url: str) -> str | None:
    """Send one message in a thread: None once the server took it, or why it failed."""
    outcome: list[str | None] = []

    def sending() -> None:
        try:
            SmtpMail(url, TIMEOUT).send(message())
            outcome.append(None)
        except DeliveryFailed as exc:
            outcome.append(f"{type(exc).__name__}: {exc}")

    thread = threading.Thread(target=sending, daemon=True)
    thread.start()
    thread.join(60)  # far past any deadline: a send still going here never ends
    assert outcome, "the send never ended"
    return outcome[0]


def with_scheme(url: str, scheme: str, login: str = "") -> str:
    return url.replace("smtp://", f"{scheme}://{login}", 1)


def test_mail_goes_over_starttls_and_logs_in(trusted: Authority):
    seen: list[tuple[str, str]] = []
    with relay(trusted, seen) as (url, received):
        assert send(with_scheme(url, "smtp+starttls", LOGIN)) is None

    assert seen == [(USER, PASSWORD)]
    assert [mail["Subject"] for mail in received] == ["due"]


def test_mail_goes_over_tls_from_the_first_byte(trusted: Authority):
    with smtp_server(ssl_context=trusted.server_context()) as (url, received):
        assert send(with_scheme(url, "smtps")) is None

    assert [mail["Subject"] for mail in received] == ["due"]


def test_the_parties_mail_goes_out_over_tls_to_a_server_that_requires_it(
    system: System, tmp_path: Path, trusted: Authority
):
    world = build(system, tmp_path, before_reports=lambda w: with_contacts(w, Receiver()))
    mails = [row for row in outbox_rows(world.system) if row["channel"] == "email"]
    with relay(trusted) as (url, received):
        transport = NetTransport(with_scheme(url, "smtp+starttls", LOGIN), webhooks=LOOPBACK)
        sender.deliver_due(world.system, transport, NOW)

    assert mails and {mail["Message-ID"] for mail in received} == {
        f"<{row['key']}@ceasewatch>" for row in mails
    }


def test_a_wrong_password_is_a_failure_that_names_the_refusal(trusted: Authority):
    seen: list[tuple[str, str]] = []
    with smtp_server(
        tls_context=trusted.server_context(), authenticator=logins(seen), auth_require_tls=True
    ) as (url, received):
        failure = send(with_scheme(url, "smtp+starttls", "officer:guess@"))

    assert failure is not None and failure.startswith("DeliveryFailed: SMTPAuthenticationError")
    assert received == []


def test_a_certificate_no_trusted_authority_signed_is_refused(tmp_path: Path):
    """The client trusts only the system's authorities here, not the server's."""
    stranger = authority(tmp_path)
    with smtp_server(tls_context=stranger.server_context()) as (url, received):
        failure = send(with_scheme(url, "smtp+starttls"))

    assert failure is not None and "CERTIFICATE_VERIFY_FAILED" in failure
    assert received == []


def test_a_server_that_offers_no_tls_gets_nothing_in_the_clear():
    with smtp_server() as (url, received):
        failure = send(with_scheme(url, "smtp+starttls", "officer:secret@"))

    assert failure == (
        "DeliveryFailed: SMTPNotSupportedError: STARTTLS extension not supported by server."
    )
    assert received == []


def trickled_greeting(conn: socket.socket) -> None:
    """A greeting that never ends, a byte well within each timeout."""
    conn.sendall(b"220 ")
    while True:
        conn.sendall(b"x")
        time.sleep(TIMEOUT / 5)


def endless_continuation(conn: socket.socket) -> None:
    """A greeting of continuation lines, as fast as they are taken, that never ends."""
    line = b"220-" + b"x" * 1000 + b"\r\n"
    while True:
        conn.sendall(line)


def test_a_greeting_trickled_a_byte_at_a_time_is_cut_off_at_the_whole_exchanges_deadline():
    with raw_server(trickled_greeting, speaks_first=True) as base:
        began = time.monotonic()
        failure = send(base.replace("http://", "smtp://"))
        took = time.monotonic() - began

    assert failure == f"TooSlow: no whole exchange within {WHOLE_EXCHANGE * TIMEOUT:g} s"
    assert took < 30, "cut off long after its deadline"


def test_a_reply_whose_lines_never_end_is_cut_off_at_its_size():
    with raw_server(endless_continuation, speaks_first=True) as base:
        failure = send(base.replace("http://", "smtp://"))

    assert (
        failure
        == f"DeliveryFailed: TooMuchReply: the server's replies passed {REPLIES // 1024} KiB"
    )


def test_a_send_does_not_wait_for_this_hosts_name_but_gives_its_address(
    monkeypatch: pytest.MonkeyPatch,
):
    dns_answers = threading.Event()  # a host whose reverse lookups hang
    monkeypatch.setattr(smtp, "THIS_HOST", HostName(lambda: dns_answers.wait() and "never"))
    with smtp_server() as (url, received):
        failure = send(url)
    dns_answers.set()

    assert failure is None
    assert received[0]["Received"] == "from [127.0.0.1] by 127.0.0.1"


def test_once_this_hosts_name_is_known_each_send_gives_it(monkeypatch: pytest.MonkeyPatch):
    named = HostName(lambda: "watch.example.org")
    named.name_or(None)
    for _ in range(500):
        if named.name_or("127.0.0.1") != "[127.0.0.1]":
            break
        time.sleep(0.01)
    monkeypatch.setattr(smtp, "THIS_HOST", named)
    with smtp_server() as (url, received):
        assert send(url) is None

    assert received[0]["Received"] == "from watch.example.org by 127.0.0.1"


@pytest.mark.parametrize(
    ("address", "literal"),
    [("192.0.2.1", "[192.0.2.1]"), ("::1", "[IPv6:::1]"), ("fe80::1%eth0", "[IPv6:fe80::1]")],
)
def test_an_address_is_named_as_ehlo_names_a_host_by_it(address: str, literal: str):
    assert address_literal(address) == literal


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("smtp://relay", SmtpServer("smtp", "relay", 25)),
        ("smtp+starttls://mail.example.org", SmtpServer("smtp+starttls", "mail.example.org", 587)),
        (
            "smtps://a%40b:p%2Fw@mail.example.org:2465",
            SmtpServer("smtps", "mail.example.org", 2465, "a@b", "p/w"),
        ),
    ],
)
def test_a_server_url_names_how_where_and_who(url: str, server: SmtpServer):
    assert SmtpServer.parse(url) == server


@pytest.mark.parametrize(
    ("url", "why"),
    [
        (
            "smtp://officer:secret@relay:25",
            "a password is sent over TLS only: use smtp+starttls:// or smtps://",
        ),
        (
            "smtp+tls://relay",
            "an SMTP server is smtp://, smtp+starttls:// or smtps://, not smtp+tls://",
        ),
        ("smtps://relay:port", "its port is not a number from 1 to 65535"),
        ("smtps://relay:70000", "its port is not a number from 1 to 65535"),
        ("smtps://:465", "it names no host"),
        ("smtps://relay/inbox", "it is a server, with nothing after the host and port"),
    ],
)
def test_a_server_url_that_cannot_be_used_says_why(url: str, why: str):
    with pytest.raises(ValueError) as refused:
        SmtpServer.parse(url)

    assert str(refused.value) == why


def test_a_server_shown_leaves_its_password_out():
    server = SmtpServer.parse("smtps://officer:secret@mail.example.org")

    assert str(server) == "smtps://officer@mail.example.org:465"
    assert "secret" not in repr(server)


def test_a_command_given_a_password_to_send_in_the_clear_stops_before_it_starts(db_url: str):
    result = CliRunner().invoke(
        app, ["outbox", "send", "--smtp", "smtp://officer:secret@relay:25", "--db", db_url]
    )

    assert result.exit_code == 2
    assert "a password is sent over TLS only: use smtp+starttls:// or smtps://" in result.output
    assert "secret" not in result.output


def test_a_reply_trickled_over_tls_is_cut_off_at_the_whole_exchanges_deadline(
    trusted: Authority,
):
    """After STARTTLS the exchange reads from the socket TLS made of the connection's:
    the deadline shuts the connection itself, whichever socket reads from it."""
    server_tls = trusted.server_context()

    def starttls_then_trickle(conn: socket.socket) -> None:
        file = conn.makefile("rb")
        conn.sendall(b"220 ready\r\n")
        file.readline()  # EHLO
        conn.sendall(b"250-relay\r\n250 STARTTLS\r\n")
        file.readline()  # STARTTLS
        conn.sendall(b"220 go ahead\r\n")
        secure = server_tls.wrap_socket(conn, server_side=True)
        secure.recv(1024)  # EHLO again, over TLS
        secure.sendall(b"250 ")
        while True:
            secure.sendall(b"x")
            time.sleep(TIMEOUT / 5)

    with raw_server(starttls_then_trickle, speaks_first=True) as base:
        failure = send(base.replace("http://", "smtp+starttls://"))

    assert failure == f"TooSlow: no whole exchange within {WHOLE_EXCHANGE * TIMEOUT:g} s"


def test_an_administrator_checks_the_mail_settings_with_a_test_message(trusted: Authority):
    with relay(trusted) as (url, received):
        server = with_scheme(url, "smtp+starttls", LOGIN)
        result = CliRunner().invoke(
            app, ["outbox", "check-mail", "ua@example.org"], env={"CEASEWATCH_SMTP": server}
        )

    assert result.exit_code == 0, result.output
    shown = server.replace(LOGIN, "officer@")
    assert result.output == f"sent to ua@example.org through {shown}\n"
    assert [(mail["To"], mail["Subject"]) for mail in received] == [
        ("ua@example.org", "[ceasewatch] a test message")
    ]


def test_a_check_of_the_mail_settings_names_what_failed(trusted: Authority):
    with smtp_server(
        tls_context=trusted.server_context(), authenticator=logins([]), auth_require_tls=True
    ) as (url, received):
        server = with_scheme(url, "smtp+starttls", "officer:guess@")
        result = CliRunner().invoke(
            app, ["outbox", "check-mail", "ua@example.org", "--smtp", server]
        )

    assert result.exit_code == 1
    assert result.output.startswith("error: not sent: SMTPAuthenticationError: (535")
    assert "guess" not in result.output
    assert received == []


def test_an_address_no_message_can_carry_is_refused_before_anything_is_sent():
    with smtp_server() as (url, received):
        result = CliRunner().invoke(
            app, ["outbox", "check-mail", "ua@example.org\nBcc: all@example.org", "--smtp", url]
        )

    assert result.exit_code == 2
    assert result.output.startswith("error: not sent: Header values may not contain linefeed")
    assert received == []
