"""deploy/nginx/nginx.conf: `nginx -t` accepts it, and a real nginx (Debian's) started from it in
front of stand-in upstreams routes as the deployment needs: the chat page, socket.io (WebSocket
upgrade) and webhooks to any Rasa replica, without stickiness; /api/v1 to the connectors; Rasa's
HTTP API and /metrics nowhere; a refused replica's requests to another; request ids set.

Docker's DNS names (rasa, connectors) exist only inside compose, and `nginx -t` resolves them: the
test writes a copy with loopback addresses, everything else unchanged."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from scripts.stack import ROOT, free_port
from tests.deploy.manifests import DEPLOY
from vnid import request_id

# installed, or unpacked by scripts/setup.sh (make setup) from Debian's package
UNPACKED = ROOT / "var" / "tools" / "nginx" / "usr" / "sbin" / "nginx"
NGINX = shutil.which("nginx") or next(
    (str(p) for p in (Path("/usr/sbin/nginx"), UNPACKED) if p.exists()), None
)
pytestmark = pytest.mark.skipif(
    NGINX is None, reason="no nginx (make setup unpacks Debian's; or apt-get install nginx)"
)
CONF = DEPLOY / "nginx" / "nginx.conf"


def local_copy(directory: Path, rasa: list[int], connectors: int, listen: int) -> Path:
    """The config with loopback upstreams, its port, and its pid and temp files in ``directory``."""
    text = CONF.read_text()
    replacements = {
        "server rasa:5005 max_fails=1 fail_timeout=10s;": " ".join(
            f"server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in rasa
        ),
        "server connectors:8000 ": f"server 127.0.0.1:{connectors} ",
        "listen 8080;": f"listen 127.0.0.1:{listen};",
        "pid /tmp/nginx.pid;": f"pid {directory}/nginx.pid;",
        "access_log /dev/stdout front;": f"access_log {directory}/access.log front;",
        "_temp_path /tmp/": f"_temp_path {directory}/",
    }
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    path = directory / "nginx.conf"
    path.write_text(text)
    return path


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    assert NGINX is not None
    conf = local_copy(tmp_path, [5005], 8000, 8080)

    result = subprocess.run(
        [NGINX, "-t", "-q", "-p", str(tmp_path), "-c", str(conf), "-e", "stderr"],
        capture_output=True, text=True, timeout=30,
    )

    assert result.returncode == 0, result.stderr


@dataclass
class Upstream:
    """A stand-in for one Rasa replica or the connectors: records what reaches it."""

    name: str
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    port: int = 0
    server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                upstream.seen.append((self.command, self.path, dict(self.headers.items())))
                body = upstream.name.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Front:
    url: str
    rasa: list[Upstream]
    connectors: Upstream
    log: Path


@pytest.fixture
def front(tmp_path: Path) -> Iterator[Front]:
    assert NGINX is not None
    rasa = [Upstream("rasa-1"), Upstream("rasa-2")]
    connectors = Upstream("connectors")
    for upstream in (*rasa, connectors):
        upstream.start()
    port = free_port()
    conf = local_copy(tmp_path, [u.port for u in rasa], connectors.port, port)
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)
    try:
        yield Front(f"http://127.0.0.1:{port}", rasa, connectors, tmp_path / "access.log")
    finally:
        process.terminate()
        process.wait(timeout=10)
        for upstream in (*rasa, connectors):
            if upstream.server is not None and upstream.server.socket.fileno() != -1:
                upstream.stop()


@pytest.mark.parametrize(
    "path", ["/chat/", "/chat/widget.js", "/webhooks/rest/webhook", "/socket.io/?EIO=4"]
)
def test_the_citizens_paths_reach_rasa(front: Front, path: str) -> None:
    response = httpx.get(front.url + path, timeout=10)

    assert response.text in ("rasa-1", "rasa-2")
    assert front.connectors.seen == []


def test_one_conversations_messages_go_to_every_replica_no_stickiness(front: Front) -> None:
    with httpx.Client(base_url=front.url, timeout=10) as client:
        answered = {
            client.post("/webhooks/rest/webhook", json={"sender": "a", "message": "x"}).text
            for _ in range(6)
        }

    assert answered == {"rasa-1", "rasa-2"}


def test_the_staff_api_reaches_the_connectors(front: Front) -> None:
    response = httpx.get(front.url + "/api/v1/handoffs?status=open", timeout=10)

    assert response.text == "connectors"
    seen = [(method, path) for method, path, _ in front.connectors.seen]
    assert seen == [("GET", "/api/v1/handoffs?status=open")]


@pytest.mark.parametrize(
    "path", ["/conversations/a/tracker", "/model", "/status", "/metrics", "/health", "/docs"]
)
def test_rasas_api_and_the_metrics_stay_inside(front: Front, path: str) -> None:
    response = httpx.get(front.url + path, timeout=10)

    assert response.status_code == 404
    assert all(not u.seen for u in (*front.rasa, front.connectors))


def test_the_root_sends_citizens_to_the_chat_page(front: Front) -> None:
    response = httpx.get(front.url + "/", timeout=10)

    assert (response.status_code, response.headers["location"].endswith("/chat/")) == (302, True)


def test_socketio_is_upgraded_to_a_websocket_other_requests_keep_their_connection(
    front: Front,
) -> None:
    httpx.get(
        front.url + "/socket.io/?EIO=4&transport=websocket",
        headers={"Upgrade": "websocket", "Connection": "Upgrade",
                 "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13"},
        timeout=10,
    )
    httpx.get(front.url + "/chat/", timeout=10)

    (socket_headers, page_headers) = [h for u in front.rasa for _, _, h in u.seen]
    lower = {k.lower(): v.lower() for k, v in socket_headers.items()}
    assert (lower.get("upgrade"), lower.get("connection")) == ("websocket", "upgrade")
    assert "upgrade" not in {k.lower() for k in page_headers}


def test_every_request_gets_a_request_id_the_services_accept(front: Front) -> None:
    for _ in range(2):
        httpx.post(front.url + "/webhooks/rest/webhook", json={"sender": "a"}, timeout=10)

    ids = [h["X-Request-ID"] for u in front.rasa for _, _, h in u.seen]
    assert len(set(ids)) == 2
    assert all(request_id.valid(i) == i for i in ids)  # kept, not replaced by a new one


def test_a_replica_that_is_gone_leaves_its_requests_to_the_others(front: Front) -> None:
    front.rasa[0].stop()

    answered = [
        httpx.post(front.url + "/webhooks/rest/webhook", json={"sender": "a"}, timeout=10).text
        for _ in range(4)
    ]

    assert answered == ["rasa-2"] * 4


def test_a_body_over_rasas_cap_is_refused_at_the_door(front: Front) -> None:
    response = httpx.post(front.url + "/webhooks/rest/webhook", content=b"x" * (3 * 1024 * 1024),
                          headers={"Content-Type": "application/json"}, timeout=30)

    assert response.status_code == 413
    assert all(not u.seen for u in front.rasa)


def test_the_access_log_has_no_query_string(front: Front) -> None:
    httpx.get(front.url + "/webhooks/rest/webhook?token=s3cr3t-value", timeout=10)
    deadline = time.monotonic() + 5
    while not (front.log.exists() and front.log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)

    line = front.log.read_text()
    assert '"GET /webhooks/rest/webhook" 200' in line
    assert "s3cr3t-value" not in line
