"""Sending this store's statements to a program's Learning Record Store (xAPI 1.0.3), exactly once.

`push_pending(store, config)` takes what the outbox holds (`trainer.records.outbox`), checks
each statement, and POSTs batches to `{endpoint}statements` with Basic auth. A statement is
marked sent only when the LRS acknowledged the request that carried it. Exactly once rests
on the statement ids being deterministic and the text frozen: a batch resent after a lost
answer or a crash is the same statements under the same ids, which a conformant LRS answers
with 200/204 without storing them twice.

- network errors, timeouts, 408, 429 and 5xx: retried with exponential backoff, bounded in
  tries per request and in total time per push; what is left waits for the next push;
- 409 (a different statement with the same id is already there) and other statement-level
  4xx (400, 413, 422): the batch is split until the statement is found; it is then set aside
  as a conflict or rejected, with the LRS's message, and not retried until asked;
- 401/403, 404/405, redirects, certificate failures: the push stops (the configuration is
  wrong) and nothing is marked.

Each push that gets through ends with one statement carrying the ledger head (seq and hash)
and records a receipt with it. Credentials come from the caller, the environment, or a
password file named in the config; they are never written anywhere, and never appear in a
message: the password and the Authorization value are scrubbed from everything an LRS says.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import random
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlsplit

from trainer.records import outbox, xapi
from trainer.records.store import Store

CONFIG_FILENAME = "lrs.yaml"
LOCK_FILENAME = "lrs-push.lock"
USER_ENV = "PEER_TRAINER_LRS_USER"
PASSWORD_ENV = "PEER_TRAINER_LRS_PASSWORD"
STATEMENT_LIMIT = 256 * 1024  # bytes; ours are a few KB
CONFIG_KEYS = ("endpoint", "auto_push", "user", "password_file", "batch_size", "timeout_seconds", "max_tries",
               "max_seconds", "ca_file", "allow_http")


class LrsError(Exception):
    """The push cannot start (configuration, credentials, address); one line for a person, exit code 2."""

    exit_code = 2


# --- configuration ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep trying: per request, and for the whole push."""

    max_tries: int = 6
    first_delay: float = 0.5
    max_delay: float = 30.0
    max_seconds: float = 120.0

    def delay(self, tries: int, rng: random.Random) -> float:
        base = min(self.max_delay, self.first_delay * (2 ** max(0, tries - 1)))
        return base * rng.uniform(0.75, 1.25)


@dataclass(frozen=True)
class LrsConfig:
    endpoint: str
    auto_push: bool = False
    user: str | None = None
    password_file: Path | None = None
    batch_size: int = 50
    timeout_seconds: float = 30.0
    ca_file: Path | None = None
    allow_http: bool = False
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    @property
    def statements_url(self) -> str:
        return self.endpoint + "statements"


