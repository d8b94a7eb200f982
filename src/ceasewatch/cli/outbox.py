"""`ceasewatch outbox`: the notifications waiting, sent and dead; send, retry, acknowledge."""

from __future__ import annotations

from typing import Annotated

import typer

from . import app
from .common import Db, HelpGroup, MailFrom, Smtp, fail, out, system_at, webhook_targets

outbox_app = typer.Typer(
    cls=HelpGroup,
    help="Notifications to the parties (webhooks and e-mail).",
    invoke_without_command=True,
)
app.add_typer(outbox_app, name="outbox")


@outbox_app.callback()
def outbox_list(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="pending, sending, sent, dead or acknowledged.")
    ] = None,
    party: Annotated[str | None, typer.Option(help="Only this party's.")] = None,
    db: Db = None,
) -> None:
    """The outbox: counts by status, then the messages (dead letters with their errors)."""
    if ctx.invoked_subcommand is not None:
        return
    from ..services.reads import outbox
    from .tables import Fitted, Sheet, Stamps

    with system_at(db) as system:
        found = outbox.listing(system, status=status, party=party)
    counts, listed = found.counts, found.items
    out.print(", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "the outbox is empty")
    if not listed:
        return

    def build(stamps: Stamps) -> Sheet:
        headers = ["#", "status", "to", "about", "case", "tries", "next try", "last error"]
        sheet = Sheet(stamps.titled("Messages"), headers)
        for m in listed:
            sheet.add(
                str(m["id"]),
                m["status"],
                f"{m['party']} by {m['channel']}",
                m["kind"].replace("_", " "),
                m["case_id"],
                str(m["attempts"]),
                stamps(m["next_attempt_at"]),
                m["last_error"] or "",
            )
        return sheet

    out.print(Fitted(build, (m["next_attempt_at"] for m in listed)))


@outbox_app.command("send")
def outbox_send(
    smtp: Smtp = None, mail_from: MailFrom = "ceasewatch@localhost", db: Db = None
) -> None:
    """Send what is due now, once (live mode sends all the time, beside the clock)."""
    from ..notify.net import NetTransport
    from ..services import sender
    from ..services.clock import WallClock

    transport = NetTransport(smtp, webhooks=webhook_targets())
    with system_at(db) as system:
        done = sender.deliver_due(system, transport, WallClock().now(), mail_from=mail_from)
    transport.close()
    out.print(f"{done.sent} sent, {done.retrying} to retry, {done.dead} dead")
    for error in done.errors:
        out.print(f"  {error}", markup=False)


@outbox_app.command("check-mail")
def outbox_check_mail(
    to: Annotated[str, typer.Argument(help="The address the test message goes to.")],
    smtp: Smtp = None,
    mail_from: MailFrom = "ceasewatch@localhost",
) -> None:
    """Send a test message through the SMTP server now, as the outbox sends its mail, to
    check the settings: exit 1 naming what failed."""
    from ..notify.net import NetTransport
    from ..notify.smtp import SmtpServer
    from ..services import notify
    from ..services.clock import WallClock

    if not smtp:
        fail("no SMTP server: set CEASEWATCH_SMTP or give --smtp", 1)
    transport = NetTransport(smtp)
    try:
        notify.check_mail(transport, to, mail_from, WallClock().now())
    except notify.DeliveryFailed as exc:
        fail(f"not sent: {exc}", 1)
    except ValueError as exc:  # an address no message can carry (a line break in it)
        fail(f"not sent: {exc}")
    finally:
        transport.close()
    out.print(f"sent to {to} through {SmtpServer.parse(smtp)}", markup=False)


@outbox_app.command("check-webhook")
def outbox_check_webhook(
    party: Annotated[str, typer.Argument(help="The party's code in the directory.")],
    db: Db = None,
) -> None:
    """Send the party's webhook receiver a signed test message now, as the outbox sends its
    webhooks (`X-Ceasewatch-Kind: test`), for the party to check its receiver: exit 1
    naming what failed."""
    from ..notify.net import NetTransport
    from ..services import notify
    from ..services.clock import WallClock
    from ..services.reads import directory

    with system_at(db) as system:
        found = directory.party(system, party)
    if found is None:
        fail(f"no party {party} in the directory", 1)
    transport = NetTransport(webhooks=webhook_targets())
    try:
        url = notify.check_webhook(transport, found, WallClock().now())
    except notify.DeliveryFailed as exc:
        fail(f"not taken: {exc}", 1)
    finally:
        transport.close()
    out.print(f"{party}'s receiver at {url} took a signed test message", markup=False)


@outbox_app.command("retry")
def outbox_retry(
    message: Annotated[int, typer.Argument(help="The message's number.")], db: Db = None
) -> None:
    """Send a dead message again, from its first attempt."""
    from ..services import notify

    with system_at(db) as system:
        if not notify.retry(system, message):
            fail(f"no message #{message}", 1)
    out.print(f"#{message} will be sent again")


@outbox_app.command("ack")
def outbox_ack(
    message: Annotated[int, typer.Argument(help="The message's number.")],
    by: Annotated[str, typer.Option(help="Who acknowledges it.")],
    db: Db = None,
) -> None:
    """Acknowledge a message: its retries stop (an overdue action's deadline does not)."""
    from ..services import notify
    from ..services.clock import WallClock

    with system_at(db) as system:
        if not notify.acknowledge(system, message, by, WallClock().now()):
            fail(f"no message #{message}", 1)
    out.print(f"#{message} acknowledged")
