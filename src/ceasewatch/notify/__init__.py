"""Notification transports: the adapters that put the outbox's messages on the wire.

The sending service (`services.sender`, `services.notify`) works with any `Transport`
(`services.notify.Transport`: a webhook POST and an e-mail); `NetTransport` is the real
one, over HTTP (`webhook.py`) and SMTP (`smtp.py`). Tests use a fake that records what
it was given. A new way of telling parties is a new module here.
"""
