"""Understudy: a local Amazon WorkSpaces endpoint."""

__version__ = "0.1.0"


def serve_in_thread(*args, **kwargs):
    """Starts an Understudy server in a background thread: see understudy.embedded.serve_in_thread."""
    from understudy.embedded import serve_in_thread as start

    return start(*args, **kwargs)


def mock(*args, **kwargs):
    """Answers boto3's WorkSpaces and Directory Service clients in this process, with no server: a context
    manager and decorator (see understudy.inprocess.mock)."""
    from understudy.inprocess import mock as in_process

    return in_process(*args, **kwargs)
