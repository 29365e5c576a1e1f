from decimal import Decimal

from odoo import fields, models

from .sale_order_import import GIFT_WRAP, ITEM, OTHER, PROMOTION, SHIPPING, SHIPPING_DISCOUNT

# A refund's rows in a settlement (amount-type, amount-description), lower case -> (what
# of the invoice it gives back, whether it is the tax of it); any other row (restocking fee,
# goodwill, return shipping...) is an other charge.
REFUND_PARTS = {
    ("itemprice", "principal"): (ITEM, False),
    ("itemprice", "tax"): (ITEM, True),
    ("itemprice", "shipping"): (SHIPPING, False),
    ("itemprice", "shippingtax"): (SHIPPING, True),
    ("itemprice", "giftwrap"): (GIFT_WRAP, False),
    ("itemprice", "giftwraptax"): (GIFT_WRAP, True),
    ("promotion", "principal"): (PROMOTION, False),
    ("promotion", "taxdiscount"): (PROMOTION, True),
    ("promotion", "shipping"): (SHIPPING_DISCOUNT, False),
}


def refund_parts(payout_lines, currency):
    """What a refund gives back, from its settlement rows: (category, SKU of an item) ->
    {"amount", "tax" (Decimal, what the buyer got back), "taxed" (Amazon gave the tax),
    "quantity"}."""
    digits = Decimal(1).scaleb(-currency.decimal_places)
    parts = {}
    for line in payout_lines:
        key = ((line.amount_type or "").lower(), (line.description or "").lower())
        category, is_tax = REFUND_PARTS.get(key, (OTHER, False))
        part = parts.setdefault(
            (category, line.sku or "" if category == ITEM else ""),
            {"amount": Decimal(0), "tax": Decimal(0), "taxed": False, "quantity": 0},
        )
        value = -Decimal(str(line.amount)).quantize(digits)  # what the buyer got back
        if is_tax:
            part["tax"] += value
            part["taxed"] = True
        else:
            part["amount"] += value
            part["quantity"] = max(part["quantity"], line.quantity or 0)
    return parts


class AccountMove(models.Model):
    _inherit = "account.move"

    amazon_order_ref = fields.Char(
        string="Amazon Reference",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The Amazon order this invoice (or credit note) is for: one invoice per Amazon order.",
    )
    amazon_vat_invoice_ref = fields.Char(
        string="Amazon VAT Invoice",
        copy=False,
        help="The number of Amazon's monthly fee invoice (Seller Central, Tax Document Library) that "
        "carries the VAT of this bill's fees.",
    )

    def _reverse_moves(self, default_values_list=None, cancel=False):
        """A credit note made by hand (Reverse) of an Amazon invoice is for the same Amazon
        order: a payout refunding it finds it and makes none of its own."""
        if default_values_list is None:
            default_values_list = [{} for _move in self]
        for move, values in zip(self, default_values_list, strict=False):
            if move.amazon_order_ref and move.move_type == "out_invoice":
                values.setdefault("amazon_order_ref", move.amazon_order_ref)
        return super()._reverse_moves(default_values_list, cancel=cancel)

    def _post(self, soft=True):
        posted = super()._post(soft)
        posted.filtered(
            lambda m: m.amazon_order_ref and m.move_type in ("out_invoice", "out_refund")
        )._amazon_reconcile_with_payouts()
        return posted

    def _amazon_reconcile_with_payouts(self):
        """Match these Amazon invoices and credit notes with what registered payouts left open
        on the customer for their orders (the payout came before the document)."""
        if not self:
            return
        payouts = (
            self.env["amazon.payout"]
            .sudo()
            .search(
                [
                    ("state", "=", "registered"),
                    ("company_id", "in", self.company_id.ids),
                    ("line_ids.order_ref", "in", list(set(self.mapped("amazon_order_ref")))),
                ]
            )
        )
        open_lines = payouts.move_ids.line_ids.filtered(
            lambda x: x.account_type == "asset_receivable" and not x.reconciled and x.partner_id
        )
        for move in self:
            receivable = move.line_ids.filtered(lambda x: x.account_type == "asset_receivable" and not x.reconciled)
            matching = open_lines.filtered(
                lambda x, move=move, receivable=receivable: (
                    (x.name or "").endswith(f": {move.amazon_order_ref}")
                    and x.partner_id == move.commercial_partner_id
                    and x.account_id in receivable.account_id
                    and x.balance * sum(receivable.mapped("balance")) < 0
                )
            )
            if receivable and matching:
                (receivable | matching).reconcile()

    def _amazon_prepare_refund_values(self, payout_lines, date):
        """The credit note of what Amazon refunded of this invoice, as its settlement says
        (``payout_lines``: the refund's price, tax, shipping, gift wrap, promotion rows),
        at the invoice's taxes: one line per refunded item and charge, each carrying Amazon's
        exact amount and tax like the invoice did.

        :returns: dict of ``account.move`` values (an ``out_refund`` reversing this invoice)
        """
        self.ensure_one()
        SaleOrder = self.env["sale.order"]
        order = self.invoice_line_ids.sale_line_ids.order_id[:1]
        currency = self.currency_id
        parts = refund_parts(payout_lines, currency)
        products = self.invoice_line_ids.filtered(lambda x: x.display_type == "product")
        services = {
            GIFT_WRAP: self.env.ref("amazon_sp_connector.product_amazon_gift_wrap"),
            PROMOTION: self.env.ref("amazon_sp_connector.product_amazon_promotion"),
            SHIPPING_DISCOUNT: self.env.ref("amazon_sp_connector.product_amazon_promotion"),
        }
        shipping = order.order_line.filtered(lambda x: x.is_delivery)[:1].product_id or self.env.ref(
            "amazon_sp_connector.product_amazon_shipping"
        )
        amazon_tax = SaleOrder._amazon_tax(self.company_id)
        lines = []
        for (category, sku), part in parts.items():
            if not part["amount"] and not part["tax"]:
                continue
            if category == ITEM:
                original = products.filtered(lambda x, sku=sku: sku in x.sale_line_ids.mapped("amazon_sku"))[:1]
                original = original or products.filtered(lambda x: x.product_id not in services.values())[:1]
                product = original.product_id
            else:
                product = services.get(category, shipping)
                original = products.filtered(lambda x, product=product: x.product_id == product)[:1]
            values = SaleOrder._amazon_prepare_priced_line(
                product,
                max(part["quantity"], 1) if category == ITEM else 1,
                part["amount"],
                part["tax"],
                part["taxed"],
                self.fiscal_position_id,
                currency,
                order.amazon_marketplace_id,
                self.company_id,
                collected_by_amazon=amazon_tax in (original.tax_ids or products.tax_ids),
                # at the invoice's taxes, whatever the product's are today
                taxes=original.tax_ids if original else None,
            )
            quantity = values.pop("product_uom_qty")
            lines.append(
                fields.Command.create(
                    dict(
                        values,
                        quantity=quantity,
                        name=original.name or product.display_name,
                        sale_line_ids=[fields.Command.set(original.sale_line_ids.ids)],
                    )
                )
            )
        return {
            "move_type": "out_refund",
            "partner_id": self.partner_id.id,
            "fiscal_position_id": self.fiscal_position_id.id,
            "currency_id": currency.id,
            "journal_id": self.journal_id.id,
            "invoice_date": date,
            "date": date,
            "reversed_entry_id": self.id,
            "amazon_order_ref": self.amazon_order_ref,
            "invoice_origin": self.invoice_origin,
            "ref": self.env._("Amazon refund of %(invoice)s", invoice=self.name),
            "invoice_line_ids": lines,
        }
