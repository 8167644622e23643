"""A JSON response serialised with orjson (dates, speed), for the API's hand-built shapes."""

from typing import Any

import orjson
from starlette.responses import JSONResponse


class JSON(JSONResponse):  # a JSONResponse, so the OpenAPI description says application/json

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
