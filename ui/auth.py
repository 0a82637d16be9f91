"""Who is using the app: an anonymous reader, or a curator signed in through OIDC (st.login) or a password.

Configured in .streamlit/secrets.toml (never committed):
- an OIDC provider in an [auth] section (Streamlit's st.login settings) plus
  `curator_emails = ["name@example.org", ...]`: only those signed-in users may import;
- else `curator_password = "..."`: whoever enters it may import in that session;
- with neither, nobody can import from the app (python -m db.ingest still works on the server).
"""

import hmac
import logging
import threading
import time

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from db.service import ANONYMOUS, Actor
from ui.pages import CURATE

MAX_ATTEMPTS = 5
LOCKOUT_WINDOW_S = 15 * 60  # wrong passwords from one address are counted over this window, across sessions
log = logging.getLogger("observatory.auth")
HOW_TO_CONFIGURE = (
    "Imports from the app are switched off. To allow them, add to .streamlit/secrets.toml either an [auth] "
    "section for an OIDC provider (see Streamlit's st.login) with curator_emails = [...] listing who may import, "
    "or curator_password = '...'. Imports also work on the server with: python -m db.ingest FILE."
)


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except (FileNotFoundError, StreamlitSecretNotFoundError):
        return {}


def mode() -> str | None:
    """'oidc', 'password' or None (nobody can import), from the secrets."""
    secrets = _secrets()
    if isinstance(secrets.get("auth"), dict) and secrets["auth"]:
        return "oidc"
    if str(secrets.get("curator_password") or ""):
        return "password"
    return None


def _oidc_email() -> str | None:
    return st.user.get("email") if st.user.get("is_logged_in") else None


def _provider() -> str | None:
    """The named provider of a multi-provider [auth] section ([auth.google]), or None for a single one."""
    return next((k for k, v in _secrets().get("auth", {}).items() if isinstance(v, dict)), None)


def current_actor() -> Actor:
    """The signed-in curator, or the anonymous actor."""
    how = mode()
    if how == "oidc":
        email = _oidc_email()
        allowed = {str(e).strip().lower() for e in _secrets().get("curator_emails", [])}
        if email and email.strip().lower() in allowed:
            return Actor(email, "oidc")
    if how == "password" and st.session_state.get("_curator_signed_in"):
        return Actor("curator (password)", "password")
    return ANONYMOUS


class AttemptLedger:
    """Wrong password attempts per client address, shared by every session of this server process.

    A reload starts a new session, so a per-session count alone would let anyone retry without end.
    """

    def __init__(self, limit: int = MAX_ATTEMPTS, window_s: float = LOCKOUT_WINDOW_S):
        self.limit, self.window_s = limit, window_s
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> list[float]:
        kept = [t for t in self._failures.get(address, []) if now - t < self.window_s]
        self._failures[address] = kept
        return kept

    def locked(self, address: str, now: float | None = None) -> bool:
        with self._lock:
            return len(self._recent(address, now or time.time())) >= self.limit

    def fail(self, address: str, now: float | None = None) -> int:
        with self._lock:
            recent = self._recent(address, now or time.time())
            recent.append(now or time.time())
            return len(recent)

    def clear(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)


@st.cache_resource
def ledger() -> AttemptLedger:
    return AttemptLedger()


def client_address() -> str:
    """The address the request came from (behind a reverse proxy: the proxy's, unless it forwards the client's)."""
    try:
        return str(st.context.ip_address or "unknown")
    except AttributeError:
        return "unknown"


def _check_password() -> None:
    address = client_address()
    book = ledger()
    entered = st.session_state.pop("curator_password_input", "") or ""
    secret = str(_secrets().get("curator_password") or "")
    if book.locked(address):
        log.warning("curator sign-in refused: %s is locked out after %d wrong passwords", address, MAX_ATTEMPTS)
        st.session_state["_curator_attempts"] = MAX_ATTEMPTS
        return
    if secret and hmac.compare_digest(entered.encode(), secret.encode()):
        st.session_state["_curator_signed_in"] = True
        st.session_state["_curator_attempts"] = 0
        book.clear(address)
        log.info("curator signed in with the password from %s", address)
        return
    failures = book.fail(address)
    st.session_state["_curator_attempts"] = failures
    log.warning("wrong curator password from %s (%d in %d min)", address, failures, LOCKOUT_WINDOW_S // 60)


def _sign_out() -> None:
    st.session_state.pop("_curator_signed_in", None)


def sign_in_panel() -> None:
    """The curator sign-in / sign-out form of the sign-in page (ui.pages.SIGN_IN)."""
    how = mode()
    actor = current_actor()
    if not actor.is_anonymous:
        st.text(f"Signed in as {actor.name}.")
        st.page_link(CURATE.file, label=CURATE.title, icon=CURATE.icon)
        if how == "oidc":
            st.button("Sign out", key="curator_sign_out", on_click=st.logout)
        else:
            st.button("Sign out", key="curator_sign_out", on_click=_sign_out)
    elif how == "oidc":
        email = _oidc_email()
        if email:
            st.text(f"{email} is not on the curator list.")
            st.button("Sign out", key="curator_sign_out", on_click=st.logout)
        else:
            st.button("Sign in", key="curator_sign_in", on_click=st.login, args=(_provider(),))
    elif how == "password":
        attempts = st.session_state.get("_curator_attempts", 0)
        if attempts >= MAX_ATTEMPTS or ledger().locked(client_address()):
            st.error(f"Too many wrong passwords from this address: try again in {LOCKOUT_WINDOW_S // 60} minutes.")
            return
        if attempts:
            st.error("Wrong password.")
        with st.form("curator_sign_in_form", border=False, width=400):
            st.text_input("Curator password", type="password", key="curator_password_input")
            st.form_submit_button("Sign in", on_click=_check_password)
    else:
        st.caption(HOW_TO_CONFIGURE)
