"""Response models the structured bare apps share: the user as the service's `UserRead` shows it."""

from __future__ import annotations

from pydantic import BaseModel


class UserOut(BaseModel):
    id: int
    email: str
    full_name: str | None
    role: str
    is_active: bool