def normalize_endpoint(url: str, *, allow_http: bool = False) -> str:
    """The xAPI base URL ending in '/', refusing what would leak credentials."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise LrsError(f"'{_shown(url)}' is not a web address") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LrsError(f"'{_shown(url)}' is not an http(s) address of an LRS (e.g. https://lrs.example.org/xAPI/)")
    if parts.username or parts.password:
        raise LrsError("put the LRS user name in --user and the password in a --password-file, not in the address")
    if parts.query or parts.fragment:
        raise LrsError("the LRS address has a query or fragment; give its xAPI base (e.g. https://lrs.example.org/xAPI/)")
    if parts.scheme == "http" and not allow_http and not _loopback(parts.hostname):
        raise LrsError(f"{parts.hostname}: plain http would send the LRS password unencrypted; use https "
                       "(or allow_http: true in lrs.yaml on a network you trust)")
    path = parts.path or "/"
    if path.endswith("/statements"):
        path = path[: -len("statements")]
    if not path.endswith("/"):
        path += "/"
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if port:
        netloc += f":{port}"
    return f"{parts.scheme}://{netloc}{path}"


def _loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def _shown(url: str) -> str:
    """An address as it may be printed: without anything before an '@'."""
    if "@" in url:
        scheme, _, rest = url.rpartition("://")
        return (scheme + "://" if scheme else "") + "***@" + rest.rsplit("@", 1)[-1]
    return url[:200]


def config_path(data_dir: Path) -> Path:
    return Path(data_dir) / CONFIG_FILENAME


def load_config(data_dir: Path) -> LrsConfig | None:
    """DATA_DIR/lrs.yaml, or None when there is none. LrsError for a file that cannot be used."""
    import yaml

    path = config_path(data_dir)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise LrsError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise LrsError(f"{path}{where}: not valid YAML") from None
    if not isinstance(doc, dict):
        raise LrsError(f"{path}: expected keys such as 'endpoint:'")
    unknown = sorted(set(map(str, doc)) - set(CONFIG_KEYS))
    if any("password" in key.lower() for key in unknown):
        raise LrsError(f"{path}: a password must not be written in this file; name a password_file or set "
                       f"{PASSWORD_ENV}")
    if unknown:
        raise LrsError(f"{path}: unknown key '{unknown[0]}' (known: {', '.join(CONFIG_KEYS)})")
    if not doc.get("endpoint"):
        raise LrsError(f"{path}: 'endpoint:' (the LRS's xAPI address) is missing")

    def number(key: str, kind: type, default: Any, low: float, high: float) -> Any:
        value = doc.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise LrsError(f"{path}: '{key}' must be a number from {low:g} to {high:g}")
        return kind(value)

    def flag(key: str) -> bool:
        value = doc.get(key, False)
        if not isinstance(value, bool):
            raise LrsError(f"{path}: '{key}' must be true or false")
        return value

    allow_http = flag("allow_http")
    retry = RetryPolicy(max_tries=number("max_tries", int, RetryPolicy.max_tries, 1, 100),
                        max_seconds=number("max_seconds", float, RetryPolicy.max_seconds, 1, 86400))
    return LrsConfig(
        endpoint=normalize_endpoint(str(doc["endpoint"]), allow_http=allow_http),
        auto_push=flag("auto_push"),
        user=str(doc["user"]) if doc.get("user") else None,
        password_file=Path(str(doc["password_file"])).expanduser() if doc.get("password_file") else None,
        batch_size=number("batch_size", int, 50, 1, 1000),
        timeout_seconds=number("timeout_seconds", float, 30.0, 1, 600),
        ca_file=Path(str(doc["ca_file"])).expanduser() if doc.get("ca_file") else None,
        allow_http=allow_http,
        retry=retry,
    )


def save_config(data_dir: Path, config: LrsConfig) -> Path:
    """Write DATA_DIR/lrs.yaml (owner-only). Never a password: only where to find one."""
    import yaml

    from trainer.paths import ensure_private_dir, write_atomically

    doc: dict[str, Any] = {"endpoint": config.endpoint, "auto_push": config.auto_push}
    if config.user:
        doc["user"] = config.user
    if config.password_file:
        doc["password_file"] = str(Path(config.password_file).resolve())
    if config.batch_size != 50:
        doc["batch_size"] = config.batch_size
    if config.ca_file:
        doc["ca_file"] = str(Path(config.ca_file).resolve())
    if config.allow_http:
        doc["allow_http"] = True
    path = config_path(data_dir)
    ensure_private_dir(path.parent)
    text = ("# Where peer-trainer sends training records (xAPI 1.0.3). See docs/lrs.md.\n"
            f"# No password here: it comes from password_file or {PASSWORD_ENV}.\n"
            + yaml.safe_dump(doc, sort_keys=False))
    try:
        write_atomically(path, text)
    except OSError as exc:
        raise LrsError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return path


def auto_push_config(data_dir: Path) -> LrsConfig | None:
    """The configuration to push with when an attempt finishes, or None (not configured, or auto_push off)."""
    config = load_config(data_dir)
    return config if config is not None and config.auto_push else None


# --- credentials ------------------------------------------------------------------------------------


class Credentials:
    """A user name and password held in memory only; repr and str never show the password."""

    __slots__ = ("user", "_password")

    def __init__(self, user: str, password: str):
        if not user or ":" in user:
            raise LrsError("the LRS user name is empty or contains ':'")
        if not password:
            raise LrsError("the LRS password is empty")
        self.user = user
        self._password = password

    def header(self) -> str:
        return "Basic " + base64.b64encode(f"{self.user}:{self._password}".encode("utf-8")).decode("ascii")

    def scrub(self, text: str) -> str:
        """Remove the password and the Authorization value from text that came from elsewhere."""
        token = self.header()[6:]
        for secret in sorted({self._password, token}, key=len, reverse=True):
            if len(secret) >= 3:
                text = text.replace(secret, "***")
        return text

    def __repr__(self) -> str:
        return f"Credentials(user={self.user!r}, password=***)"

    __str__ = __repr__


def read_password_file(path: Path) -> str:
    path = Path(path).expanduser()
    try:
        st = path.stat()
        if os.name == "posix" and st.st_mode & 0o077:
            raise LrsError(f"{path}: the password file can be read by others; make it yours only (chmod 600 {path})")
        with open(path, encoding="utf-8") as fh:
            line = fh.readline()
    except FileNotFoundError:
        raise LrsError(f"{path}: the password file does not exist") from None
    except UnicodeDecodeError:
        raise LrsError(f"{path}: the password file is not UTF-8 text") from None
    except OSError as exc:
        raise LrsError(f"{path}: cannot read the password file: {exc.strerror or exc}") from None
    password = line.rstrip("\r\n")
    if not password:
        raise LrsError(f"{path}: the password file's first line is empty")
    return password


def resolve_credentials(config: LrsConfig | None = None, *, user: str | None = None,
                        password_file: str | Path | None = None,
                        environ: Mapping[str, str] | None = None) -> Credentials:
    """--user/--password-file first, then PEER_TRAINER_LRS_USER/PASSWORD, then the config's user and password file."""
    env = os.environ if environ is None else environ
    name = user or env.get(USER_ENV) or (config.user if config else None)
    if password_file:
        password = read_password_file(Path(password_file))
    elif env.get(PASSWORD_ENV):
        password = env[PASSWORD_ENV]
    elif config is not None and config.password_file:
        password = read_password_file(config.password_file)
    else:
        password = None
    if not name or not password:
        missing = "user name" if not name else "password"
        raise LrsError(f"no LRS {missing}: give --user and --password-file, or set {USER_ENV} and {PASSWORD_ENV}")
    return Credentials(name, password)


