"""Pinyin initials (拼音首字母) for the pickers: a person types "dhm" for 东华门街道, "zdjy" for 占道经营, "cxd"
for 长辛店 (a character with several readings matches by any of them). The readings are pypinyin's."""

from __future__ import annotations

from functools import lru_cache

MIN_TYPED, MAX_TYPED = 2, 16


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


@lru_cache(maxsize=20000)
def initial_sets(name: str) -> tuple[frozenset[str], ...]:
    """Each character's possible initials, in order (letters and digits stand for themselves; other signs
    are skipped)."""
    from pypinyin import Style, pinyin

    out = []
    for ch in name:
        if _is_han(ch):
            readings = pinyin(ch, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
            letters = frozenset(r[0].lower() for r in (readings[0] if readings else []) if r)
            if letters:
                out.append(letters)
        elif ch.isascii() and ch.isalnum():
            out.append(frozenset({ch.lower()}))
    return tuple(out)


@lru_cache(maxsize=20000)
def initials(name: str) -> str:
    """The usual reading's initials of a name, as a picker shows them beside it (东华门街道 → dhmjd)."""
    from pypinyin import Style, lazy_pinyin

    return "".join(p[0].lower() for p in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore") if p)


def looks_like_initials(text: str) -> bool:
    return MIN_TYPED <= len(text) <= MAX_TYPED and text.isascii() and text.isalpha()


def where_initials(name: str, typed: str) -> int | None:
    """Where in `name` the typed initials begin (0: at its start), or None when they are not in it."""
    sets, typed = initial_sets(name), typed.lower()
    for offset in range(len(sets) - len(typed) + 1):
        if all(letter in sets[offset + i] for i, letter in enumerate(typed)):
            return offset
    return None
