"""Amazon's FBA stock reports read as streams of rows, one identity per row.

Tab-separated flat files (column layouts: README, "FBA stock"): the inventory ledger
(``GET_LEDGER_DETAIL_VIEW_DATA``), FBA customer returns, FBM returns, removal shipments
and reimbursements. Every row gets an *identity*: a digest of the columns that make it
the event it is (Amazon gives most of these reports no event id), numbered when one
document holds the same event twice. A re-read window (overlapping) therefore gives the
same identities, and each row is applied once. A row that cannot be read is yielded with
its error, never raised: it becomes one failure row, the others go on.
"""

import csv
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from .exceptions import AmazonDocumentError
from .settlement import _encoding, _lines, parse_date

MAX_TEXT = 255
MAX_QUANTITY = 1_000_000
# the ledger writes dates the US way, other reports in ISO 8601 or DD-MM-YYYY
DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%Y %H:%M:%S", "%d-%m-%Y", "%d-%b-%Y", "%Y/%m/%d")


@dataclass
class ReportRow:
    """One row: its line number, identity, values read (None when unreadable) and error."""

    number: int
    identity: str
    values: dict = field(default_factory=dict)
    error: str = ""
    raw: str = ""


def _date(text):
    text = (text or "").strip()
    if not text:
        return None
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return parse_date(text)  # ISO 8601 and the settlement's formats; raises ValueError


def _quantity(text, column, signed=False):
    text = (text or "").strip()
    if not text:
        return 0
    if not re.fullmatch(r"-?\d{1,9}" if signed else r"\d{1,9}", text):
        raise ValueError(f"column {column}: {text[:30]!r} is not a whole number")
    value = int(text)
    if abs(value) > MAX_QUANTITY:
        raise ValueError(f"column {column}: {text[:30]!r} is out of range")
    return value


def _text(row, name):
    return (row.get(name) or "").strip()[:MAX_TEXT]


# ---------------------------------------------------------------------------- row readers
# Each reader takes the row (header -> cell) and returns (values, identity key).


def _ledger(row):
    sku = _text(row, "msku")
    event_type = _text(row, "event type") or _text(row, "eventtype")
    if not sku or not event_type:
        raise ValueError("MSKU and Event Type are required")
    values = {
        "date": _date(row.get("date and time") or row.get("date")),
        "sku": sku,
        "fnsku": _text(row, "fnsku"),
        "event_type": event_type,
        "reference": _text(row, "reference id") or _text(row, "referenceid"),
        "quantity": _quantity(row.get("quantity"), "Quantity", signed=True),
        "fulfillment_center": _text(row, "fulfillment center") or _text(row, "fulfillmentcenter"),
        "disposition": _text(row, "disposition").upper(),
        "reason": _text(row, "reason"),
        "country": _text(row, "country"),
    }
    if values["date"] is None:
        raise ValueError("column Date: empty")
    key = (
        values["date"].isoformat(),
        values["fnsku"],
        sku,
        event_type,
        values["reference"],
        values["quantity"],
        values["fulfillment_center"],
        values["disposition"],
        values["reason"],
        values["country"],
    )
    return values, key


def _fba_return(row):
    sku = _text(row, "sku")
    if not sku:
        raise ValueError("column sku: empty")
    values = {
        "date": _date(row.get("return-date")),
        "order_ref": _text(row, "order-id") or _text(row, "amazon-order-id"),
        "sku": sku,
        "fnsku": _text(row, "fnsku"),
        "quantity": _quantity(row.get("quantity"), "quantity"),
        "fulfillment_center": _text(row, "fulfillment-center-id"),
        "disposition": _text(row, "detailed-disposition").upper(),
        "reason": _text(row, "reason"),
        "status": _text(row, "status"),
        "reference": _text(row, "license-plate-number"),
    }
    if not values["quantity"]:
        raise ValueError("column quantity: empty or zero")
    key = (
        values["date"] and values["date"].isoformat(),
        values["order_ref"],
        sku,
        values["reference"],
        values["disposition"],
        values["quantity"],
        values["fulfillment_center"],
    )
    return values, key


def _fbm_return(row):
    sku = _text(row, "merchant sku")
    rma = _text(row, "amazon rma id")
    if not sku or not rma:
        raise ValueError("Amazon RMA ID and Merchant SKU are required")
    values = {
        "date": _date(row.get("return request date")),
        "order_ref": _text(row, "order id"),
        "sku": sku,
        "quantity": _quantity(row.get("return quantity"), "Return quantity"),
        "reason": _text(row, "return reason"),
        "status": _text(row, "return request status"),
        "reference": rma,
        "carrier": _text(row, "return carrier"),
        "tracking": _text(row, "tracking id"),
    }
    if not values["quantity"]:
        raise ValueError("column Return quantity: empty or zero")
    return values, (rma, sku)


