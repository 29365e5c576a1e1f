"""Amazon's settlement report (``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2``): one payout.

A tab-separated flat file. Its first data row carries the settlement itself (id, period,
deposit date, total, currency); every other row one amount of one transaction (an order's
item price or fee, a refund, a reserve, a subscription...). Plain Python; amounts are
:class:`~decimal.Decimal`, times naive UTC datetimes.
"""

import codecs
import csv
import gzip
import io
import re
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from .exceptions import AmazonDocumentError

REQUIRED_COLUMNS = ("settlement-id", "total-amount", "currency", "amount-type", "amount")
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d")
MAX_TEXT = 255
# A settlement report covers about two weeks of one seller's marketplaces, at ~140 bytes a
# row: 100,000 rows (a very busy seller) are ~14 MB. 512 MB (about 3.7 million rows) is far
# beyond any report seen and still fits a temporary file; a bigger document (a broken or
# hostile GZIP expanding without end) is refused. System parameter
# ``amazon_sp_connector.settlement_report_max_mb`` overrides it.
MAX_DOCUMENT_BYTES = 512 << 20
CHUNK_BYTES = 1 << 20  # expanded and read a megabyte at a time
SPOOL_BYTES = 1 << 20  # an expanded document up to this size stays in memory, else on disk
MAX_LINE_CHARS = 1 << 16
# Odoo stores quantities as 32-bit integers; an amount of a settlement is far below these.
MAX_QUANTITY = 1_000_000
MAX_AMOUNT = Decimal(10) ** 12


@dataclass(frozen=True)
class SettlementLine:
    """One amount of one transaction."""

    transaction_type: str
    order_ref: str
    amount_type: str
    description: str
    amount: Decimal
    sku: str = ""
    quantity: int = 0
    posted: datetime | None = None
    marketplace: str = ""
    adjustment_ref: str = ""
    order_item_ref: str = ""
    merchant_order_ref: str = ""


@dataclass
class Settlement:
    """A whole settlement report: Amazon's payout and its lines."""

    settlement_ref: str
    start: datetime | None
    end: datetime | None
    deposit_date: datetime | None
    total: Decimal
    currency: str
    lines: list = field(default_factory=list)

    @property
    def lines_total(self):
        return sum((line.amount for line in self.lines), Decimal(0))


def parse_amount(text):
    """Amazon's amount text (``1234.56``, ``-12.3``, ``1.234,56``, ``1234,56``) as a Decimal.

    :raises ValueError: when it is not a number
    """
    text = (text or "").strip().replace(" ", "")
    if not text:
        return Decimal(0)
    if "," in text and "." in text:
        # the last separator is the decimal one
        if text.rindex(",") > text.rindex("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not an amount: {text[:30]!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {text[:30]!r}")
    return value


def parse_date(text):
    """Amazon's settlement date (``2026-11-01 08:15:42 UTC``, ``01.11.2026 08:15:42 UTC``,
    ISO 8601 with an offset...) as a naive UTC datetime, or None when empty.

    :raises ValueError: when it is not a date
    """
    text = (text or "").strip()
    if not text:
        return None
    iso = re.sub(r"Z$", "+00:00", text)
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = None
    if parsed is not None:
        return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
    bare = re.sub(r"\s*(UTC|GMT)$", "", text)
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(bare, pattern)
        except ValueError:
            continue
    raise ValueError(f"not a date: {text[:40]!r}")


def open_document(content, compression=None, max_bytes=MAX_DOCUMENT_BYTES):
    """The report document as a binary file to read from, GZIP expanded as a stream into a
    temporary file: never more than a chunk in memory, never more than ``max_bytes`` on disk.

    :param content: the document's bytes as downloaded
    :param compression: Amazon's ``compressionAlgorithm`` (``GZIP``) or None
    :returns: a seekable binary file object (close it when done)
    :raises AmazonDocumentError: when the document is not readable GZIP or larger than
        ``max_bytes`` once expanded
    """
    if compression != "GZIP":
        if len(content) > max_bytes:
            raise AmazonDocumentError(_too_large(max_bytes))
        return io.BytesIO(content)  # shares the downloaded bytes, no copy
    target = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    written = 0
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(content), mode="rb") as expanded:
            while chunk := expanded.read(CHUNK_BYTES):
                written += len(chunk)
                if written > max_bytes:
                    raise AmazonDocumentError(_too_large(max_bytes))
                target.write(chunk)
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        target.close()
        raise AmazonDocumentError(f"Amazon's GZIP document cannot be read: {exc}") from None
    except AmazonDocumentError:
        target.close()
        raise
    target.seek(0)
    return target


def _too_large(max_bytes):
    return f"The settlement report is larger than {max_bytes // (1 << 20)} MB once expanded; not imported"


def _encoding(stream):
    """UTF-8 (with or without BOM) when the whole stream is UTF-8, else Windows-1252 (older
    European reports); read in chunks, then rewound."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoding = "utf-8-sig"
    try:
        while chunk := stream.read(CHUNK_BYTES):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        encoding = "cp1252"
    stream.seek(0)
    return encoding


def _lines(text):
    """The text's lines, none longer than :data:`MAX_LINE_CHARS` (a row is a few hundred)."""
    while line := text.readline(MAX_LINE_CHARS):
        if len(line) >= MAX_LINE_CHARS and not line.endswith("\n"):
            raise AmazonDocumentError(f"The settlement report has a line longer than {MAX_LINE_CHARS} characters")
        yield line