# --- HTTP ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    headers: Mapping[str, str]


class TransportError(Exception):
    """The request got no HTTP answer (refused, reset, timed out, name not found)."""


class TlsError(Exception):
    """The LRS's certificate could not be verified: retrying will not help."""


class HttpTransport:
    """One connection per request with http.client: no redirects followed, no proxies from the environment."""

    MAX_BODY = 1024 * 1024

    def __init__(self, ca_file: Path | None = None):
        self._context: ssl.SSLContext | None = None
        self._ca_file = ca_file

    def _tls(self) -> ssl.SSLContext:
        if self._context is None:
            try:
                self._context = ssl.create_default_context(cafile=str(self._ca_file) if self._ca_file else None)
            except (OSError, ssl.SSLError) as exc:
                raise LrsError(f"{self._ca_file}: cannot use this CA file: {getattr(exc, 'strerror', None) or exc}") from None
        return self._context

    def request(self, method: str, url: str, body: bytes | None, headers: Mapping[str, str], timeout: float) -> Response:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if parts.scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=timeout, context=self._tls())
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        try:
            conn.request(method, target, body=body, headers=dict(headers))
            answer = conn.getresponse()
            data = answer.read(self.MAX_BODY)
            return Response(answer.status, data, {k.lower(): v for k, v in answer.getheaders()})
        except ssl.SSLCertVerificationError as exc:
            raise TlsError(f"the LRS's certificate could not be verified ({exc.verify_message or 'untrusted'}); "
                           "if the program uses its own CA, give it as ca_file in lrs.yaml") from None
        except (OSError, http.client.HTTPException) as exc:
            raise TransportError(_network_reason(exc, parts.hostname or "", timeout)) from None
        finally:
            conn.close()


def _network_reason(exc: BaseException, host: str, timeout: float) -> str:
    if isinstance(exc, socket.gaierror):
        return f"cannot find the host {host} (no network, or a wrong address)"
    if isinstance(exc, ConnectionRefusedError):
        return "the connection was refused (is the LRS running?)"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "the connection closed without an answer"
    if isinstance(exc, ConnectionResetError):
        return "the connection was reset"
    if isinstance(exc, http.client.IncompleteRead):
        return "the answer was cut off"
    if isinstance(exc, ssl.SSLError):
        return f"a TLS error ({exc.reason or 'unknown'})"
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"a network error ({text})"


