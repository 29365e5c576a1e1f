"""Summary mode of payouts: the orders that need no invoice of their own are invoiced (and
their refunds credited) once per settlement part, marketplace and destination (the orders'
fiscal position and country of delivery), to the marketplace's "Amazon customers" delivered
to that country, when the payout is registered."""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError

from .account_move import refund_parts
from .sale_order_import import GIFT_WRAP, ITEM, PROMOTION, SHIPPING_DISCOUNT


class AmazonPayout(models.Model):
    _inherit = "amazon.payout"

    # ------------------------------------------------------------------ hooks

    def _amazon_documents(self, groups):
        """The summary invoices and credit notes are the documents of the orders they cover
        (never found through an order's invoices: they cover many orders)."""
        orders = self.env["sale.order"].union(*(group["order"] for group in groups.values()))
        orders.fetch(["invoice_ids"])  # for all the orders at once, not order by order below
        result = super()._amazon_documents(groups)
        Move = self.env["account.move"]
        for key, moves in list(result.items()):
            own = moves.filtered(lambda m: not m.amazon_summary and not m.reversed_entry_id.amazon_summary)
            if own != moves:
                result[key] = own
        if not orders:
            return result
        summaries = Move.search(
            [
                ("amazon_summary", "=", True),
                ("amazon_summary_order_ids", "in", orders.ids),
                ("company_id", "=", self.company_id.id),
                ("state", "=", "posted"),
                ("currency_id", "=", self.currency_id.id),
            ],
            order="id",
        ).filtered(lambda m: not m.reversal_move_ids.filtered(lambda r: r.state == "posted"))
        by_order = defaultdict(lambda: Move)
        for move in summaries:
            for order in move.amazon_summary_order_ids:
                by_order[order.id] |= move
        for ref, group in groups.items():
            for move in by_order.get(group["order"][:1].id, Move):
                result[(ref, move.move_type == "out_refund")] |= move
        return result

    def _amazon_parts(self, groups, all_documents):
        """An order invoiced by a summary settles its sale against the summary invoice and its
        refund against the summary credit note, each on its own (never netted: the summary
        documents cover other orders too)."""
        summary = {
            ref for ref in groups if any(all_documents[(ref, refund)][:1].amazon_summary for refund in (False, True))
        }
        parts = super()._amazon_parts({r: g for r, g in groups.items() if r not in summary}, all_documents)
        for ref in summary:
            group = groups[ref]
            for refund, amount in ((False, group["paid"]), (True, group["refunded"])):
                if not self.currency_id.is_zero(amount):
                    parts.append((ref, group["order"][:1], refund, amount, all_documents[(ref, refund)]))
        return parts

    def _amazon_update_mismatches(self):
        # the summary documents' shares, read once per check (move id -> sale line id -> total)
        return super(AmazonPayout, self.with_context(amazon_summary_shares={}))._amazon_update_mismatches()

    def _amazon_summary_expected(self, ref, order, refund, amount, documents, all_documents):
        """What Odoo expects Amazon to pay for an order invoiced by a summary (its share of
        the summary invoice or credit note, or what registration will invoice or credit), or
        None for an order that is not.

        :param amount: what Amazon paid (refunded: negative) for it
        """
        if documents and documents[:1].amazon_summary:
            return self._amazon_summary_share(order, documents)
        if documents or not order:
            return None
        to_invoice = self._amazon_summary_candidates()
        if refund:
            sale = all_documents[(ref, False)]
            if (sale and sale[:1].amazon_summary) or order.id in to_invoice:
                return amount  # credited as Amazon refunded it
            return None
        if order.id not in to_invoice:
            return None
        lines = self.env["sale.order"]._amazon_summary_line_values(order)
        return self.currency_id.round(sum(line["total"] for line in lines))

    def _amazon_summary_candidates(self):
        """Ids of the payout's orders to invoice by a summary, found once per check."""
        cache = self.env.context.get("amazon_summary_shares")
        if cache is not None and "orders" in cache:
            return cache["orders"]
        orders = self.env["sale.order"].union(
            *(
                order
                for (order,) in self.env["amazon.payout.line"]
                .sudo()
                ._read_group([("payout_id", "=", self.id), ("sale_order_id", "!=", False)], ["sale_order_id"])
            )
        )
        # an order in another currency than the payout's keeps its own invoice
        orders = orders.filtered(lambda o: o.currency_id == self.currency_id)
        ids = set(orders.with_env(self.env)._amazon_summary_orders().ids)
        if cache is not None:
            cache["orders"] = ids
        return ids

    def _amazon_summary_share(self, order, documents):
        """The order's part of summary documents (positive for invoices, negative for
        credit notes)."""
        cache = self.env.context.get("amazon_summary_shares")
        if cache is None:
            cache = {}
        total = 0.0
        for move in documents:
            if move.id not in cache:
                sign = -1 if move.move_type == "out_refund" else 1
                shares = cache[move.id] = defaultdict(float)
                for line in move.invoice_line_ids:
                    for sale_line_id, share in (line.amazon_summary_shares or {}).items():
                        shares[int(sale_line_id)] += sign * share[2]
            total += sum(cache[move.id].get(line_id, 0.0) for line_id in order.order_line.ids)
        return self.currency_id.round(total)

    # ------------------------------------------------------------------ registration

    def _amazon_summary_documents(self):
        """Invoice the payout's summary-mode orders and credit their refunds: one posted
        invoice (and one credit note) per settlement part and marketplace, to the
        marketplace's "Amazon customers", linked to the sale lines they cover.

        :returns: the new documents
        """
        self.ensure_one()
        groups = self._amazon_groups()
        documents = self._amazon_documents(groups)
        SaleOrder = self.env["sale.order"]
        paid = SaleOrder.browse(
            [
                group["order"][:1].id
                for ref, group in groups.items()
                if group["order"] and not self.currency_id.is_zero(group["paid"]) and not documents[(ref, False)]
            ]
        )
        to_invoice = paid.filtered(lambda o: o.currency_id == self.currency_id)._amazon_summary_orders()
        to_invoice_ids = set(to_invoice.ids)
        to_credit = []
        for ref, group in groups.items():
            order = group["order"][:1]
            if not order or self.currency_id.is_zero(group["refunded"]) or documents[(ref, True)]:
                continue
            sale = documents[(ref, False)]
            if (sale and sale[:1].amazon_summary) or order.id in to_invoice_ids:
                to_credit.append((ref, order))
        order_lines = self.line_ids.filtered(lambda x: x.order_ref and x.category in ("sales", "promotion", "refund"))
        values = []
        for period, lines in self._amazon_lines_by_period(order_lines):
            sales = lines.filtered(lambda x: x.category != "refund")
            orders = to_invoice & sales.sale_order_id
            to_invoice -= orders
            for destination, part in self._amazon_by_destination(orders).items():
                values.append(self._amazon_prepare_summary_values("out_invoice", destination, period, part))
            refunds = lines.filtered(lambda x: x.category == "refund")
            credit = defaultdict(list)
            for ref, order in to_credit:
                rows = refunds.filtered(lambda x, ref=ref: x.order_ref == ref)
                if rows:
                    credit[self._amazon_destination(order)].append((order, rows))
            for destination, part in credit.items():
                values.append(self._amazon_prepare_summary_values("out_refund", destination, period, part))
        values = [v for v in values if v["invoice_line_ids"]]
        if not values:
            return self.env["account.move"]
        moves = self.env["account.move"].sudo().with_company(self.company_id).create(values)
        moves.action_post()
        self.write({"move_ids": [fields.Command.link(move.id) for move in moves]})
        for move in moves:
            move.message_post(body=self.env._("Amazon summary of %(payout)s.", payout=self.display_name))
        return moves

    def _amazon_destination(self, order):
        """What a summary document has in common: (marketplace, fiscal position, country of
        delivery) of the order. One document never mixes the VAT of two countries (OSS)."""
        return (order.amazon_marketplace_id, order.fiscal_position_id, order.partner_shipping_id.country_id)

    def _amazon_by_destination(self, orders):
        result = defaultdict(lambda: self.env["sale.order"])
        for order in orders:
            result[self._amazon_destination(order)] |= order
        return result

    def _amazon_prepare_summary_values(self, move_type, destination, period, part):
        """The values of one summary invoice (``part``: sale orders) or credit note
        (``part``: list of (sale order, its refund rows)) of a ``destination``
        (:meth:`_amazon_destination`): to the marketplace's "Amazon customers", delivered to
        the orders' country, at their fiscal position."""
        marketplace, fiscal_position, country = destination
        SaleOrder = self.env["sale.order"]
        if move_type == "out_invoice":
            orders = part
            lines = SaleOrder._amazon_summary_line_values(orders)
        else:
            orders = SaleOrder.union(*(order for order, _rows in part))
            lines = []
            for order, rows in part:
                lines += self._amazon_refund_line_values(order, rows)
        Partner = self.env["res.partner"]
        partner = Partner._amazon_customers(self.company_id, marketplace)
        shipping = Partner._amazon_customers_delivery(self.company_id, marketplace, country) if country else partner
        values = {
            "move_type": move_type,
            "partner_id": partner.id,
            "partner_shipping_id": shipping.id,
            "fiscal_position_id": fiscal_position.id,
            "company_id": self.company_id.id,
            "currency_id": self.currency_id.id,
            "invoice_date": period["date"],
            "date": period["date"],
            "ref": self.env._(
                "%(payout)s: %(count)s Amazon orders (%(marketplace)s)",
                payout=self.display_name,
                count=len(orders),
                marketplace=marketplace.name,
            ),
            "invoice_origin": self.settlement_ref,
            "amazon_summary": True,
            "amazon_summary_payout_id": self.id,
            "amazon_summary_order_ids": [fields.Command.set(orders.ids)],
            "invoice_line_ids": SaleOrder._amazon_summary_lines(lines, self.currency_id),
        }
        if len(orders.journal_id) == 1:  # the orders' own invoices' journal, else the company's default
            values["journal_id"] = orders.journal_id.id
        return values

    def _amazon_refund_line_values(self, order, rows):
        """The lines of what Amazon refunded of an order invoiced by a summary, as a credit
        note of its own would have them: at the taxes the order's lines were invoiced at.

        :returns: list of line dicts as :meth:`sale.order._amazon_summary_line_values`
        """
        SaleOrder = self.env["sale.order"]
        currency = self.currency_id
        company = self.company_id
        goods = order.order_line.filtered(lambda x: not x.display_type and x.product_id)
        services = {
            GIFT_WRAP: self.env.ref("amazon_sp_connector.product_amazon_gift_wrap"),
            PROMOTION: self.env.ref("amazon_sp_connector.product_amazon_promotion"),
            SHIPPING_DISCOUNT: self.env.ref("amazon_sp_connector.product_amazon_promotion"),
        }
        shipping = order.order_line.filtered(lambda x: x.is_delivery)[:1].product_id or self.env.ref(
            "amazon_sp_connector.product_amazon_shipping"
        )
        amazon_tax = SaleOrder._amazon_tax(company)
        result = []
        for (category, sku), part in refund_parts(rows, currency).items():
            if not part["amount"] and not part["tax"]:
                continue
            if category == ITEM:
                original = goods.filtered(lambda x, sku=sku: x.amazon_sku == sku)[:1]
                original = original or goods.filtered(lambda x: x.product_id not in services.values())[:1]
                product = original.product_id
            else:
                product = services.get(category, shipping)
                original = goods.filtered(lambda x, product=product: x.product_id == product)[:1]
            quantity = max(part["quantity"], 1) if category == ITEM else 1
            values = SaleOrder._amazon_prepare_priced_line(
                product,
                quantity,
                part["amount"],
                part["tax"],
                part["taxed"],
                order.fiscal_position_id,
                currency,
                order.amazon_marketplace_id,
                company,
                collected_by_amazon=amazon_tax in (original.tax_ids or goods.tax_ids),
                taxes=original.tax_ids if original else None,
            )
            extra = values["extra_tax_data"]
            taxes = self.env["account.tax"].browse(values["tax_ids"][0][2])
            result.append(
                SaleOrder._amazon_summary_line(
                    original,
                    product,
                    taxes,
                    order.fiscal_position_id,
                    quantity,
                    extra["manual_total_excluded_currency"],
                    {
                        int(k): (v["base_amount_currency"], v["tax_amount_currency"])
                        for k, v in extra["manual_tax_amounts"].items()
                    },
                )
            )
        return result


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _amazon_summary_orders(self):
        """The orders among these to invoice by a summary: their account invoices their
        marketplace by summary (the marketplace's setting, else the account's), they need no
        invoice of their own (:meth:`_amazon_needs_own_invoice`) and have none (made by hand
        or before), and something is to invoice.

        :returns: sale.order
        """
        modes = {}
        candidates = []
        for order in self.filtered(lambda o: o.amazon_account_id and o.invoice_status == "to invoice"):
            key = (order.amazon_account_id, order.amazon_marketplace_id)
            if key not in modes:
                account = order.amazon_account_id.sudo()
                setting = account._amazon_setting(order.amazon_marketplace_id)
                modes[key] = ((setting.invoice_mode or account.invoice_mode) == "summary", setting.upload_invoices)
            summary, upload = modes[key]
            if summary and not order._amazon_needs_own_invoice(upload):
                candidates.append(order.id)
        if not candidates:
            return self.browse()
        self.env["account.move.line"].flush_model(["move_id", "sale_line_ids"])
        self.env["account.move"].flush_model(["state", "move_type", "amazon_summary"])
        self.env.cr.execute(
            """
            SELECT DISTINCT sol.order_id
              FROM sale_order_line sol
              JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
              JOIN account_move_line aml ON aml.id = rel.invoice_line_id
              JOIN account_move move ON move.id = aml.move_id
             WHERE sol.order_id = ANY(%s)
               AND move.state = 'posted'
               AND move.move_type = 'out_invoice'
               AND move.amazon_summary IS NOT TRUE
               -- a summary credit note reversed (Reset to Imported) is not an invoice of its own
               AND NOT EXISTS (
                   SELECT 1 FROM account_move original
                    WHERE original.id = move.reversed_entry_id AND original.amazon_summary
               )
            """,
            (candidates,),
        )
        invoiced = {order_id for (order_id,) in self.env.cr.fetchall()}
        return self.browse([order_id for order_id in candidates if order_id not in invoiced])

    def _amazon_needs_own_invoice(self, upload):
        """Whether this order keeps an invoice of its own in summary mode: an Amazon Business
        order, a buyer who gave a VAT number (a VAT invoice asked), or, on a marketplace whose
        invoices go to Amazon (``upload``: Amazon gives each buyer Odoo's invoice), an order
        Amazon's VAT Calculation Service does not invoice."""
        self.ensure_one()
        return bool(self.amazon_business or self.amazon_buyer_vat or (upload and not self.amazon_vcs_invoiced))

    def _amazon_summary_to_invoice(self):
        """Whether this order is to be invoiced by a summary (:meth:`_amazon_summary_orders`)."""
        self.ensure_one()
        return bool(self._amazon_summary_orders())

    def _amazon_invoice_for_payout(self):
        """Orders invoiced by a summary are not invoiced one by one."""
        summary = self.filtered("amazon_order_ref")._amazon_summary_orders()
        return super(SaleOrder, self - summary)._amazon_invoice_for_payout()

    # ------------------------------------------------------------------ builders

    def _amazon_summary_line_values(self, orders):
        """What each order's own invoice would carry, line by line: Odoo's invoice line of
        each sale line (its quantity to invoice, price and taxes, Amazon's exact amounts), the
        taxes computed and rounded per order as the order's own invoice rounds them.

        :returns: list of dicts with ``sale_line``, ``product``, ``taxes``, ``account``,
            ``quantity``, ``base``, ``taxes_amounts`` (tax id -> (base, tax)), ``total``
        """
        AccountTax = self.env["account.tax"]
        result = []
        orders.order_line.fetch(  # once for all the orders' lines, not order by order
            ["display_type", "qty_to_invoice", "extra_tax_data", "price_unit", "discount", "tax_ids", "product_id"]
        )
        for order in orders:
            company = order.company_id
            lines = order.order_line.filtered(lambda x: not x.display_type and x.qty_to_invoice)
            exact = [self._amazon_exact_amounts(line, order.currency_id) for line in lines]
            if all(amounts is not None for amounts in exact):  # Amazon's amounts, as the invoice takes them
                for line, (base, amounts) in zip(lines, exact, strict=True):
                    result.append(
                        self._amazon_summary_line(
                            line,
                            line.product_id,
                            line.tax_ids,
                            order.fiscal_position_id,
                            line.qty_to_invoice,
                            base,
                            amounts,
                        )
                    )
                continue
            base_lines = [line._prepare_base_line_for_taxes_computation(quantity=line.qty_to_invoice) for line in lines]
            AccountTax._add_tax_details_in_base_lines(base_lines, company)
            AccountTax._round_base_lines_tax_details(base_lines, company)
            for line, base_line in zip(lines, base_lines, strict=True):
                details = base_line["tax_details"]
                amounts = defaultdict(lambda: [0.0, 0.0])
                for tax_data in details["taxes_data"]:
                    amounts[tax_data["tax"].id][0] += tax_data["base_amount_currency"]
                    amounts[tax_data["tax"].id][1] += tax_data["tax_amount_currency"]
                result.append(
                    self._amazon_summary_line(
                        line,
                        line.product_id,
                        line.tax_ids,
                        order.fiscal_position_id,
                        line.qty_to_invoice,
                        details["total_excluded_currency"],
                        {tax_id: tuple(value) for tax_id, value in amounts.items()},
                    )
                )
        return result

    def _amazon_exact_amounts(self, line, currency):
        """The untaxed and tax amounts a sale line's invoice line takes as they are (Amazon's,
        kept in Odoo's ``extra_tax_data``), when it invoices the whole line; else None (Odoo
        computes them). ``currency``: the order's.

        :returns: (untaxed, {tax id: (base, tax)}) or None
        """
        data = line.extra_tax_data or {}
        manual = data.get("manual_tax_amounts")
        if (
            not manual
            or "manual_total_excluded_currency" not in data
            or data.get("currency_id") != currency.id
            or currency.compare_amounts(data.get("quantity", 0.0), line.qty_to_invoice)
            or currency.compare_amounts(data.get("price_unit", 0.0), line.price_unit)
            or currency.compare_amounts(data.get("discount", 0.0), line.discount)
            or any(tax.amount_type == "group" or str(tax.id) not in manual for tax in line.tax_ids)
        ):
            return None
        amounts = {
            int(tax_id): (values.get("base_amount_currency", 0.0), values.get("tax_amount_currency", 0.0))
            for tax_id, values in manual.items()
            if int(tax_id) in line.tax_ids.ids
        }
        return data["manual_total_excluded_currency"], amounts

    def _amazon_summary_line(self, sale_line, product, taxes, fiscal_position, quantity, base, amounts):
        """One line of what an order's own invoice (or credit note) carries."""
        accounts = product.product_tmpl_id.get_product_accounts(fiscal_pos=fiscal_position)
        return {
            "sale_line": sale_line,
            "product": product,
            "taxes": taxes,
            "account": accounts["income"],
            "quantity": quantity,
            "base": base,
            "taxes_amounts": amounts,
            "total": base + sum(tax for _base, tax in amounts.values()),
        }

    def _amazon_summary_lines(self, lines, currency):
        """The lines of a summary document: one per product, taxes and account, carrying the
        sums of the orders' own lines to the cent (Odoo's manual tax amounts), linked to the
        sale lines they cover with each one's share (quantity, untaxed, total).

        :returns: list of ``Command.create``
        """
        groups = {}
        for line in lines:
            key = (line["product"].id, tuple(sorted(line["taxes"].ids)), line["account"].id)
            group = groups.setdefault(
                key,
                {
                    "product": line["product"],
                    "taxes": line["taxes"],
                    "account": line["account"],
                    "quantity": 0.0,
                    "base": 0.0,
                    "amounts": defaultdict(lambda: [0.0, 0.0]),
                    "shares": {},
                },
            )
            group["quantity"] += line["quantity"]
            group["base"] += line["base"]
            for tax_id, (base, tax) in line["taxes_amounts"].items():
                group["amounts"][tax_id][0] += base
                group["amounts"][tax_id][1] += tax
            if line["sale_line"]:
                share = group["shares"].setdefault(str(line["sale_line"].id), [0.0, 0.0, 0.0])
                share[0] += line["quantity"]
                share[1] = currency.round(share[1] + line["base"])
                share[2] = currency.round(share[2] + line["total"])
        price_digits = self.env["decimal.precision"].precision_get("Product Price")
        commands = []
        for group in groups.values():
            base = currency.round(group["base"])
            quantity = group["quantity"] or 1.0
            price_unit = float(
                (Decimal(str(base)) / Decimal(str(quantity))).quantize(
                    Decimal(1).scaleb(-price_digits), rounding=ROUND_HALF_UP
                )
            )
            manual = {
                str(tax_id): {
                    "base_amount_currency": currency.round(amount_base),
                    "tax_amount_currency": currency.round(amount_tax),
                }
                for tax_id, (amount_base, amount_tax) in group["amounts"].items()
            }
            for tax in group["taxes"]:  # every tax of the line, also one that gave nothing
                manual.setdefault(str(tax.id), {"base_amount_currency": base, "tax_amount_currency": 0.0})
            commands.append(
                fields.Command.create(
                    {
                        "product_id": group["product"].id,
                        "name": group["product"].display_name,
                        "quantity": quantity,
                        "price_unit": price_unit,
                        "discount": 0.0,
                        "account_id": group["account"].id,
                        "tax_ids": [fields.Command.set(group["taxes"].ids)],
                        "extra_tax_data": {
                            "currency_id": currency.id,
                            "price_unit": price_unit,
                            "discount": 0.0,
                            "quantity": quantity,
                            "manual_total_excluded_currency": base,
                            "manual_tax_amounts": manual,
                        },
                        "sale_line_ids": [fields.Command.set([int(k) for k in group["shares"]])],
                        "amazon_summary_shares": group["shares"],
                    }
                )
            )
        return commands


