"""Amazon's settlement report (``GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2``): one payout.

A tab-separated flat file. Its first data row carries the settlement itself (id, period,
deposit date, total, currency); every other row one amount of one transaction (an order's
item price or fee, a refund, a reserve, a subscription...). Plain Python; amounts are
:class:`~decimal.Decimal`, times naive UTC datetimes.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from .exceptions import AmazonDocumentError

REQUIRED_COLUMNS = ("settlement-id", "total-amount", "currency", "amount-type", "amount")
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d")
MAX_TEXT = 255


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


def _decode(content):
    if isinstance(content, str):
        return content.lstrip("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", "replace")  # older European reports


def parse_settlement(content):
    """Read a settlement report.

    :param content: the document's bytes (already decompressed)
    :returns: :class:`Settlement`
    :raises AmazonDocumentError: a document that is not a settlement report, or a row that
        cannot be read (its line number and column say which)
    """
    reader = csv.reader(io.StringIO(_decode(content)), delimiter="\t", quoting=csv.QUOTE_NONE)
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise AmazonDocumentError("The settlement report is empty")
    header = [cell.strip().lower() for cell in rows[0]]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise AmazonDocumentError(f"Not a settlement report: columns missing: {', '.join(missing)}")
    index = {name: position for position, name in enumerate(header)}

    def cell(row, name):
        position = index.get(name)
        return row[position].strip() if position is not None and position < len(row) else ""

    settlement = None
    for number, row in enumerate(rows[1:], start=2):
        try:
            if settlement is None:
                if not cell(row, "total-amount"):
                    raise ValueError("the first row must carry the settlement's total-amount")
                settlement = Settlement(
                    settlement_ref=cell(row, "settlement-id"),
                    start=parse_date(cell(row, "settlement-start-date")),
                    end=parse_date(cell(row, "settlement-end-date")),
                    deposit_date=parse_date(cell(row, "deposit-date")),
                    total=parse_amount(cell(row, "total-amount")),
                    currency=cell(row, "currency").upper(),
                )
                if not settlement.settlement_ref or not re.fullmatch(r"[A-Z]{3}", settlement.currency):
                    raise ValueError("settlement-id and a three-letter currency are required")
                continue
            if cell(row, "settlement-id") not in ("", settlement.settlement_ref):
                raise ValueError("a row of another settlement")
            quantity = cell(row, "quantity-purchased")
            settlement.lines.append(
                SettlementLine(
                    transaction_type=cell(row, "transaction-type")[:MAX_TEXT],
                    order_ref=cell(row, "order-id")[:MAX_TEXT],
                    amount_type=cell(row, "amount-type")[:MAX_TEXT],
                    description=cell(row, "amount-description")[:MAX_TEXT],
                    amount=parse_amount(cell(row, "amount")),
                    sku=cell(row, "sku")[:MAX_TEXT],
                    quantity=int(quantity) if quantity.lstrip("-").isdigit() else 0,
                    posted=parse_date(cell(row, "posted-date-time") or cell(row, "posted-date")),
                    marketplace=cell(row, "marketplace-name")[:MAX_TEXT],
                    adjustment_ref=cell(row, "adjustment-id")[:MAX_TEXT],
                    order_item_ref=cell(row, "order-item-code")[:MAX_TEXT],
                )
            )
        except ValueError as exc:
            raise AmazonDocumentError(f"Settlement report, line {number}: {exc}") from None
    if settlement is None:
        raise AmazonDocumentError("The settlement report has no settlement row")
    return settlement