def lrs_message(response: Response, credentials: Credentials | None = None, limit: int = 300) -> str:
    """What the LRS said about a refusal, as one short printable line."""
    text = response.body.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("detail", "message", "error", "errors", "warnings"):
            if key in data:
                data = data[key]
                break
    if isinstance(data, list) and data and all(isinstance(d, dict) for d in data):
        text = "; ".join(
            (".".join(str(p) for p in d.get("loc", ())) + ": " if d.get("loc") else "") + str(d.get("msg", d))
            for d in data[:3])
    elif isinstance(data, (str, list, dict)) and data:
        text = data if isinstance(data, str) else json.dumps(data)
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    if credentials is not None:
        text = credentials.scrub(text)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text or f"HTTP {response.status}"


# --- pushing -----------------------------------------------------------------------------------------------


@dataclass
class PushResult:
    """What one push did. `error` says in one line why it stopped early, if it did."""

    endpoint: str
    sent: int = 0                      # statements acknowledged by this push
    waiting: int = 0                   # left for the next push
    failed: int = 0                    # set aside: conflicts and rejections (old ones included)
    conflicts: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    receipt: outbox.Receipt | None = None
    error: str | None = None
    error_code: int = 0                # 2 for a configuration problem, 1 for the LRS or the network
    requests: int = 0
    retries: int = 0

    @property
    def exit_code(self) -> int:
        if self.error_code:
            return self.error_code
        return 1 if (self.waiting or self.failed) else 0

    def summary(self) -> str:
        if not self.requests and not self.error and not self.waiting and not self.failed:
            return f"nothing new to send to {self.endpoint}"
        text = f"{self.sent} statements sent to {self.endpoint}; {self.waiting} waiting"
        if self.failed:
            text += f", {self.failed} not accepted by the LRS"
        return text


class _Stop(Exception):
    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


class _PushLock:
    """One push per data folder at a time (the app's automatic push and the command may overlap)."""

    def __init__(self, folder: Path):
        self.path = folder / LOCK_FILENAME
        self._fd: int | None = None

    def acquire(self, wait: float) -> bool:
        try:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise LrsError(f"{self.path}: cannot create the push lock: {exc.strerror or exc}") from None
        deadline = time.monotonic() + wait
        while True:
            if self._try():
                return True
            if time.monotonic() >= deadline:
                os.close(self._fd)
                self._fd = None
                return False
            time.sleep(0.05)

    def _try(self) -> bool:
        try:
            import fcntl

            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except ImportError:  # Windows
            import msvcrt

            try:
                msvcrt.locking(self._fd, msvcrt.LK_NBLCK, 1)
                return True
            except OSError:
                return False
        except OSError:
            return False

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None


def check_statement(text: str) -> list[str]:
    """Why a statement must not leave (the project's xAPI check plus what we promise about privacy)."""
    if len(text.encode("utf-8")) > STATEMENT_LIMIT:
        return [f"it is larger than {STATEMENT_LIMIT // 1024} KB"]
    try:
        s = json.loads(text)
    except ValueError:
        return ["it is not JSON"]
    found = xapi.problems(s)
    if isinstance(s, dict):
        if s.get("version") != xapi.XAPI_VERSION:
            found.append(f"its version is not {xapi.XAPI_VERSION}")
        if not s.get("timestamp"):
            found.append("it has no timestamp")
        obj, result, actor = (s.get(k) if isinstance(s.get(k), dict) else {} for k in ("object", "result", "actor"))
        definition = obj.get("definition") if isinstance(obj.get("definition"), dict) else {}
        if definition.get("interactionType") == "long-fill-in" and "response" in result:
            found.append("it carries a typed response, which is never sent to an LRS")
        if "mbox" in actor or "mbox_sha1sum" in actor:
            found.append("its actor is identified by e-mail")
        home = actor["account"].get("homePage") if isinstance(actor.get("account"), dict) else None
        if home is not None:
            parts = urlsplit(str(home))
            if parts.scheme not in ("http", "https") or not parts.netloc:
                found.append(f"its actor's account homePage '{str(home)[:80]}' is not a web address "
                             "(set xapi.account_homepage in the policy)")
    return found


