"""The bare Django app's work, served through the mechanisms the contract asks of a DRF service.

`django_app.py` answers with plain Django function views and no middleware: the cheapest path
Django has. A service that keeps the contract cannot: its views are DRF views whose caller comes
from an authentication class and a permission class (P03), its responses go through serializers
(P18: the OpenAPI document is built from them), its request bodies are validated by serializers
(P02), and CORS and compression are middleware (P19). This app does exactly the bare app's work
(it calls the same functions) through those mechanisms and nothing else: no rate limit, no
request id, no access log, no error envelope, no reused request threads. The benchmark's
`--bare structured` measures the service against it, which separates what Django and DRF charge
for the contract's structure from what the service's own code costs.

Run as the bare app, with `DJANGO_SETTINGS_MODULE=django_structured_settings`.
"""

from __future__ import annotations

from typing import Any

from django.core.asgi import get_asgi_application
from django.urls import path
from django_app import (
    InsufficientFunds,
    Unauthorized,
    caller,
    health_checks,
    make_transfer,
    post,
    user_record,
    users_page,
)
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class Caller(dict[str, Any]):
    """The caller's cached record; DRF's `IsAuthenticated` asks it `is_authenticated`."""

    is_authenticated = True


class BearerAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Caller, None] | None:
        authorization = request.headers.get("Authorization")
        if authorization is None:
            return None
        try:
            return Caller(caller(authorization)), None
        except Unauthorized as exc:
            raise AuthenticationFailed from exc

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"


class BareView(APIView):
    """Every view's caller comes from the bearer token (as the service's default
    authentication class: a class named in the settings could not live in this module, which
    DRF's views import)."""

    authentication_classes = (BearerAuthentication,)


class UserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField(allow_null=True)
    role = serializers.ChoiceField(choices=["user", "admin"])
    is_active = serializers.BooleanField()


class PostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    author_id = serializers.IntegerField()
    created_at = serializers.CharField()


class TransferSerializer(serializers.Serializer):
    from_account_id = serializers.IntegerField(min_value=1)
    to_account_id = serializers.IntegerField(min_value=1)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2)


class MeView(BareView):
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(request.user).data)


class UserView(BareView):
    def get(self, request: Request, user_id: int) -> Response:
        record = user_record(user_id)
        if record is None:
            raise NotFound
        return Response(UserSerializer(record).data)


class PostView(BareView):
    def get(self, request: Request, post_id: int) -> Response:
        record = post(post_id)
        if record is None:
            raise NotFound
        return Response(PostSerializer(record).data)


class UserListView(BareView):
    def get(self, request: Request) -> Response:
        page = users_page()
        page["items"] = [
            {**UserSerializer(item).data, "posts": item["posts"]} for item in page["items"]
        ]
        return Response(page)


class HealthView(BareView):
    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get(self, request: Request) -> Response:
        return Response(health_checks())


class TransferView(BareView):
    def post(self, request: Request) -> Response:
        body = TransferSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            record = make_transfer(
                request.user, data["from_account_id"], data["to_account_id"], data["amount"]
            )
        except InsufficientFunds as exc:
            raise ValidationError("insufficient funds") from exc
        return Response(record, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("users/me", MeView.as_view()),
    path("users/<int:user_id>", UserView.as_view()),
    path("users", UserListView.as_view()),
    path("posts/<int:post_id>", PostView.as_view()),
    path("health", HealthView.as_view()),
    path("transfers", TransferView.as_view()),
]

app = get_asgi_application()
