"""Small text and date helpers shared by the parsers (pure)."""

from __future__ import annotations

import datetime as dt
import re

_PARAGRAPH = re.compile(r"\n[ \t]*\n|\n[ \t]{2,}")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_MONTH_DAY_YEAR = re.compile(r"^([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),?(?:\s+(\d{4}))?$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?(?:,?\s+(\d{4}))?$")


# What XML 1.0 forbids (C0 controls but tab and newlines, lone surrogates, U+FFFE/U+FFFF); HTML and
# every XML reader choke on them, so they never get into the store or out of the site.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", text) if _NOT_XML.search(text) else text


def clean_line(text: str | None) -> str:
    """Collapse all white space (titles, names): arXiv wraps long titles over several lines."""
    return " ".join(xml_safe(text).split()) if text else ""


def clean_abstract(text: str | None) -> str:
    """Unwrap hard line breaks but keep paragraphs (a blank line, or a line indented as arXiv does)."""
    if not text:
        return ""
    text = xml_safe(text)
    if "\n" not in text:
        return " ".join(text.split())
    paragraphs = _PARAGRAPH.split(text.strip())
    return "\n\n".join(p for p in (clean_line(p) for p in paragraphs) if p)


# a sentence ends at . ! or ? followed by space and a capital, a digit or an opening bracket; "e.g. the"
# and "Fig. 3" stay inside their sentence often enough, and a wrong cut only shifts a window
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")


def sentences(text: str) -> list[str]:
    return [s for s in (part.strip() for part in _SENTENCE_END.split(text)) if s]


def optional(text: str | None) -> str | None:
    cleaned = clean_line(text) if isinstance(text, str) else None
    return cleaned or None


def plain_excerpt(text: str, limit: int = 300) -> str:
    """A short one-line excerpt (TeX dollars dropped) for feed entries and mails; templates escape it."""
    flat = " ".join(text.replace("$", "").split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)
    return flat[: cut if cut > limit // 2 else limit].rstrip(",;:") + "…"


class DateError(ValueError):
    pass


def parse_date(value: object) -> tuple[dt.date | None, str | None]:
    """Read a date as sources print it. Returns ``(date, None)``, or ``(None, text)`` for a date
    without a year ("Aug 28"), which is kept as printed and never guessed. Raises DateError otherwise."""
    if value is None or value == "":
        return None, None
    if not isinstance(value, str):
        raise DateError(f"date {value!r} is not text")
    s = value.strip()
    if len(s) >= 10 and s[4] == "-" and s[7] == "-":
        try:
            return dt.date.fromisoformat(s[:10]), None
        except ValueError:
            raise DateError(f"{s!r} is not a valid date") from None
    for pattern, month_group, day_group in ((_MONTH_DAY_YEAR, 1, 2), (_DAY_MONTH_YEAR, 2, 1)):
        m = pattern.match(s)
        if m:
            month = _MONTHS.get(m.group(month_group)[:3].lower())
            if month is None:
                break
            day = int(m.group(day_group))
            if m.group(3) is None:
                if not 1 <= day <= 31:
                    break
                return None, s
            try:
                return dt.date(int(m.group(3)), month, day), None
            except ValueError:
                break
    raise DateError(f"{s!r} is not a date Paperboard can read (expected e.g. 2025-03-18 or Jul 11, 2022)")
