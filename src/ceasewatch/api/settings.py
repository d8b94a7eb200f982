"""The API's configuration, read from the environment as the web's is, so that every worker
of `ceasewatch serve --workers N` agrees:

- `CEASEWATCH_POLICY_DIR`: a folder of policy files that `POST /api/v1/ceasefires` may
  name as a ceasefire's `policy`. Unset (the default), only the shipped policies may be
  named (or a policy given whole in `policy_yaml`): a client never makes the server read
  a file of its choosing.
- `CEASEWATCH_WEBHOOK_ALLOW`: networks and host names besides public addresses that a
  party's `webhook_url` may point at (see `ceasewatch.services.webhook_targets`); `run`
  and `outbox send`, which send, read it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config import policy_dir_from_env
from ..services.webhook_targets import WebhookTargets


@dataclass(frozen=True)
class ApiSettings:
    policy_dir: Path | None = None
    webhooks: WebhookTargets = field(default_factory=WebhookTargets)

    @classmethod
    def from_env(cls) -> ApiSettings:
        return cls(policy_dir=policy_dir_from_env(), webhooks=WebhookTargets.from_env())