class SaleOrderLine(models.Model):
    """A sale line covered by a summary invoice line counts its own share of it, not the
    whole line (which covers many orders)."""

    _inherit = "sale.order.line"

    def _amazon_summary_corrections(self, states, field):
        """(sale line, correction) for the summary lines among the lines' invoice lines: their
        share minus what Odoo counted (the whole line)."""
        result = []
        shares_of = {}  # invoice line -> its shares, read once (a JSON field is copied on each read)
        for line in self:
            for invoice_line in line._get_invoice_lines():
                if invoice_line not in shares_of:
                    shares_of[invoice_line] = invoice_line.amazon_summary_shares
                shares = shares_of[invoice_line]
                if not shares:
                    continue
                move = invoice_line.move_id
                if move.state not in states and move.payment_state != "invoicing_legacy":
                    continue
                share = shares.get(str(line.id), [0.0, 0.0, 0.0])
                sign = {"out_invoice": 1, "out_refund": -1}.get(move.move_type, 0)
                if field == "quantity":
                    counted = invoice_line.product_uom_id._compute_quantity(invoice_line.quantity, line.product_uom_id)
                    result.append((line, sign * (share[0] - counted)))
                else:
                    counted = invoice_line.price_subtotal if field == "untaxed" else invoice_line.price_total
                    mine = share[1] if field == "untaxed" else share[2]
                    date = move.invoice_date or fields.Date.context_today(self)
                    delta = invoice_line.currency_id._convert(mine - counted, line.currency_id, line.company_id, date)
                    result.append((line, sign * delta))
        return result

    def _prepare_qty_invoiced(self):
        quantities = super()._prepare_qty_invoiced()
        for line, delta in self._amazon_summary_corrections(("draft", "posted"), "quantity"):
            quantities[line] += delta
        return quantities

    def _compute_qty_invoiced_posted(self):
        result = super()._compute_qty_invoiced_posted()
        for line, delta in self._amazon_summary_corrections(("posted",), "quantity"):
            line.qty_invoiced_posted += delta
        return result

    def _compute_untaxed_amount_invoiced(self):
        result = super()._compute_untaxed_amount_invoiced()
        for line, delta in self._amazon_summary_corrections(("posted",), "untaxed"):
            line.untaxed_amount_invoiced += delta
        return result

    def _compute_amount_invoiced(self):
        result = super()._compute_amount_invoiced()
        for line, delta in self._amazon_summary_corrections(("posted",), "total"):
            line.amount_invoiced += delta
        return result


