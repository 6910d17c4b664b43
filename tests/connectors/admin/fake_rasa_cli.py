"""A STAND-IN FOR THE RASA CLI, for the training service's unit tests only.

The real commands (rasa data validate, rasa train, bot.serve) take a minute and 650 MB each; the
end-to-end test tests/browser/test_admin_publish.py runs them. This script answers the same
command lines and HTTP API with a "model" that memorises its training examples:

    fake_rasa_cli.py validate --data DIR        # fails when DIR holds a file named broken.yml
    fake_rasa_cli.py train --data DIR --out OUT --fixed-model-name NAME
    fake_rasa_cli.py serve --model FILE --port P   # /status, PUT /model, /model/parse,
                                                   # REST webhook, tracker; RASA_AUTH_TOKEN
FAKE_RASA_HOLD=FILE keeps `validate` waiting while FILE exists (a test looks at a running build);
FAKE_RASA_REFUSE_LOAD=1 makes PUT /model answer 500 (a server that cannot load a model).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tarfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import yaml


def examples(data: Path) -> dict[str, str]:
    memory: dict[str, str] = {}
    for path in sorted(data.rglob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                if line.strip().startswith("- ") and block.get("intent"):
                    memory[line.strip()[2:].strip().lower()] = str(block["intent"])
    return memory


def train(args: argparse.Namespace) -> int:
    memory = json.dumps(examples(Path(args.data)), ensure_ascii=False).encode("utf-8")
    print(f"training on {len(memory)} bytes of examples")
    out = Path(args.out) / f"{args.fixed_model_name}.tar.gz"
    with tarfile.open(out, "w:gz") as tar:
        info = tarfile.TarInfo("memory.json")
        info.size = len(memory)
        tar.addfile(info, io.BytesIO(memory))
    print(f"Your Rasa model is trained and saved at '{out}'.")
    return 0


def validate(args: argparse.Namespace) -> int:
    hold = os.environ.get("FAKE_RASA_HOLD")
    while hold and Path(hold).exists():  # a test holds the build here while it looks at it
        time.sleep(0.05)
    if (Path(args.data) / "broken.yml").exists():
        print("YamlValidationException: broken.yml is not valid training data", file=sys.stderr)
        return 1
    print("data is valid")
    return 0


def load(model: Path) -> dict[str, str]:
    with tarfile.open(model, "r:gz") as tar:
        member = tar.extractfile("memory.json")
        assert member is not None
        memory: dict[str, str] = json.loads(member.read())
        return memory


class State:
    def __init__(self, model: Path) -> None:
        self.lock = threading.Lock()
        self.model = model
        self.memory = load(model)
        self.trackers: dict[str, list[dict[str, Any]]] = {}


def serve(args: argparse.Namespace) -> int:
    state = State(Path(args.model))
    token = os.environ.get("RASA_AUTH_TOKEN", "")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def _send(self, status: int, body: Any = None) -> None:
            raw = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _authorised(self) -> bool:
            given = parse_qs(urlparse(self.path).query).get("token", [""])[0]
            if given != token:
                self._send(401, {"error": "NotAuthenticated"})
                return False
            return True

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            body: dict[str, Any] = json.loads(self.rfile.read(length) or b"{}")
            return body

        def _intent(self, text: str) -> str:
            return state.memory.get(text.strip().lower(), "nlu_fallback")

        def do_GET(self) -> None:
            path = urlparse(self.path).path
            if path == "/":
                self._send(200, "Hello from Rasa: 3.6.21 (fake)")
            elif path == "/status" and self._authorised():
                self._send(200, {"model_file": state.model.name, "model_id": "fake"})
            elif path.startswith("/conversations/") and self._authorised():
                sender = path.split("/")[2]
                self._send(200, {"events": state.trackers.get(sender, []), "slots": {}})

        def do_PUT(self) -> None:
            if urlparse(self.path).path == "/model" and self._authorised():
                if os.environ.get("FAKE_RASA_REFUSE_LOAD"):
                    self._send(500, {"error": "cannot load"})
                    return
                model = Path(self._body()["model_file"])
                time.sleep(0.2)  # loading takes a while: the publisher waits for it
                with state.lock:
                    state.memory, state.model = load(model), model
                self._send(204)

        def do_POST(self) -> None:
            path = urlparse(self.path).path
            if path == "/model/parse" and self._authorised():
                text = self._body()["text"]
                self._send(200, {"text": text, "intent": {"name": self._intent(text),
                                                          "confidence": 1.0}})
            elif path == "/webhooks/rest/webhook":
                body = self._body()
                intent = self._intent(body["message"])
                reply = f"ý định: {intent}"
                state.trackers.setdefault(body["sender"], []).extend([
                    {"event": "user", "text": body["message"],
                     "parse_data": {"intent": {"name": intent, "confidence": 1.0}}},
                    {"event": "bot", "text": reply, "metadata": {"utter_action": "utter_fake"}},
                ])
                self._send(200, [{"recipient_id": body["sender"], "text": reply}])

    server = ThreadingHTTPServer(("127.0.0.1", int(args.port)), Handler)
    server.serve_forever()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate")
    v.add_argument("--data", required=True)
    t = sub.add_parser("train")
    t.add_argument("--data", required=True)
    t.add_argument("--out", required=True)
    t.add_argument("--fixed-model-name", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--model", required=True)
    s.add_argument("--port", required=True)
    args = parser.parse_args()
    return {"validate": validate, "train": train, "serve": serve}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
