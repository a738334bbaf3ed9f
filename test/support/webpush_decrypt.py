#!/usr/bin/env python3
"""Decrypts one Web Push message (RFC 8291, aes128gcm content coding of RFC 8188), independently of
the server's Node library: Python's `cryptography` (Debian's python3-cryptography) does the ECDH,
HKDF and AES-GCM. Reads JSON from stdin: {"body": base64, "ua_private_pkcs8": base64,
"auth_secret": base64}; prints the plaintext, or exits 1 with the reason."""
import base64
import json
import struct
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def main() -> None:
    req = json.load(sys.stdin)
    body = base64.b64decode(req["body"])
    ua_private = serialization.load_der_private_key(base64.b64decode(req["ua_private_pkcs8"]), password=None)
    auth_secret = base64.b64decode(req["auth_secret"])
    # The header (RFC 8188 §2.1): salt, record size, key id (the sender's public key, RFC 8291 §4).
    salt, rs, idlen = body[:16], struct.unpack(">I", body[16:20])[0], body[20]
    as_public_bytes = body[21 : 21 + idlen]
    ciphertext = body[21 + idlen :]
    if idlen != 65:
        sys.exit(f"key id is {idlen} bytes, not an uncompressed P-256 point")
    if len(ciphertext) > rs:
        sys.exit("more than one record")
    as_public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public_bytes)
    ua_public_bytes = ua_private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    ecdh_secret = ua_private.exchange(ec.ECDH(), as_public)
    # RFC 8291 §3.4: the input keying material, then RFC 8188 §2.2-2.3: the content key and nonce.
    ikm = hkdf(auth_secret, ecdh_secret, b"WebPush: info\x00" + ua_public_bytes + as_public_bytes, 32)
    cek = hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16)
    nonce = hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12)
    padded = AESGCM(cek).decrypt(nonce, ciphertext, None)
    # The last record ends with the delimiter 0x02, then zero or more zero bytes of padding.
    end = len(padded.rstrip(b"\x00")) - 1
    if end < 0 or padded[end] != 2:
        sys.exit("no last-record delimiter")
    sys.stdout.write(padded[:end].decode("utf-8"))


main()