INVOICE_MODES = [("order", "Invoice each order"), ("summary", "One summary per settlement")]
INVOICE_MODE_HELP = (
    "Invoice each order: every Amazon order gets its own invoice, reconciled one by one by its payout. One summary "
    "per settlement: the orders that need no invoice of their own (not Amazon Business, no VAT invoice asked, not "
    "uploaded to Amazon) are invoiced when their payout is registered, in one invoice per settlement part and "
    'marketplace to the marketplace\'s "Amazon customers", and their refunds in one credit note.'
)


def check_invoice_mode_write(records, vals, own_fields):
    """Accounting managers choose the invoicing mode and the payouts' journal and currency
    conversion account; they change nothing else of the connection (a sales administrator's),
    sales administrators not the mode.

    :raises AccessError: what the user may not change
    """
    env = records.env
    if env.su:
        return
    if "invoice_mode" in vals and not env.user.has_group("account.group_account_manager"):
        raise AccessError(env._("Only accounting managers choose how Amazon orders are invoiced."))
    if set(vals) - own_fields and not env.user.has_group("sales_team.group_sale_manager"):
        raise AccessError(env._("Only sales administrators change the Amazon connection's settings."))


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    invoice_mode = fields.Selection(
        INVOICE_MODES,
        string="Invoicing",
        default="order",
        required=True,
        help=INVOICE_MODE_HELP + " A marketplace may choose otherwise (Marketplaces tab).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "invoice_mode" in vals and vals["invoice_mode"] != "order":
                check_invoice_mode_write(self, {"invoice_mode": vals["invoice_mode"]}, {"invoice_mode"})
        return super().create(vals_list)

    def write(self, vals):
        check_invoice_mode_write(
            self, vals, {"invoice_mode", "marketplace_setting_ids", "payout_journal_id", "payout_conversion_account_id"}
        )
        return super().write(vals)


class AmazonMarketplaceSetting(models.Model):
    _inherit = "amazon.marketplace.setting"

    invoice_mode = fields.Selection(
        INVOICE_MODES, string="Invoicing", help=INVOICE_MODE_HELP + " Empty: the account's."
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("invoice_mode"):
                check_invoice_mode_write(self, {"invoice_mode": vals["invoice_mode"]}, {"invoice_mode"})
        return super().create(vals_list)

    def write(self, vals):
        check_invoice_mode_write(self, vals, {"invoice_mode"})
        return super().write(vals)
