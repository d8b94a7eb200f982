"""How hard the outbox pushes: the defaults of `notify` and `sender`, apart from them so
that `ceasewatch run --help` can show them without loading an HTTP client."""

TIMEOUT = 10.0
"""Seconds a receiver has to connect, and then for each part of its answer."""
WHOLE_EXCHANGE = 3
"""A webhook delivery may take this many timeouts in all: the timeout bounds each part
of an answer, so a receiver that trickled its answer a byte at a time would otherwise
hold a sender's lane for days."""
PER_ENDPOINT = 4
"""Messages sent at once to one webhook URL or SMTP server."""
SENDERS = 32
"""Messages sent at once in all."""
