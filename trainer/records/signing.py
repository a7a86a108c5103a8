"""The program's Ed25519 signing key: made once by `program keygen`, used to sign certificates.

The private key is a PEM file readable by its owner only; the public key is what a
program publishes (and what `certificate verify` needs). A key is named by its
fingerprint, the SHA-256 of its raw public bytes.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

PRIVATE_NAME = "program-signing-key.pem"
PUBLIC_NAME = "program-signing-key.pub.pem"


class KeyError_(Exception):
    """A key that cannot be made, read or used; one line for a person."""


@dataclass(frozen=True)
class KeyPaths:
    private: Path
    public: Path


def key_paths(folder: Path) -> KeyPaths:
    return KeyPaths(folder / PRIVATE_NAME, folder / PUBLIC_NAME)


def fingerprint(public_raw: bytes) -> str:
    return "ed25519:" + hashlib.sha256(public_raw).hexdigest()


def short(fp: str) -> str:
    digest = fp.split(":", 1)[-1]
    return " ".join(digest[i:i + 4] for i in range(0, 32, 4))


def generate(folder: Path, *, force: bool = False) -> tuple[KeyPaths, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from trainer.paths import ensure_private_dir, write_atomically

    paths = key_paths(folder)
    if paths.private.exists() and not force:
        raise KeyError_(f"{paths.private} already exists; a new key would make certificates signed with it "
                        "unverifiable with the new public key (use --force to replace it anyway)")
    ensure_private_dir(folder)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    pub = key.public_key()
    pub_pem = pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    write_atomically(paths.private, pem)
    paths.public.write_bytes(pub_pem)
    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return paths, fingerprint(raw)


def load_private(path: Path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        raise KeyError_(f"no program signing key at {path}; make one with 'peer-trainer program keygen'") from None
    except (ValueError, TypeError, OSError) as exc:
        raise KeyError_(f"{path}: not a usable private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyError_(f"{path}: not an Ed25519 key")
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise KeyError_(f"{path}: the signing key is readable by others; run 'chmod 600 {path}' first")
    return key


def load_public(path: Path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyError_(f"{path}: cannot read the public key: {exc.strerror or exc}") from None
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(data.strip(), validate=True))
        except ValueError:
            raise KeyError_(f"{path}: not a public key (PEM or base64 Ed25519)") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyError_(f"{path}: not an Ed25519 public key")
    return key


def raw_public(key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
