"""One byte form for a JSON value, so a hash or a signature over it means the same thing everywhere.

Keys sorted, no insignificant whitespace, UTF-8, floats in Python's shortest round-trip form.
This is close to RFC 8785 (JCS) and identical to it for the values peer-trainer writes
(ASCII keys, finite floats); NaN and infinities are refused.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_bytes(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def canonical_text(value: Any) -> str:
    return canonical_bytes(value).decode("utf-8")


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()
