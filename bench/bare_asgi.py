"""The ceiling: an app on Understudy's own stack (uvicorn and Starlette) that parses the JSON body
and returns a fixed DescribeWorkspaces answer, with no protocol, rules or storage at all.

    uvicorn bench.bare_asgi:app --port 4700 --log-level warning --no-access-log
"""

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_ANSWER = orjson.dumps({"Workspaces": [{"WorkspaceId": "ws-abcdefghi", "DirectoryId": "d-1234567890",
                                        "UserName": "alice", "State": "AVAILABLE", "BundleId": "wsb-abcdefghi"}]})


async def api(request: Request) -> Response:
    orjson.loads(await request.body())
    return Response(_ANSWER, media_type="application/x-amz-json-1.1", headers={"x-amzn-RequestId": "bench"})


app = Starlette(routes=[Route("/", api, methods=["POST"])])
