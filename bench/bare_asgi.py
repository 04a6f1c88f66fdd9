"""The ceiling: a bare ASGI callable on uvicorn with httptools and uvloop, the stack Understudy serves
on. It reads the whole body, decodes its JSON, looks at X-Amz-Target and answers a fixed
DescribeWorkspaces result: the HTTP and JSON work every request needs, and nothing else.

    uvicorn bench.bare_asgi:app --port 4700 --http httptools --loop uvloop --log-level warning --no-access-log
"""

import orjson

_ANSWER = orjson.dumps({"Workspaces": [{"WorkspaceId": "ws-abcdefghi", "DirectoryId": "d-1234567890",
                                        "UserName": "alice", "State": "AVAILABLE", "BundleId": "wsb-abcdefghi",
                                        "WorkspaceProperties": {"RunningMode": "ALWAYS_ON"}}]})
_HEADERS = [(b"content-type", b"application/x-amz-json-1.1"), (b"x-amzn-requestid", b"bench"),
            (b"content-length", str(len(_ANSWER)).encode())]


async def app(scope, receive, send) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    orjson.loads(body or b"{}")
    target = next((v for k, v in scope["headers"] if k == b"x-amz-target"), b"")
    status = 200 if target.startswith(b"WorkspacesService.") else 400
    await send({"type": "http.response.start", "status": status, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": _ANSWER})
