"""The server's own upload endpoint takes files only from signed-in curators' sessions (ui/upload_gate.py).

Streamlit accepts a PUT to /_stcore/upload_file/{session_id}/{file_id} from any live session carrying its XSRF
token, whatever its page shows. Here a real browser session sends exactly such a request before and after its
user signs in as a curator, on one server started with a curator password.
"""

import pytest
from playwright.sync_api import Page
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.e2e.conftest import streamlit_server

PASSWORD = "e2e upload gate"


@pytest.fixture(scope="module")
def curator_url(app_db, tmp_path_factory):
    url, data_dir = app_db
    folder = tmp_path_factory.mktemp("upload-gate")
    secrets = folder / "secrets.toml"
    secrets.write_text(f'curator_password = "{PASSWORD}"\n')
    with streamlit_server(url, data_dir, folder / "streamlit.log", f"--secrets.files={secrets}") as base:
        yield base


def session_id_of(page: Page, url: str) -> str:
    """Open the URL and read the session id the server gives this tab (its first message on the websocket).

    The URL is the sign-in page, where a curator starts: signing in there keeps the same session.
    """
    ids: list[str] = []

    def on_frame(payload) -> None:
        if isinstance(payload, bytes) and not ids:
            msg = ForwardMsg.FromString(payload)
            if msg.HasField("new_session"):
                ids.append(msg.new_session.initialize.session_id)

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    page.goto(url)
    page.get_by_label("Curator password").wait_for(timeout=30_000)
    assert ids, "no session id arrived on the websocket"
    return ids[0]


def put_file(page: Page, base: str, session_id: str):
    """The request the browser's file uploader sends, with this tab's cookies and XSRF token."""
    xsrf = next(c["value"] for c in page.context.cookies() if c["name"] == "_streamlit_xsrf")
    return page.request.put(
        f"{base}/_stcore/upload_file/{session_id}/probe-file",
        headers={"X-Xsrftoken": xsrf},
        multipart={"file": {"name": "releases.csv", "mimeType": "text/csv", "buffer": b"x" * 100_000}},
    )


def test_uploads_are_refused_to_readers_and_taken_from_curators(page: Page, curator_url):
    session_id = session_id_of(page, f"{curator_url}/sign-in")
    refused = put_file(page, curator_url, session_id)
    assert refused.status == 403
    assert "signed-in curators" in refused.text()
    # A session id that is not a live session is refused the same way, before Streamlit looks at it.
    assert put_file(page, curator_url, "not-a-session").status == 403

    # The same tab signs in; from its next run on, the server takes its uploads.
    page.get_by_label("Curator password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for(timeout=30_000)
    taken = put_file(page, curator_url, session_id)
    assert taken.status in (200, 204), taken.text()

    # And the Import page's own uploader works end to end for the curator.
    page.get_by_test_id("stSidebarNav").get_by_text("Import data").click()
    page.get_by_test_id("stFileUploader").wait_for(timeout=30_000)
    page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(
        files=[{"name": "releases.csv", "mimeType": "text/csv", "buffer": b"release_id,model_id\n"}]
    )
    # The page offers the import only once the server holds the file.
    page.get_by_role("button", name="Validate and import").wait_for(timeout=30_000)
