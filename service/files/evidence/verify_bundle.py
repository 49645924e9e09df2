#!/usr/bin/env python3
"""Verify a Jejak evidence bundle offline. Needs only Python 3.10+ and `cryptography`.

Usage:  python verify_bundle.py BUNDLE.zip [--public-key KEY.pem] [--checkpoints HELD.json]

It checks, and says what it proved:
  1. the manifest lists every file of the bundle with its SHA-256, and is signed by the
     programme's Ed25519 key (so no byte of any file can change unnoticed);
  2. every event, exactly as stored, hashes to the digest its chain link covers;
  3. the chain segment, recomputed link by link, ends in the link the signed checkpoint names;
  4. the checkpoint's signature is valid (and, with --checkpoints, that it is one you hold);
  5. every document file hashes to the SHA-256 the events cite it by; documents withheld from
     the requester (listed with their SHA-256 in withheld.json, contents left out because the
     requester's role may not see them) are reported as withheld, not as a failure.
Pass --public-key with the key you pinned earlier: the key inside the bundle proves nothing
about who made it.

This file repeats the chain's link function on purpose: it must run without Jejak installed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import struct
import sys
import zipfile
from pathlib import Path
from uuid import UUID

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
except ImportError:  # pragma: no cover - guidance for the auditor's machine
    sys.exit("verify_bundle.py needs the 'cryptography' package: pip install cryptography")

CHAIN_FORMAT = b"jejak-chain-v1"
CHECKPOINT_FORMAT = "jejak-checkpoint-v1"
MANIFEST = "manifest.json"
MANIFEST_SIGNATURE = "manifest.sig"
WITHHELD = "withheld.json"


class BundleInvalid(Exception):
    """The bundle does not prove what it claims; the message says which check failed."""


def link_hash(
    previous: bytes, position: int, originator: UUID, version: int, topic: str, digest: bytes
) -> bytes:
    """The chain's link, exactly as Jejak computes it (projections/chain.py)."""
    topic_bytes = topic.encode()
    h = hashlib.sha256(CHAIN_FORMAT)
    h.update(previous)
    h.update(struct.pack(">Q", position))
    h.update(originator.bytes)
    h.update(struct.pack(">QI", version, len(topic_bytes)))
    h.update(topic_bytes)
    h.update(digest)
    return h.digest()


