"""Text helpers for Vietnamese: searching and SMS without diacritics."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def strip_diacritics(text: str) -> str:
    """"Đăng ký khai sinh" -> "Dang ky khai sinh" (đ has no decomposition, so map it)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_key(text: str) -> str:
    """The form both the catalogue and the query are compared in: no diacritics, lower case."""
    return _SPACES.sub(" ", strip_diacritics(text or "").lower()).strip()