class _Pusher:
    def __init__(self, store: Store, config: LrsConfig, credentials: Credentials, *, transport: Any,
                 sleep: Callable[[float], None], clock: Callable[[], float], cancel: threading.Event | None,
                 on_progress: Callable[[int, int], None] | None, seed: int | None):
        self.store = store
        self.config = config
        self.credentials = credentials
        self.transport = transport
        self.sleep = sleep
        self.clock = clock
        self.cancel = cancel
        self.on_progress = on_progress
        self.rng = random.Random(seed)
        self.started = clock()
        self.result = PushResult(config.endpoint)
        self.lrs_version: str | None = None
        self.total = 0

    def headers(self) -> dict[str, str]:
        return {
            "Authorization": self.credentials.header(),
            "X-Experience-API-Version": xapi.XAPI_VERSION,
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "User-Agent": _user_agent(),
        }

    def post(self, items: list[outbox.OutboxItem]) -> Response:
        """POST until the LRS answers something other than 'try again', within the retry bounds."""
        body = ("[" + ",".join(i.text for i in items) + "]").encode("utf-8")
        retry = self.config.retry
        tries = 0
        while True:
            if self.cancel is not None and self.cancel.is_set():
                raise _Stop("stopped before everything was sent; the rest waits for the next push", 1)
            tries += 1
            remaining = retry.max_seconds - (self.clock() - self.started)
            outbox.record_try(self.store, (i.statement_id for i in items))
            self.result.requests += 1
            retry_after = None
            try:
                response = self.transport.request("POST", self.config.statements_url, body, self.headers(),
                                                  max(1.0, min(self.config.timeout_seconds, remaining)))
            except TlsError as exc:
                raise _Stop(str(exc), 2) from None
            except TransportError as exc:
                reason = str(exc)
            else:
                if response.headers.get("x-experience-api-version"):
                    self.lrs_version = response.headers["x-experience-api-version"][:20]
                s = response.status
                if 200 <= s < 300:
                    return response
                if s in (408, 429) or s >= 500:
                    reason = f"the LRS answered {s} ({lrs_message(response, self.credentials, 120)})"
                    retry_after = _retry_after(response)
                elif s in (401, 403):
                    raise _Stop(f"the LRS refused user '{self.credentials.user}' ({s}: "
                                f"{lrs_message(response, self.credentials)}); check the user name and password", 2)
                elif s in (404, 405):
                    raise _Stop(f"no xAPI statements resource at {self.config.statements_url} ({s}: "
                                f"{lrs_message(response, self.credentials)}); give the LRS's xAPI base address", 2)
                elif 300 <= s < 400:
                    where = _shown(response.headers.get("location", "another address"))
                    raise _Stop(f"the LRS answered {s}, moved to {where}; use that address", 2)
                elif s in (400, 409, 413, 422):
                    return response
                else:
                    raise _Stop(f"the LRS refused the request ({s}: {lrs_message(response, self.credentials)})", 1)
            delay = retry.delay(tries, self.rng)
            if retry_after is not None:
                delay = max(delay, min(retry_after, retry.max_delay))
            elapsed = self.clock() - self.started
            if tries >= retry.max_tries or elapsed + delay > retry.max_seconds:
                raise _Stop(f"{reason}; gave up after {tries} tries in {elapsed:.0f} s", 1)
            self.result.retries += 1
            if self.cancel is not None:
                if self.cancel.wait(delay):
                    continue  # the loop's check reports the stop
            else:
                self.sleep(delay)

    def deliver(self, items: list[outbox.OutboxItem]) -> None:
        """Send items; on a statement-level refusal split the batch until the statement is found."""
        response = self.post(items)
        if 200 <= response.status < 300:
            outbox.mark_sent(self.store, (i.statement_id for i in items), self.config.endpoint)
            self.result.sent += sum(1 for i in items if i.kind == "record")
            if self.on_progress is not None:
                self.on_progress(self.result.sent, self.total)
            return
        if len(items) > 1:
            half = len(items) // 2
            self.deliver(items[:half])
            self.deliver(items[half:])
            return
        item = items[0]
        message = lrs_message(response, self.credentials)
        if response.status == 409:
            line = (f"{item.describe()}: the LRS already holds a different statement with this id ({message}); "
                    "this store's record differs from what was sent before")
            outbox.mark_failed(self.store, item.statement_id, "conflict", line)
            self.result.conflicts.append(line)
        else:
            line = f"{item.describe()}: the LRS rejected it ({response.status}: {message})"
            outbox.mark_failed(self.store, item.statement_id, "rejected", line)
            self.result.rejected.append(line)

    def run(self, *, resend: bool, retry_failed: bool) -> PushResult:
        store = self.store
        check = store.verify_ledger()
        if not check.ok:
            raise _Stop(f"this store's ledger does not verify ({check.broken.message()}); nothing is sent from a "
                        "broken ledger: run 'peer-trainer records verify'", 1)
        if resend or retry_failed:
            outbox.requeue(store, failed_only=not resend)
        outbox.build(store)
        items = []
        for item in outbox.waiting(store):
            problems = check_statement(item.text)
            if problems:
                line = f"{item.describe()}: not sent: {'; '.join(problems)}"
                outbox.mark_failed(store, item.statement_id, "rejected", line)
                self.result.rejected.append(line)
            else:
                items.append(item)
        self.total = len(items)
        size = max(1, self.config.batch_size)
        for start in range(0, len(items), size):
            self.deliver(items[start:start + size])
        self.send_head()
        return self.result

    def send_head(self) -> None:
        store = self.store
        last = outbox.last_receipt(store)
        head_seq, head_hash = store.ledger_head()
        if head_seq == 0:
            return
        if not self.result.sent and last is not None and (last.head_seq, last.head_hash) == (head_seq, head_hash) \
                and last.endpoint == self.config.endpoint:
            return  # nothing new since the last receipt
        current = outbox.queue_head(store)
        heads = outbox.waiting(store, kind="head")
        if current is not None and current.statement_id not in {h.statement_id for h in heads}:
            heads.append(current)  # already sent before (e.g. to another LRS): send again, it is idempotent
        for head in heads:
            problems = check_statement(head.text)
            if problems:
                raise _Stop(f"the ledger head statement is not valid ({'; '.join(problems)})", 1)
            response = self.post([head])
            if not 200 <= response.status < 300:
                message = lrs_message(response, self.credentials)
                raise _Stop(f"the LRS did not accept the ledger head statement ({response.status}: {message})", 1)
            if current is not None and head.statement_id == current.statement_id:
                self.result.receipt = outbox.record_receipt(store, head, self.config.endpoint, sent=self.result.sent,
                                                            lrs_version=self.lrs_version)
            else:
                outbox.mark_sent(store, [head.statement_id], self.config.endpoint)


