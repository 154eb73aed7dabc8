"""Who may do what (P05), as DRF permission classes."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


class IsAdmin(BasePermission):
    """The caller has the `admin` role (checked before anything is looked up)."""

    message = "Administrator role required"

    def has_permission(self, request: Request, view: APIView) -> bool:
        user: Any = request.user
        return bool(user is not None and getattr(user, "is_admin", False))
