"""Text fields as the records allow them: bounded, and never holding a NUL character.

PostgreSQL cannot store NUL in text, and no field of a report needs one; the bounds are
the store's column sizes, so anything that validates can be stored.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

NO_NUL = r"^[^\x00]*$"

Key = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]
"""An identifier such as a report's `id` or `source`."""

Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Z][A-Z0-9_-]*$")]
"""A party's code: `RU`, `UA`, `US`, `EU`."""

Name = Annotated[str, Field(min_length=1, max_length=500, pattern=NO_NUL)]

Text = Annotated[str, Field(max_length=20_000, pattern=NO_NUL)]
"""Free text: an account, a note."""

Reason = Annotated[str, Field(min_length=1, max_length=5000, pattern=r"^[^\x00]*\S[^\x00]*$")]
"""Why: required, not blank."""

Uri = Annotated[str, Field(min_length=1, max_length=2000, pattern=NO_NUL)]