def push_pending(store: Store, config: LrsConfig, *, credentials: Credentials | None = None,
                 resend: bool = False, retry_failed: bool = False, transport: Any = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 cancel: threading.Event | None = None, on_progress: Callable[[int, int], None] | None = None,
                 lock_wait: float = 5.0, seed: int | None = None) -> PushResult:
    """Send what the outbox holds; safe to call from a worker thread and to call again at any time.

    Raises LrsError when it cannot start (no credentials, unreadable password file) and StoreError
    for a store problem; everything that happens once it talks to the LRS is in the result.
    """
    if store.readonly:
        raise LrsError(f"the records store ({store.path}) is read-only, so what is sent cannot be recorded; "
                       "check the file's permissions")
    credentials = credentials or resolve_credentials(config)
    lock = _PushLock(store.path.parent)
    if not lock.acquire(lock_wait):
        result = PushResult(config.endpoint, error="another peer-trainer is sending records to the LRS right now; "
                                                   "try again in a moment", error_code=1)
        return _with_counts(store, result)
    pusher = _Pusher(store, config, credentials, transport=transport or HttpTransport(config.ca_file), sleep=sleep,
                     clock=clock, cancel=cancel, on_progress=on_progress, seed=seed)
    try:
        pusher.run(resend=resend, retry_failed=retry_failed)
    except _Stop as stop:
        pusher.result.error = credentials.scrub(str(stop))
        pusher.result.error_code = stop.code
    finally:
        lock.release()
    return _with_counts(store, pusher.result)


def _with_counts(store: Store, result: PushResult) -> PushResult:
    st = outbox.status(store)
    result.waiting = st.waiting
    result.failed = st.failed
    return result


def outbox_status(store: Store, *, trainee_id: str | None = None) -> outbox.OutboxStatus:
    """Sent / waiting / not accepted counts for the app to show (builds queued records first when it can)."""
    outbox.build(store)
    return outbox.status(store, trainee_id=trainee_id)


def _retry_after(response: Response) -> float | None:
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    return None


def _user_agent() -> str:
    from trainer import __version__

    return f"peer-trainer/{__version__}"


def with_overrides(config: LrsConfig, **changes: Any) -> LrsConfig:
    """A copy of the config with command-line values (None means keep)."""
    changes = {k: v for k, v in changes.items() if v is not None}
    retry_changes = {k: changes.pop(k) for k in ("max_tries", "max_seconds") if k in changes}
    if retry_changes:
        changes["retry"] = replace(config.retry, **retry_changes)
    return replace(config, **changes)
