"""Only signed-in curators may upload: an ASGI middleware in front of Streamlit's upload endpoint.

Streamlit accepts a file at /_stcore/upload_file/{session_id}/{file_id} from any open session that sends its
XSRF token, whether or not its page shows a file uploader; an anonymous visitor could fill the server's memory
with files up to server.maxUploadSize each. The frame (app.py) records, on every run, whether its session
belongs to a signed-in curator; this middleware answers 403 to uploads from every other session before
Streamlit reads a byte of the body. Sessions are per server process, so the record is too.
"""

import re
import threading

from starlette.types import ASGIApp, Receive, Scope, Send

UPLOAD_PATH = re.compile(r"/_stcore/upload_file/(?P<session_id>[^/]+)/")
REFUSED = b"Uploads are open to signed-in curators only."

_curators: set[str] = set()
_lock = threading.Lock()


def record_session(session_id: str, is_curator: bool) -> None:
    """Called by the frame on every run: this session may upload only while its user is a curator."""
    with _lock:
        if is_curator:
            _curators.add(session_id)
        else:
            _curators.discard(session_id)


def may_upload(session_id: str) -> bool:
    with _lock:
        return session_id in _curators


class UploadGate:
    """Refuse PUT and POST to the upload endpoint from sessions that are not signed-in curators."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("PUT", "POST"):
            # search, not match: a base URL path (server.baseUrlPath) may come before /_stcore
            found = UPLOAD_PATH.search(scope["path"])
            if found and not may_upload(found["session_id"]):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 403,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                    }
                )
                await send({"type": "http.response.body", "body": REFUSED})
                return
        await self.app(scope, receive, send)
