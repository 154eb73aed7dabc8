"""Django settings of the structured bare app (`django_structured_app.py`): the bare app's
database and cache, plus what the contract makes a DRF service carry: DRF (the views name their
bearer authentication class), `IsAuthenticated` and JSON only, and the CORS and GZip middleware."""

from __future__ import annotations

from django_settings import (
    ALLOWED_HOSTS,
    CACHES,
    DATABASES,
    DEBUG,
    INSTALLED_APPS,
    SECRET_KEY,
    USE_TZ,
)

__all__ = ["ALLOWED_HOSTS", "CACHES", "DATABASES", "DEBUG", "SECRET_KEY", "USE_TZ"]

ROOT_URLCONF = "django_structured_app"
INSTALLED_APPS = [*INSTALLED_APPS, "corsheaders"]
MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.gzip.GZipMiddleware",
]
CORS_ALLOWED_ORIGINS = ["http://localhost:3000"]
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}
