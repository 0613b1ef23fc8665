"""Contact keys: one comparable form of a phone number, whatever way a clerk typed it.

Lists mix national (``0933 222 333``) and international (``+963 933 222 333``, ``00963…``) forms; linkage
and household inference compare :func:`phone_key`, never the raw text. The importer already stores E.164,
but records also arrive from the API and from tests, so the core normalises again (it is idempotent).
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers


def check_region(region: str) -> str:
    """``region`` upper-cased if it is a country libphonenumber knows (ISO 3166 alpha-2); ValueError else."""
    r = region.strip().upper()
    if r not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"phone region {region!r} is not an ISO 3166 country code libphonenumber knows (e.g. SY)")
    return r


@lru_cache(maxsize=400_000)
def phone_key(text: str, region: str = "SY") -> str:
    """E.164 form of ``text`` read with the list's country ``region``; "" for no phone.

    A text that is not a possible number keeps only its digits, so two identical typings still meet, but
    it never raises: a bad phone must not stop linkage.
    """
    t = text.strip()
    if not t:
        return ""
    try:
        num = phonenumbers.parse(t, region)
    except phonenumbers.NumberParseException:
        num = None
    if num is not None and phonenumbers.is_possible_number(num):
        return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    return "".join(ch for ch in t if ch.isdigit())
