"""Understudy: a local Amazon WorkSpaces endpoint."""

__version__ = "0.1.0"


def serve_in_thread(*args, **kwargs):
    """Starts an Understudy server in a background thread: see understudy.embedded.serve_in_thread."""
    from understudy.embedded import serve_in_thread as start

    return start(*args, **kwargs)
