"""CSV cells that a spreadsheet will not run: the audit and feedback exports hold what readers typed.

OWASP's advice on CSV injection: a cell starting with =, +, -, @, a tab or a carriage return can be read as a
formula by Excel, LibreOffice or Google Sheets, so it gets a leading single quote, which they show as text. The
exports are for people to open (records and FOI requests, reviewing feedback), so the quote is visible there."""

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def row(values: Iterable[object]) -> list[str]:
    return [cell(value) for value in values]
