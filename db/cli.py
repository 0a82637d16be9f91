"""What every command line tool shares: signals that still run cleanup code."""

import signal


def exit_cleanly_on_signals() -> None:
    """Turn SIGTERM and SIGHUP into SystemExit, so `finally` blocks remove temporary files and release locks.

    (SIGKILL cannot be caught: the build removes what a killed run left behind when it next starts.)
    """

    def _exit(signum, _frame):
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _exit)
