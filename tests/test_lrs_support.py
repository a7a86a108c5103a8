"""A real LRS for the tests (Ralph on its file backend) and a faulty proxy in front of it.

Ralph runs in its own process on 127.0.0.1 and a free port, with its own folder, and is
stopped by its process id. Three things about ralph-malph 5.1.0's file backend are handled
here: it creates its statements file in "create" mode, so every write after the first fails
unless the mode is switched to append (done in the launcher below); it binds to 0.0.0.0
unless told otherwise (we pass 127.0.0.1); and its verb and activity query filters compare
a URL object with a string, so they never match (`read_back` fetches everything and
filters itself). Where Ralph or its server extras cannot be imported, the tests skip.
"""

from __future__ import annotations

import http.client
import http.server
import importlib.util
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from base64 import b64encode
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

LRS_USER = "program-test"
LRS_PASSWORD = "correct horse battery staple 42"
PYTHON_ENV = "PEER_TRAINER_TEST_LRS_PYTHON"  # an interpreter with ralph-malph[lrs,cli], if not this one

# Runs in Ralph's process: write the Basic-auth users file, switch the file backend to append, serve.
LAUNCHER = r"""
import json, os, sys
import bcrypt
folder = sys.argv[1]
digest = bcrypt.hashpw(os.environ.pop("PT_LRS_PASSWORD").encode(), bcrypt.gensalt(rounds=4)).decode()
with open(os.path.join(folder, "auth.json"), "w") as fh:
    json.dump([{"agent": {"mbox": "mailto:lrs-test@example.org"}, "scopes": ["all"], "hash": digest,
                "username": os.environ.pop("PT_LRS_USER")}], fh)
from ralph.backends.data.base import BaseOperationType
from ralph.backends.data.fs import FSDataBackend
FSDataBackend.default_operation_type = BaseOperationType.APPEND
import uvicorn
from ralph.api import app
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""

PROBE = "import ralph.api.routers.statements, uvicorn, bcrypt, fastapi"


def ralph_python() -> str | None:
    """The interpreter that can run Ralph's server, or None."""
    candidate = os.environ.get(PYTHON_ENV)
    if candidate:
        ok = subprocess.run([candidate, "-c", PROBE], capture_output=True, timeout=60).returncode == 0
        return candidate if ok else None
    needed = ("ralph", "uvicorn", "bcrypt", "fastapi", "cachetools", "sentry_sdk", "jose", "requests")
    if all(importlib.util.find_spec(m) is not None for m in needed):
        return sys.executable
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Ralph:
    """One Ralph LRS process; `stop()` and `start()` again keep its folder and port."""

    def __init__(self, python: str, folder: Path, port: int | None = None):
        self.python = python
        self.folder = Path(folder)
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        (self.folder / "data").mkdir(parents=True, exist_ok=True)
        (self.folder / "app").mkdir(parents=True, exist_ok=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    def start(self, timeout: float = 40.0) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RALPH_", "PEER_TRAINER_LRS_"))}
        env.update({
            "PT_LRS_USER": LRS_USER, "PT_LRS_PASSWORD": LRS_PASSWORD,
            "RALPH_APP_DIR": str(self.folder / "app"),
            "RALPH_AUTH_FILE": str(self.folder / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.folder / "data"),
            "RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": "500",
        })
        log = open(self.folder / "ralph.log", "ab")
        self.proc = subprocess.Popen([self.python, "-c", LAUNCHER, str(self.folder), str(self.port)],
                                     stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.folder,
                                     stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Ralph exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/__heartbeat__")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Ralph did not answer within {timeout:g} s: {self.log_tail()}")

    def stop(self, *, hard: bool = False) -> None:
        """Stop our own process by its id: SIGKILL when hard, else SIGTERM and then SIGKILL after 10 s."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        os.kill(proc.pid, signal.SIGKILL if hard else signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def log_tail(self) -> str:
        try:
            return " | ".join((self.folder / "ralph.log").read_text("utf-8", "replace").strip().splitlines()[-3:])
        except OSError:
            return ""


def start_ralph(tmp_path_factory) -> Ralph:
    python = ralph_python()
    if python is None:
        pytest.skip("Ralph's LRS server (ralph-malph[lrs,cli]) is not installed here")
    lrs = Ralph(python, tmp_path_factory.mktemp("ralph"))
    try:
        lrs.start()
    except RuntimeError as exc:
        pytest.skip(f"Ralph's LRS server could not be started here: {exc}")
    return lrs


def _auth_headers() -> dict[str, str]:
    token = b64encode(f"{LRS_USER}:{LRS_PASSWORD}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}


def read_back(endpoint: str, max_pages: int = 500) -> list[dict]:
    """Every statement the LRS holds, with GET and its 'more' links (bounded)."""
    parts = urlsplit(endpoint)
    url = endpoint + "statements?limit=500"
    out: list[dict] = []
    for _ in range(max_pages):
        target = urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        conn.request("GET", target.path + (f"?{target.query}" if target.query else ""), headers=_auth_headers())
        response = conn.getresponse()
        body = response.read()
        conn.close()
        assert response.status == 200, (response.status, body[:300])
        page = json.loads(body)
        out.extend(page["statements"])
        if not page.get("more"):
            return out
        url = urljoin(endpoint, page["more"])
    raise AssertionError("too many pages")


def post_raw(endpoint: str, statements: list[dict]) -> int:
    parts = urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("POST", parts.path + "statements", body=json.dumps(statements).encode(),
                 headers={**_auth_headers(), "Content-Type": "application/json"})
    status = conn.getresponse().status
    conn.close()
    return status


def copies(statements: list[dict]) -> Counter:
    return Counter(s["id"] for s in statements)


class FaultyProxy:
    """An HTTP proxy on 127.0.0.1 that, with a fixed seed, loses a share of requests.

    Per request: drop the connection before forwarding, answer 503 without forwarding,
    forward and then drop the answer (the LRS stored the batch, the client never heard), or
    forward faithfully. Optionally delays every forwarded request.
    """

    def __init__(self, upstream_port: int, *, seed: int = 0, drop_before: float = 0.0, fail_503: float = 0.0,
                 drop_after: float = 0.0, delay: float = 0.0, tls: tuple[Path, Path] | None = None):
        self.upstream_port = upstream_port
        self.rng = random.Random(seed)
        self.shares = (drop_before, fail_503, drop_after)
        self.delay = delay
        self.counts: Counter = Counter()
        self._lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                proxy._handle(self, "GET")

            def do_POST(self):
                proxy._handle(self, "POST")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.scheme = "http"
        if tls is not None:  # serve https with this (certificate, key)
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def endpoint(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/xAPI/"

    def _decide(self) -> str:
        with self._lock:
            roll = self.rng.random()
        drop_before, fail_503, drop_after = self.shares
        if roll < drop_before:
            return "drop_before"
        if roll < drop_before + fail_503:
            return "503"
        if roll < drop_before + fail_503 + drop_after:
            return "drop_after"
        return "forward"

    def _handle(self, h: http.server.BaseHTTPRequestHandler, method: str) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else None
        decision = self._decide() if method == "POST" else "forward"
        with self._lock:
            self.counts[decision] += 1
        if decision == "drop_before":
            h.close_connection = True
            return
        if decision == "503":
            payload = b'{"detail": "injected: service unavailable"}'
            h.send_response(503)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            h.wfile.write(payload)
            return
        if self.delay:
            time.sleep(self.delay)
        headers = {k: v for k, v in h.headers.items() if k.lower() in
                   ("authorization", "x-experience-api-version", "content-type", "accept")}
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=30)
            conn.request(method, h.path, body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            status, ctype = answer.status, answer.getheader("Content-Type")
            conn.close()
        except OSError:
            h.close_connection = True
            return
        if decision == "drop_after":
            h.close_connection = True
            return
        h.send_response(status)
        if ctype:
            h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by itself (it is its own CA), and its key."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "peer-trainer test LRS")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "lrs-cert.pem", folder / "lrs-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path
