"""The card's QR text (DESIGN.md section 4): signed with Ed25519, readable by any scanner.

    GP1:<key id>:<community>:<serial>:<generation>:<household>:<kind>:<from>:<to>:<signature>

Every character is in QR alphanumeric mode (digits, A-Z, ':'), so a card's code is about
170 characters, QR version 7 at error correction M. The signature covers everything
before it, in this canonical upper-case form; decoding first folds what a keyboard-wedge
scanner may have done to the text (Caps Lock, full-width characters, stray spaces).
Nothing personal is in it: no names, no ID numbers, no phone numbers.
"""
from __future__ import annotations

import base64
import collections
import dataclasses
import datetime as dt
import hashlib
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.model import CardKind
from kiosk.serial import format_serial, normalize_serial
from kiosk.text import clean_scanned

PREFIX = "GP1"
_KIND_LETTER = {CardKind.LIFE: "L", CardKind.WORK: "W", CardKind.SPECIAL: "S"}
_LETTER_KIND = {v: k for k, v in _KIND_LETTER.items()}
# The signature is 64 bytes in unpadded base 32: 103 characters.
_PAYLOAD = re.compile(
    r"GP1:(?P<key>[A-Z2-7]{8}):(?P<community>[0-9A-Z]{13}):(?P<serial>[0-9A-Z]{7}):"
    r"(?P<generation>[1-9][0-9]{0,3}):(?P<household>H[0-9A-Z]{6}(?:[0-9A-Z]{4})?):(?P<kind>[LWS]):"
    r"(?P<valid_from>[0-9]{8}):(?P<valid_to>[0-9]{8}):(?P<signature>[A-Z2-7]{103})"
)


class CardCodeError(ValueError):
    """A scanned code was refused; `reason` is the verdict's reason code."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class CardCode:
    """What a card's QR code says."""

    key_id: str
    community: str
    serial: str  # printed form, with hyphen and check character
    generation: int
    household_id: str
    kind: CardKind
    valid_from: dt.date
    valid_to: dt.date


def key_id(public_key: Ed25519PublicKey) -> str:
    """8 characters derived from the key itself, so two communities never share one."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b32encode(hashlib.sha256(raw).digest()[:5]).decode()


def public_key_from_text(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b32decode(text))


def public_key_text(public_key: Ed25519PublicKey) -> str:
    return base64.b32encode(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def _body(code: CardCode) -> str:
    return ":".join([
        PREFIX, code.key_id, code.community, code.serial.replace("-", ""),
        str(code.generation), code.household_id, _KIND_LETTER[code.kind],
        code.valid_from.strftime("%Y%m%d"), code.valid_to.strftime("%Y%m%d"),
    ]) + ":"


def encode(code: CardCode, private_key: Ed25519PrivateKey) -> str:
    """The QR text for a card, signed with the office's private key."""
    if code.key_id != key_id(private_key.public_key()):
        raise ValueError("key id does not belong to this private key")
    body = _body(code)
    signature = base64.b32encode(private_key.sign(body.encode("ascii"))).decode().rstrip("=")
    return body + signature


def parse(text: str) -> tuple[CardCode, str, bytes]:
    """Split a scanned text into the card, the signed body and the signature.

    Raises CardCodeError('not_a_card') for anything that is not a well-formed card code.
    """
    cleaned = clean_scanned(text)
    match = _PAYLOAD.fullmatch(cleaned)
    if not match:
        raise CardCodeError("not_a_card")
    f = match.groupdict()
    serial = normalize_serial(f["serial"])
    if serial is None:
        raise CardCodeError("not_a_card")
    try:
        valid_from, valid_to = _date(f["valid_from"]), _date(f["valid_to"])
    except ValueError:
        raise CardCodeError("not_a_card") from None
    code = CardCode(
        key_id=f["key"], community=f["community"], serial=format_serial(serial.replace("-", "")),
        generation=int(f["generation"]), household_id=f["household"],
        kind=_LETTER_KIND[f["kind"]], valid_from=valid_from, valid_to=valid_to,
    )
    signature = _signature_bytes(f["signature"])
    return code, cleaned[: match.start("signature")], signature


_BASE32 = {ch: i for i, ch in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}


def _date(yyyymmdd: str) -> dt.date:
    return dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))


def _signature_bytes(text: str) -> bytes:
    """103 base-32 characters → 64 bytes (515 bits, the last 3 unused).

    Only the canonical spelling, with the 3 unused bits zero, is a card: otherwise two
    different texts would pass for the same signed card. (An integer does in one pass what
    the standard library's pure-Python base 32 does in two, on every scan.)
    """
    value = 0
    for ch in text:
        value = (value << 5) | _BASE32[ch]
    if value & 0b111:
        raise CardCodeError("not_a_card")
    return (value >> 3).to_bytes(64, "big")


class Verifier:
    """Checks card codes against one community's public keys (a gate needs no private key)."""

    # Codes already verified with these keys: the same card is scanned out and in, the
    # scanner double-fires, and an Ed25519 check is the costliest step of a scan. A text
    # is only ever cached after its signature verified; new keys mean a new Verifier.
    CACHE_SIZE = 20_000

    def __init__(self, community: str, public_keys: dict[str, Ed25519PublicKey]):
        self.community = community
        self.public_keys = dict(public_keys)
        self._verified: collections.OrderedDict[str, CardCode] = collections.OrderedDict()

    def verify(self, text: str) -> CardCode:
        """The card a scanned text carries, or CardCodeError with the reason code."""
        known = self._verified.get(text)
        if known is not None:
            self._verified.move_to_end(text)
            return known
        code = self._verify(text)
        self._verified[text] = code
        if len(self._verified) > self.CACHE_SIZE:
            self._verified.popitem(last=False)
        return code

    def _verify(self, text: str) -> CardCode:
        code, body, signature = parse(text)
        key = self.public_keys.get(code.key_id)
        if code.community != self.community or key is None:
            raise CardCodeError("wrong_community")
        try:
            key.verify(signature, body.encode("ascii"))
        except InvalidSignature:
            raise CardCodeError("bad_signature") from None
        return code


def new_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()

