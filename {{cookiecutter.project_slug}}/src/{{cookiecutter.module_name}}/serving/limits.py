"""A limit on request bodies: 413 for a body larger than any valid request can be.

Starlette reads a body whole before validation starts, so without a limit a client can
make the service hold megabytes per request. A declared Content-Length over the limit is
refused before anything is read; a body sent in chunks is counted as it arrives and
refused as soon as it passes the limit.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(BaseException):
    """Raised from `receive` once a chunked body passes the limit. A BaseException:
    FastAPI turns any Exception met while reading a body into a 400."""


class BodySizeLimit:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self.too_large(scope, receive, send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise BodyTooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if started:
                raise
            await self.too_large(scope, receive, send)

    async def too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        detail = [
            {
                "loc": ["body"],
                "msg": f"the request body is over {self.limit} bytes",
                "type": "too_large",
            }
        ]
        await JSONResponse({"detail": detail}, status_code=413)(scope, receive, send)