def _removal(row):
    sku = _text(row, "sku")
    order_ref = _text(row, "order-id")
    if not sku or not order_ref:
        raise ValueError("order-id and sku are required")
    values = {
        "date": _date(row.get("shipment-date") or row.get("request-date") or row.get("removal-date")),
        "order_ref": order_ref,
        "sku": sku,
        "fnsku": _text(row, "fnsku"),
        "disposition": _text(row, "disposition").upper(),
        "quantity": _quantity(row.get("shipped-quantity") or row.get("quantity shipped"), "shipped-quantity"),
        "carrier": _text(row, "carrier"),
        "tracking": _text(row, "tracking-number"),
        "removal_type": _text(row, "removal-order-type") or "Return",
    }
    if not values["quantity"]:
        raise ValueError("column shipped-quantity: empty or zero")
    key = (
        order_ref,
        sku,
        values["tracking"],
        values["carrier"],
        values["disposition"],
        values["quantity"],
        values["date"] and values["date"].isoformat(),
    )
    return values, key


def _reimbursement(row):
    reimbursement = _text(row, "reimbursement-id")
    sku = _text(row, "sku")
    if not reimbursement or not sku:
        raise ValueError("reimbursement-id and sku are required")
    values = {
        "date": _date(row.get("approval-date")),
        "reference": reimbursement,
        "case_ref": _text(row, "case-id"),
        "order_ref": _text(row, "amazon-order-id"),
        "reason": _text(row, "reason"),
        "sku": sku,
        "fnsku": _text(row, "fnsku"),
        "disposition": _text(row, "condition"),
        "currency": _text(row, "currency-unit"),
        "amount": _text(row, "amount-total"),
        "quantity_cash": _quantity(row.get("quantity-reimbursed-cash"), "quantity-reimbursed-cash", signed=True),
        "quantity": _quantity(row.get("quantity-reimbursed-inventory"), "quantity-reimbursed-inventory", signed=True),
        "original_ref": _text(row, "original-reimbursement-id"),
    }
    return values, (reimbursement, sku, values["original_ref"], values["quantity"], values["quantity_cash"])


READERS = {
    "ledger": (_ledger, ("msku", "quantity")),
    "fba_return": (_fba_return, ("sku", "quantity", "detailed-disposition")),
    "fbm_return": (_fbm_return, ("amazon rma id", "merchant sku")),
    "removal": (_removal, ("order-id", "sku")),
    "reimbursement": (_reimbursement, ("reimbursement-id", "sku")),
}


def _digest(kind, key):
    return hashlib.sha1(repr((kind, key)).encode(), usedforsecurity=False).hexdigest()


def read_report(stream, kind):
    """The rows of a report being read from ``stream``, one by one.

    :param stream: a seekable binary file (see ``settlement.open_document``)
    :param kind: ``ledger``, ``fba_return``, ``fbm_return``, ``removal`` or ``reimbursement``
    :returns: iterator of :class:`ReportRow`
    :raises AmazonDocumentError: when the document is not a report of that kind (its
        header lacks the columns the kind needs); bad rows are yielded with their error
    """
    reader_of, required = READERS[kind]
    text = io.TextIOWrapper(stream, encoding=_encoding(stream), errors="replace", newline="")
    lines = _lines(text)
    try:
        first = next(lines)
    except StopIteration:
        return iter(())
    header = [cell.strip().strip('"').lower() for cell in first.rstrip("\r\n").split("\t")]
    missing = [column for column in required if column not in header]
    if missing:
        raise AmazonDocumentError(f"Not a {kind} report: columns missing: {', '.join(missing)}")
    return _rows(lines, header, kind, reader_of)


def _rows(lines, header, kind, reader_of):
    seen = Counter()
    for number, line in enumerate(lines, start=2):
        raw = line.rstrip("\r\n")
        if not raw.strip():
            continue
        try:
            cells = next(csv.reader([raw], delimiter="\t", quoting=csv.QUOTE_NONE))
            row = {name: cells[position] if position < len(cells) else "" for position, name in enumerate(header)}
            values, key = reader_of(row)
        except (ValueError, csv.Error) as exc:
            yield ReportRow(number, _digest(kind, ("unreadable", raw)), None, f"line {number}: {exc}"[:300], raw)
            continue
        seen[key] += 1
        yield ReportRow(number, _digest(kind, (key, seen[key])), values, "", raw)


def parse_report(content, kind):
    """All rows of a small document (tests): list of :class:`ReportRow`."""
    if isinstance(content, str):
        content = content.encode()
    return list(read_report(io.BytesIO(content), kind))
