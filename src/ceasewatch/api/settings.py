"""The API's configuration, read from the environment as the web's is, so that every worker
of `ceasewatch serve --workers N` agrees:

- `CEASEWATCH_POLICY_DIR`: a folder of policy files that `POST /api/v1/ceasefires` may
  name as a ceasefire's `policy`. Unset (the default), only the shipped policies may be
  named (or a policy given whole in `policy_yaml`): a client never makes the server read
  a file of its choosing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import policy_dir_from_env


@dataclass(frozen=True)
class ApiSettings:
    policy_dir: Path | None = None

    @classmethod
    def from_env(cls) -> ApiSettings:
        return cls(policy_dir=policy_dir_from_env())
