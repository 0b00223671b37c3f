"""The shared sandbox HTTP stack: parsing, streaming, dropping, failing routes and the recording hook."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sandbox.httpkit import DROP, HttpServer, Request, Response


def route(request: Request) -> Response:
    if request.path == "/echo":
        return Response.json({"method": request.method, "query": request.query, "params": _text(request)})
    if request.path == "/stream":
        return Response(
            200, (part.encode() for part in ("a" * 10, "", "b" * 5)), {"Content-Type": "text/plain"}
        )
    if request.path == "/drop":
        return DROP
    raise RuntimeError("boom")


def _text(request: Request) -> dict[str, str]:
    return {k: v.decode() if isinstance(v, bytes) else str(v) for k, v in request.params().items()}


@pytest.fixture
def served() -> Iterator[tuple[HttpServer, list[Request]]]:
    seen: list[Request] = []
    server = HttpServer(route, on_error=lambda _r: Response.text("sorry", status=502), record=seen.append)
    server.start()
    yield server, seen
    server.stop()


def test_query_form_json_and_multipart_bodies(served):
    server, seen = served
    with httpx.Client(base_url=server.url) as client:
        form = client.put("/echo?a=1&a=2&blank=", data={"x": "y"}).json()
        assert form == {
            "method": "PUT",
            "query": {"a": "2", "blank": ""},
            "params": {"a": "2", "blank": "", "x": "y"},
        }
        assert client.post("/echo", json={"n": 1}).json()["params"] == {"n": "1"}
        upload = client.post("/echo", data={"title": "t"}, files={"file": ("f.txt", b"data")}).json()
        assert upload["params"] == {"title": "t", "file": "data"}
    assert [r.method for r in seen] == ["PUT", "POST", "POST"] and seen[0].headers["content-type"].startswith(
        "application/x-www-form-urlencoded"
    )


def test_chunked_stream_drop_and_failing_route(served):
    server, _ = served
    with httpx.Client(base_url=server.url) as client:
        streamed = client.get("/stream")
        assert streamed.text == "a" * 10 + "b" * 5 and streamed.headers["transfer-encoding"] == "chunked"
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/drop")
        assert (client.get("/boom").status_code, client.get("/boom").text) == (502, "sorry")


def test_a_stopped_server_ends_kept_alive_connections_instead_of_answering_on_them() -> None:
    """A browser tab keeps its connection open; after a restart in the same process it must reach the
    new server, never a handler thread of the old one."""
    server = HttpServer(route).start()
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/echo").status_code == 200  # the connection is now kept alive
        server.stop()
        with pytest.raises(httpx.TransportError):
            client.get("/echo")
