"""How hard the outbox pushes: the defaults of `notify` and `sender`, apart from them so
that `ceasewatch run --help` can show them without loading an HTTP client."""

TIMEOUT = 10.0
"""Seconds a receiver has to connect, and then for each part of its answer."""
PER_ENDPOINT = 4
"""Messages sent at once to one webhook URL or SMTP server."""
SENDERS = 32
"""Messages sent at once in all."""