def checkpoint_message(checkpoint: dict[str, object]) -> bytes:
    """The canonical bytes a checkpoint's signature covers."""
    return json.dumps(
        {
            "format": CHECKPOINT_FORMAT,
            "key_id": checkpoint["key_id"],
            "link_hash": checkpoint["link_hash"],
            "position": checkpoint["position"],
            "signed_at": checkpoint["signed_at"],
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def key_id(public_key: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def verify_bundle(
    path: Path, pinned_key: bytes | None = None, held: list[dict[str, object]] | None = None
) -> list[str]:
    """Every check, in order; returns what was proved, raises BundleInvalid at the first failure."""
    proved: list[str] = []
    with zipfile.ZipFile(path) as bundle:
        names = set(bundle.namelist())
        for required in (MANIFEST, MANIFEST_SIGNATURE, "public_key.pem", "proof.json"):
            if required not in names:
                raise BundleInvalid(f"{required} is missing from the bundle")
        key_pem = pinned_key or bundle.read("public_key.pem")
        try:
            public_key = load_pem_public_key(key_pem)
        except ValueError as error:
            raise BundleInvalid("the public key cannot be read") from error
        if not isinstance(public_key, Ed25519PublicKey):
            raise BundleInvalid("the public key is not an Ed25519 key")

        manifest_bytes = bundle.read(MANIFEST)
        try:
            public_key.verify(base64.b64decode(bundle.read(MANIFEST_SIGNATURE)), manifest_bytes)
        except (InvalidSignature, ValueError) as error:
            raise BundleInvalid("the manifest's signature is not valid for this key") from error
        manifest = json.loads(manifest_bytes)
        listed = manifest["files"]
        unlisted = names - set(listed) - {MANIFEST, MANIFEST_SIGNATURE}
        if unlisted:
            raise BundleInvalid(f"files not in the manifest: {', '.join(sorted(unlisted))}")
        for name, digest in listed.items():
            if name not in names:
                raise BundleInvalid(f"{name} is listed in the manifest but missing")
            if hashlib.sha256(bundle.read(name)).hexdigest() != digest:
                raise BundleInvalid(f"{name} was altered: its SHA-256 differs from the manifest")
        proved.append(f"all {len(listed)} files are exactly as signed in the manifest")

        proof = json.loads(bundle.read("proof.json"))
        checkpoint = proof["checkpoint"]
        try:
            public_key.verify(
                base64.b64decode(str(checkpoint["signature"])), checkpoint_message(checkpoint)
            )
        except (InvalidSignature, ValueError) as error:
            raise BundleInvalid("the checkpoint's signature is not valid for this key") from error
        if checkpoint["key_id"] != key_id(public_key):
            raise BundleInvalid("the checkpoint names another signing key")
        proved.append(f"checkpoint at position {checkpoint['position']} is signed by this key")
        if held is not None:
            if not any(
                h.get("link_hash") == checkpoint["link_hash"]
                and h.get("position") == checkpoint["position"]
                for h in held
            ):
                raise BundleInvalid("the checkpoint is not one of the checkpoints you hold")
            proved.append("the checkpoint is one you hold")

        stored = {}
        for line in bundle.read("events.jsonl").decode().splitlines():
            event = json.loads(line)
            stored[event["position"]] = hashlib.sha256(base64.b64decode(event["state"])).hexdigest()
        segment = proof["segment"]
        previous = bytes.fromhex(proof["previous_link"])
        for entry in segment:
            position = entry["position"]
            if position in stored and stored[position] != entry["state_sha256"]:
                raise BundleInvalid(f"the event at position {position} differs from its chain link")
            previous = link_hash(
                previous,
                position,
                UUID(entry["originator_id"]),
                entry["originator_version"],
                entry["topic"],
                bytes.fromhex(entry["state_sha256"]),
            )
        missing = set(stored) - {e["position"] for e in segment}
        if missing:
            raise BundleInvalid(f"events outside the chain segment: {sorted(missing)[:5]}")
        if previous.hex() != checkpoint["link_hash"]:
            raise BundleInvalid("the chain segment does not end in the checkpoint's link")
        proved.append(
            f"{len(stored)} events, as stored, are in the chain up to the signed checkpoint"
        )

        documents = [n for n in names if n.startswith("documents/")]
        for name in documents:
            expected = Path(name).stem
            if hashlib.sha256(bundle.read(name)).hexdigest() != expected:
                raise BundleInvalid(f"{name} does not hash to the SHA-256 it is cited by")
        proved.append(f"{len(documents)} documents hash to the SHA-256 the events cite")
        if WITHHELD in names:
            withheld = [d["sha256"] for d in json.loads(bundle.read(WITHHELD))["documents"]]
            carried = {Path(name).stem for name in documents}
            for sha in withheld:
                if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
                    raise BundleInvalid(f"{WITHHELD} lists a SHA-256 that is not one")
                if sha in carried:
                    raise BundleInvalid(f"documents/{sha} is both carried and withheld")
            proved.append(
                f"{len(withheld)} documents withheld from you (not visible to your role): their"
                f" SHA-256 are listed in {WITHHELD}, their contents are not in the bundle"
            )
    return proved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Jejak evidence bundle offline.")
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--public-key", type=Path, help="the key you pinned (PEM)")
    parser.add_argument("--checkpoints", type=Path, help="checkpoints you hold (JSON)")
    args = parser.parse_args(argv)
    pinned = args.public_key.read_bytes() if args.public_key else None
    held = None
    if args.checkpoints:
        data = json.loads(args.checkpoints.read_text())
        held = data.get("checkpoints", data) if isinstance(data, dict) else data
    try:
        proved = verify_bundle(args.bundle, pinned, held)
    except (BundleInvalid, KeyError, ValueError, zipfile.BadZipFile) as error:
        print(f"NOT VERIFIED: {error}")
        return 1
    print("VERIFIED")
    for line in proved:
        print(f"  - {line}")
    if pinned is None:
        print("  (checked with the key inside the bundle: pass --public-key with your pinned key)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
