"""DKIM key records (RFC 6376 §3.6.1): which TXT is one, and its RSA key size.

The ``p=`` tag holds a base64 SubjectPublicKeyInfo (or, as some signers
publish, a bare RSAPublicKey); the modulus length is read from the DER
encoding, with no cryptography library needed.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Optional

_P_TAG = re.compile(r"(?:^|;)\s*p\s*=\s*([A-Za-z0-9+/=\s]*)(?:;|$)")


def is_key_record(text: str) -> bool:
    return bool(_P_TAG.search(text)) and ("v=DKIM1" in text.replace(" ", "") or "k=rsa" in text.replace(" ", ""))


def rsa_key_bits(text: str) -> Optional[int]:
    """The RSA modulus length of a DKIM key record, or None when it cannot be read."""
    m = _P_TAG.search(text)
    if not m:
        return None
    try:
        der = base64.b64decode("".join(m.group(1).split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return _modulus_bits(der)


def _read(der: bytes, pos: int) -> tuple:
    """``(tag, start of content, end of content)`` of the DER element at ``pos``."""
    tag = der[pos]
    length = der[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(der[pos:pos + count], "big")
        pos += count
    if pos + length > len(der):
        raise ValueError("truncated")
    return tag, pos, pos + length


def _modulus_bits(der: bytes) -> Optional[int]:
    try:
        tag, start, end = _read(der, 0)
        if tag != 0x30:
            return None
        tag, inner, inner_end = _read(der, start)
        if tag == 0x30:  # SubjectPublicKeyInfo: AlgorithmIdentifier, then BIT STRING
            tag, bits_start, bits_end = _read(der, inner_end)
            if tag != 0x03:
                return None
            tag, start, end = _read(der, bits_start + 1)
            tag, inner, inner_end = _read(der, start)
        if tag != 0x02:
            return None
        modulus = der[inner:inner_end].lstrip(b"\x00")
        return int.from_bytes(modulus, "big").bit_length() if modulus else None
    except (IndexError, ValueError):
        return None
