"""Invoices to Amazon (``UPLOAD_VAT_INVOICE``) and Amazon's VAT invoice data report.

Plain Python: the feed options of one invoice or credit note, and the rows of the VAT
invoice data report (``GET_FLAT_FILE_VAT_INVOICE_DATA_REPORT``, a tab-separated flat file)
summed per order. Amounts are :class:`~decimal.Decimal`.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .. import const
from .exceptions import AmazonDocumentError
from .settlement import parse_amount

PDF_MAGIC = b"%PDF-"
VIDR_REQUIRED_COLUMNS = ("order-id", "transaction-type", "is-amazon-invoiced")
# The report's amounts, VAT included and VAT alone, of one shipment or refund.
VIDR_TOTAL_COLUMNS = (
    "item-vat-incl-amount",
    "item-promo-vat-incl-amount",
    "gift-wrap-vat-incl-amount",
    "gift-promo-vat-incl-amount",
    "shipping-vat-incl-amount",
    "shipping-promo-vat-incl-amount",
)
VIDR_VAT_COLUMNS = (
    "item-vat-amount",
    "item-promo-vat-amount",
    "gift-wrap-vat-amount",
    "gift-promo-vat-amount",
    "shipping-vat-amount",
    "shipping-promo-vat-amount",
)
MAX_TEXT = 255


@dataclass(frozen=True)
class VatDocument:
    """One invoice or credit note to upload."""

    order_ref: str
    number: str
    credit_note: bool
    total: Decimal
    vat: Decimal
    transaction_ref: str = ""


def format_amount(value, digits=2):
    """``value`` as Amazon's feed options write it: a point, ``digits`` decimals, no sign
    for a credit note (Amazon knows it refunds from the document type)."""
    return f"{abs(Decimal(str(value))):.{digits}f}"


def feed_options(document, digits=2):
    """The ``feedOptions`` of ``document`` (a :class:`VatDocument`).

    :raises AmazonDocumentError: a value Amazon would refuse (its characters)
    """
    options = {
        const.VAT_INVOICE_OPTION_ORDER: document.order_ref,
        const.VAT_INVOICE_OPTION_NUMBER: document.number,
        const.VAT_INVOICE_OPTION_TYPE: (
            const.VAT_INVOICE_DOCUMENT_CREDIT_NOTE if document.credit_note else const.VAT_INVOICE_DOCUMENT_INVOICE
        ),
        const.VAT_INVOICE_OPTION_TOTAL: format_amount(document.total, digits),
        const.VAT_INVOICE_OPTION_VAT: format_amount(document.vat, digits),
    }
    if document.credit_note and document.transaction_ref:
        options[const.VAT_INVOICE_OPTION_TRANSACTION] = document.transaction_ref
    for key in (const.VAT_INVOICE_OPTION_NUMBER, const.VAT_INVOICE_OPTION_TRANSACTION, const.VAT_INVOICE_OPTION_ORDER):
        value = options.get(key)
        if value is not None and not re.fullmatch(const.VAT_INVOICE_OPTION_PATTERN, value):
            raise AmazonDocumentError(
                f"{value!r} ({key.split(':')[1]}) holds characters Amazon does not accept: only letters, digits, "
                "spaces and , / \\ - _ ; : #"
            )
    return options


def is_pdf(content):
    return isinstance(content, bytes) and content.startswith(PDF_MAGIC)


@dataclass
class VatOrderData:
    """What the VAT invoice data report says about one order."""

    order_ref: str
    marketplace: str = ""
    amazon_invoiced: bool = False
    invoice_number: str = ""
    buyer_vat: str = ""
    buyer_company: str = ""
    business: bool = False
    total: Decimal = Decimal(0)  # shipments, VAT included
    vat: Decimal = Decimal(0)  # shipments' VAT as Amazon computed it
    refunds: dict = field(default_factory=dict)  # transaction id -> total refunded (VAT included, positive)


def _true(text):
    return (text or "").strip().lower() in ("true", "yes", "y", "1")


def parse_vat_invoice_data(content):
    """The VAT invoice data report, per order.

    :param content: the document's bytes (expanded)
    :returns: dict order reference -> :class:`VatOrderData`
    :raises AmazonDocumentError: when the document is not such a report
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", "replace")
    reader = csv.DictReader(io.StringIO(text), delimiter="\t")
    missing = [column for column in VIDR_REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise AmazonDocumentError(f"The VAT invoice data report misses columns: {', '.join(missing)}")
    orders = {}
    for number, row in enumerate(reader, start=2):
        ref = (row.get("order-id") or "").strip()[: const.MAX_ORDER_REF_LENGTH]
        if not ref:
            continue
        data = orders.setdefault(ref, VatOrderData(order_ref=ref))
        try:
            total = sum((parse_amount((row.get(c) or "").strip()) for c in VIDR_TOTAL_COLUMNS), Decimal(0))
            vat = sum((parse_amount((row.get(c) or "").strip()) for c in VIDR_VAT_COLUMNS), Decimal(0))
        except ValueError as exc:
            raise AmazonDocumentError(f"VAT invoice data report, line {number}: {exc}") from None
        data.marketplace = (row.get("marketplace-id") or data.marketplace).strip()[:MAX_TEXT]
        data.amazon_invoiced |= _true(row.get("is-amazon-invoiced"))
        data.business |= _true(row.get("is-business-order"))
        for attribute, column in (
            ("buyer_vat", "buyer-vat-number"),
            ("buyer_company", "buyer-company-name"),
        ):
            value = (row.get(column) or "").strip()[:MAX_TEXT]
            if value:
                setattr(data, attribute, value)
        kind = (row.get("transaction-type") or "").strip().upper()
        if kind == "REFUND":
            transaction = (row.get("transaction-id") or "").strip()[:MAX_TEXT]
            if transaction:
                data.refunds[transaction] = data.refunds.get(transaction, Decimal(0)) + abs(total)
        else:
            data.total += total
            data.vat += vat
            if (row.get("invoice-number") or "").strip():
                data.invoice_number = row["invoice-number"].strip()[:MAX_TEXT]
    return orders
