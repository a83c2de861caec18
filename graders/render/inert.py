"""Student text made inert for wherever it lands: a terminal, a page, XML, CSV, SQLite, JSON.

Messages, tracebacks, printed output, explanations and file names all come from the
submission, so they may hold terminal escape sequences (clear the screen, retitle the
window, forge a "12/12 PASS"), bidi overrides that reorder what a reader sees, control
characters, or lone surrogates that no UTF-8 encoder accepts. Every function here is pure
and total: any string in, a safe string out.
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\N{REPLACEMENT CHARACTER}"
# ESC or C1 sequences as terminals parse them (ECMA-48): CSI, then OSC/DCS/SOS/PM/APC
# strings up to their terminator (BEL or ST) or the end of the line, then two-byte escapes.
ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x9c\n]*?(?:\x07|\x1b\\|\x9c|(?=\n)|\Z)"
    r"|\x1b[ -/]*[0-~]?"
)
# C0 controls but tab and newline; DEL; C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi embeddings, overrides and isolates: they reorder the text around them.
BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
SURROGATE = re.compile(r"[\ud800-\udfff]")
# Characters XML 1.0 forbids (section 2.2 allows tab, newline, CR, U+20 to U+D7FF, U+E000 to
# U+FFFD and U+10000 up): removed from text and attributes. Spelled as what is forbidden, as
# the complement of the allowed ranges takes 8 ms to compile.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A spreadsheet runs a cell starting with one of these as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def utf8_text(value: object) -> str:
    """`value` as text that encodes to UTF-8: each lone surrogate becomes U+FFFD."""
    return SURROGATE.sub(REPLACEMENT, str(value))


def display_text(value: object, *, multiline: bool = True) -> str:
    """Text safe to show a person (terminal, page, platform): no escape sequence, no control
    character, no bidi override, no lone surrogate.

    Escape sequences are removed whole; other controls and bidi characters become U+FFFD,
    so a reader sees that something was there. A carriage return starts a new line instead
    of overwriting the one before. With `multiline` false, newlines and tabs become spaces.
    """
    text = utf8_text(value).replace("\r\n", "\n")
    text = ESCAPE_SEQUENCE.sub("", text).replace("\r", "\n")
    if not multiline:
        text = text.replace("\n", " ").replace("\t", " ")
    return BIDI.sub(REPLACEMENT, CONTROL.sub(REPLACEMENT, text))


def xml_text(value: object) -> str:
    """Display text without the characters XML 1.0 forbids (for text and attributes)."""
    return XML_INVALID.sub("", display_text(value))


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP CSV injection advice)."""
    text = utf8_text(value)
    if text.startswith(FORMULA_TRIGGERS) and not NUMBER.fullmatch(text):
        return f"'{text}"
    return text


def json_safe(value: Any) -> Any:
    """A JSON-able value with every string (keys too) made valid UTF-8."""
    if isinstance(value, str):
        return utf8_text(value)
    if isinstance(value, dict):
        return {json_safe(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value