class _CellError(ValueError):
    """A cell that cannot be read: its column and why."""

    def __init__(self, column, message):
        super().__init__(f"column {column}: {message}")


def _amount(text, column):
    try:
        value = parse_amount(text)
    except ValueError as exc:
        raise _CellError(column, str(exc)) from None
    if abs(value) >= MAX_AMOUNT:
        raise _CellError(column, f"{text[:30]!r} is out of range (at most {MAX_AMOUNT:,} in absolute value)")
    return value


def _quantity(text):
    column = "quantity-purchased"
    if not text:
        return 0
    if not re.fullmatch(r"-?\d{1,18}", text):
        raise _CellError(column, f"{text[:30]!r} is not a whole number")
    value = int(text)
    if abs(value) > MAX_QUANTITY:
        raise _CellError(column, f"{text[:30]!r} is out of range (at most {MAX_QUANTITY:,} in absolute value)")
    return value


def _row_error(number, exc):
    """The document error of line ``number``, naming the column when the cell is known."""
    separator = ", " if isinstance(exc, _CellError) else ": "
    return AmazonDocumentError(f"Settlement report, line {number}{separator}{exc}")


def read_settlement(stream):
    """Read a settlement report as a stream: its settlement row now, its amount rows one by
    one as they are iterated (the file is never held whole in memory).

    :param stream: a seekable binary file object (see :func:`open_document`)
    :returns: (:class:`Settlement` without lines, iterator of :class:`SettlementLine`);
        the iterator raises as it meets a bad row
    :raises AmazonDocumentError: a document that is not a settlement report, or a row that
        cannot be read (its line number and column say which)
    """
    text = io.TextIOWrapper(stream, encoding=_encoding(stream), errors="replace", newline="")
    reader = csv.reader(_lines(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    rows = _numbered(reader)
    try:
        number, first = next(rows)
    except StopIteration:
        raise AmazonDocumentError("The settlement report is empty") from None
    header = [cell.strip().lower() for cell in first]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise AmazonDocumentError(f"Not a settlement report: columns missing: {', '.join(missing)}")
    index = {name: position for position, name in enumerate(header)}

    def cell(row, name):
        position = index.get(name)
        return row[position].strip() if position is not None and position < len(row) else ""

    try:
        number, row = next(rows)
    except StopIteration:
        raise AmazonDocumentError("The settlement report has no settlement row") from None
    try:
        if not cell(row, "total-amount"):
            raise ValueError("the first row must carry the settlement's total-amount")
        settlement = Settlement(
            settlement_ref=cell(row, "settlement-id")[:MAX_TEXT],
            start=parse_date(cell(row, "settlement-start-date")),
            end=parse_date(cell(row, "settlement-end-date")),
            deposit_date=parse_date(cell(row, "deposit-date")),
            total=_amount(cell(row, "total-amount"), "total-amount"),
            currency=cell(row, "currency").upper(),
        )
        if not settlement.settlement_ref or not re.fullmatch(r"[A-Z]{3}", settlement.currency):
            raise ValueError("settlement-id and a three-letter currency are required")
    except ValueError as exc:
        raise _row_error(number, exc) from None

    def lines():
        for number, row in rows:
            try:
                if cell(row, "settlement-id") not in ("", settlement.settlement_ref):
                    raise ValueError("a row of another settlement")
                yield SettlementLine(
                    transaction_type=cell(row, "transaction-type")[:MAX_TEXT],
                    order_ref=cell(row, "order-id")[:MAX_TEXT],
                    amount_type=cell(row, "amount-type")[:MAX_TEXT],
                    description=cell(row, "amount-description")[:MAX_TEXT],
                    amount=_amount(cell(row, "amount"), "amount"),
                    sku=cell(row, "sku")[:MAX_TEXT],
                    quantity=_quantity(cell(row, "quantity-purchased")),
                    posted=parse_date(cell(row, "posted-date-time") or cell(row, "posted-date")),
                    marketplace=cell(row, "marketplace-name")[:MAX_TEXT],
                    adjustment_ref=cell(row, "adjustment-id")[:MAX_TEXT],
                    order_item_ref=cell(row, "order-item-code")[:MAX_TEXT],
                    merchant_order_ref=cell(row, "merchant-order-id")[:MAX_TEXT],
                )
            except ValueError as exc:
                raise _row_error(number, exc) from None

    return settlement, lines()


def _numbered(reader):
    """(line number, row) of the rows that are not blank."""
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                yield reader.line_num, row
    except csv.Error as exc:
        raise AmazonDocumentError(f"Settlement report, line {reader.line_num}: {exc}") from None


def parse_settlement(content):
    """Read a whole settlement report in memory (small documents, tests): the settlement
    with its lines.

    :param content: the document's bytes (already decompressed)
    :returns: :class:`Settlement`
    :raises AmazonDocumentError: see :func:`read_settlement`
    """
    if isinstance(content, str):
        content = content.encode()
    settlement, lines = read_settlement(io.BytesIO(content))
    settlement.lines = list(lines)
    return settlement
