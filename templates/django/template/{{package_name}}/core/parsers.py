"""Request body parsers: any body that cannot be parsed is one error (400 MALFORMED_REQUEST)."""

from collections.abc import Iterable
from typing import Any

from rest_framework import parsers as drf_parsers
from rest_framework.exceptions import ParseError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request


class JSONParser(drf_parsers.JSONParser):
    """DRF's JSON parser (strict: no `NaN`), which also refuses a body nested too deeply for
    the decoder (Python's `RecursionError`) instead of failing with a 500."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON nested too deeply") from exc


class JSONByDefaultNegotiation(DefaultContentNegotiation):
    """A body sent without a `Content-Type` is read as JSON (clients often omit it); any
    other media type the view does not parse is refused (a 422: the body is not an object)."""

    def select_parser(
        self, request: Request, parsers: Iterable[drf_parsers.BaseParser]
    ) -> drf_parsers.BaseParser | None:
        candidates = list(parsers)
        if not request.content_type:
            for parser in candidates:
                if isinstance(parser, drf_parsers.JSONParser):
                    return parser
        return super().select_parser(request, candidates)
