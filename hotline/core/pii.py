"""Citizens' personal information at rest (来电人姓名、号码): AES-256-GCM encryption with a key ring, and
a keyed blind index (HMAC-SHA256) so that caller history, repeat callers and duplicate lookups stay
indexed equality lookups without the number ever being stored in the clear.

Keys come from the environment (docs/reliability.md, "Keys"):

* ``HOTLINE_PII_KEYS``: ``id:base64key[,id:base64key…]``, 32-byte keys; the first encrypts, every one
  decrypts (rotation: put a new key first, run ``rotatepii``, then drop the old one).
* ``HOTLINE_PII_INDEX_KEY``: base64, the HMAC key of the blind index (changing it means ``rotatepii
  --reindex``).

With DEBUG on and no keys set (the embedded demo), both are the demo keys below — fixed and public, as the
demo's callers are made up; benchmarks use them too, so data generated in a demo reads the same under
DEBUG off. With DEBUG off the keys are required (a system check fails, and so does the first use).

Stored form: ``v1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>``; the empty string stays empty. A value
without the prefix is read as it is (rows written before encryption), so the migration that encrypts
them can run on a live table; `rotatepii` leaves no such row behind."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1"


DEMO_KEY = hashlib.sha256(b"hotline-demo-pii-encryption (public: demo data only)").digest()
DEMO_INDEX_KEY = hashlib.sha256(b"hotline-demo-pii-index (public: demo data only)").digest()


def demo_environment() -> dict[str, str]:
    """The demo keys as environment values (for benchmarks, which run with DEBUG off on demo data)."""
    return {
        "HOTLINE_PII_KEYS": "dev:" + base64.b64encode(DEMO_KEY).decode(),
        "HOTLINE_PII_INDEX_KEY": base64.b64encode(DEMO_INDEX_KEY).decode(),
    }


@lru_cache(maxsize=1)
def _keys() -> tuple[tuple[str, object], dict[str, object], bytes]:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    ring_text = getattr(settings, "HOTLINE_PII_KEYS", "")
    index_text = getattr(settings, "HOTLINE_PII_INDEX_KEY", "")
    if not ring_text or not index_text:
        if not getattr(settings, "HOTLINE_PII_DEV_KEYS", False):
            raise ImproperlyConfigured("HOTLINE_PII_KEYS and HOTLINE_PII_INDEX_KEY must be set when DEBUG is off.")
        ring = [("dev", DEMO_KEY)]
        index_key = DEMO_INDEX_KEY
    else:
        ring = []
        for part in ring_text.split(","):
            key_id, _, encoded = part.strip().partition(":")
            key = base64.b64decode(encoded)
            if not key_id or len(key) != 32:
                raise ImproperlyConfigured("HOTLINE_PII_KEYS: each entry is id:base64 of 32 bytes.")
            ring.append((key_id, key))
        index_key = base64.b64decode(index_text)
        if len(index_key) < 32:
            raise ImproperlyConfigured("HOTLINE_PII_INDEX_KEY: base64 of at least 32 bytes.")
        demo = any(key == DEMO_KEY for _id, key in ring) or index_key == DEMO_INDEX_KEY
        allowed = getattr(settings, "HOTLINE_PII_DEV_KEYS", False) or getattr(
            settings, "HOTLINE_PII_ALLOW_DEMO_KEYS", False
        )
        if demo and not allowed:
            raise ImproperlyConfigured(
                "HOTLINE_PII_KEYS or HOTLINE_PII_INDEX_KEY is the public demo key: set keys of your own."
            )
    ciphers = {key_id: AESGCM(key) for key_id, key in ring}
    return (ring[0][0], ciphers[ring[0][0]]), ciphers, index_key


def reset() -> None:
    """Forget the loaded keys (after a settings change: tests, rotation)."""
    _keys.cache_clear()


def configured() -> str | None:
    """None when the keys are usable, else why not (for the system check)."""
    try:
        _keys()
    except (ImproperlyConfigured, ValueError) as exc:
        return str(exc)
    return None


def encrypt(value: str | None) -> str | None:
    if value is None or value == "":
        return value
    (key_id, cipher), _ciphers, _index = _keys()
    nonce = os.urandom(12)
    sealed = cipher.encrypt(nonce, value.encode(), key_id.encode())
    return f"{PREFIX}:{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def is_encrypted(value: str | None) -> bool:
    return bool(value) and value.startswith(PREFIX + ":")


def decrypt(value: str | None) -> str | None:
    if not is_encrypted(value):
        return value  # empty, or a row written before encryption
    _prefix, key_id, encoded = value.split(":", 2)
    _current, ciphers, _index = _keys()
    cipher = ciphers.get(key_id)
    if cipher is None:
        raise ImproperlyConfigured(f"No PII key {key_id!r} in HOTLINE_PII_KEYS (a key was dropped too early).")
    raw = base64.b64decode(encoded)
    return cipher.decrypt(raw[:12], raw[12:], key_id.encode()).decode()


def current_key_id() -> str:
    return _keys()[0][0]


def blind_index(value: str) -> str:
    """The keyed index of a normalised value (a phone number's digits): equal inputs, equal index; the
    index tells nothing about the number without the key."""
    if not value:
        return ""
    return hmac.new(_keys()[2], value.encode(), hashlib.sha256).hexdigest()[:32]


def encrypt_rows(
    connection,
    table: str,
    columns: list[str],
    *,
    index: tuple[str, str] | None = None,
    batch: int = 5000,
    progress=None,
) -> int:
    """Encrypt the clear values left in `columns` of `table` (rows written before encryption, or after a
    key rotation: values under an old key are re-encrypted under the current one), and fill the blind
    index `index = (source column, index column)`. Batched by id; returns the rows rewritten."""
    current = f"{PREFIX}:{current_key_id()}:"
    quoted = connection.ops.quote_name
    source_index = columns.index(index[0]) if index else None
    done, last = 0, 0
    while True:
        with connection.cursor() as cursor:
            stale = " OR ".join(f"({quoted(c)} <> '' AND {quoted(c)} NOT LIKE %s)" for c in columns)
            if index:
                stale += f" OR {quoted(index[1])} = ''"
            cursor.execute(
                f"SELECT id, {', '.join(quoted(c) for c in columns)} FROM {quoted(table)} "
                f"WHERE id > %s AND ({stale}) ORDER BY id LIMIT %s",
                [last, *([current + "%"] * len(columns)), batch],
            )
            rows = cursor.fetchall()
            if not rows:
                return done
            updates = []
            for row_id, *values in rows:
                clear = [decrypt(value) for value in values]
                new = [encrypt(value) for value in clear]
                if index:
                    new.append(blind_index(clear[source_index]))
                updates.append((*new, row_id))
            targets = [*columns, *([index[1]] if index else [])]
            cursor.executemany(
                f"UPDATE {quoted(table)} SET {', '.join(f'{quoted(c)} = %s' for c in targets)} WHERE id = %s", updates
            )
            done += len(rows)
            last = rows[-1][0]
            if progress:
                progress(done)
