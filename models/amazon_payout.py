from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

PAYOUT_STATES = [
    ("imported", "Imported"),
    ("mismatch", "Mismatch"),
    ("registered", "Registered"),
]
MISMATCHES_PER_CHUNK = 2000
# descriptions of the parts of one fee (amount type): its base, its tax, a discount
FEE_PARTS = ("base fee", "tax on fee", "discount on fee")
FEE_VAT_PART = "tax on fee"
# categories whose amounts settle an order's invoice or credit note
ORDER_CATEGORIES = ("sales", "promotion", "refund")
CATEGORIES = [
    ("sales", "Sales"),
    ("refund", "Refunds"),
    ("promotion", "Promotions"),
    ("fee", "Amazon Fees"),
    ("tax", "Withheld Tax"),
    ("reserve", "Reserve"),
    ("income", "Reimbursements"),
    ("loan", "Amazon Lending"),
    ("other", "Other"),
    ("unknown", "Not Mapped"),
]


class AmazonPayout(models.Model):
    """One Amazon settlement: what Amazon paid the seller for a period, net of its fees,
    refunds and reserves, as its settlement report says, line by line."""

    _name = "amazon.payout"
    _description = "Amazon Payout"
    _inherit = ["mail.thread"]
    _order = "deposit_date desc, id desc"
    _rec_name = "settlement_ref"
    _check_company_auto = True

    account_id = fields.Many2one("amazon.account", required=True, index=True, readonly=True, ondelete="restrict")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    amazon_seller_ref = fields.Char(related="account_id.seller_id", store=True, string="Amazon Seller")
    marketplace_id = fields.Many2one("amazon.marketplace", readonly=True)
    settlement_ref = fields.Char(string="Settlement ID", required=True, readonly=True, index=True)
    report_ref = fields.Char(string="Report ID", readonly=True, index=True, help="Amazon's settlement report id.")
    period_start = fields.Datetime(readonly=True)
    period_end = fields.Datetime(readonly=True)
    deposit_date = fields.Date(readonly=True, tracking=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    total_amount = fields.Monetary(string="Deposit", readonly=True, help="What Amazon pays into the bank.")
    state = fields.Selection(PAYOUT_STATES, default="imported", required=True, readonly=True, tracking=True)
    line_ids = fields.One2many("amazon.payout.line", "payout_id", string="Lines", readonly=True)
    line_count = fields.Integer(compute="_compute_totals", store=True)
    lines_total = fields.Monetary(compute="_compute_totals", store=True, help="Sum of the report's lines.")
    sales_amount = fields.Monetary(string="Sales", compute="_compute_totals", store=True)
    refund_amount = fields.Monetary(string="Refunds", compute="_compute_totals", store=True)
    promotion_amount = fields.Monetary(string="Promotions", compute="_compute_totals", store=True)
    fee_amount = fields.Monetary(string="Amazon Fees", compute="_compute_totals", store=True)
    tax_amount = fields.Monetary(string="Withheld Tax", compute="_compute_totals", store=True)
    reserve_amount = fields.Monetary(string="Reserve", compute="_compute_totals", store=True)
    other_amount = fields.Monetary(string="Other", compute="_compute_totals", store=True)
    unknown_order_count = fields.Integer(
        compute="_compute_totals", store=True, help="Lines naming an Amazon order that is not in Odoo."
    )
    move_ids = fields.Many2many("account.move", string="Entries", readonly=True, copy=False)
    mismatch_ids = fields.One2many("amazon.payout.mismatch", "payout_id", string="Mismatches")
    mismatch_count = fields.Integer(compute="_compute_mismatch_count")
    journal_id = fields.Many2one("account.journal", string="Registered In", readonly=True, copy=False)
    fee_bill_id = fields.Many2one("account.move", string="Amazon Fees Bill", readonly=True, copy=False)
    document = fields.Binary(string="Settlement Report", attachment=True, readonly=True)
    document_name = fields.Char(readonly=True)

    # Two accounts of one seller (two connections, or marketplaces split between accounts)
    # list the same settlement reports: the database keeps one payout per settlement, also
    # when both import it at the same moment (the second one's insert fails).
    _settlement_seller_unique = models.Constraint(
        "unique(amazon_seller_ref, settlement_ref)", "An Amazon settlement is imported once per seller."
    )

    @api.depends("line_ids.amount", "line_ids.category", "line_ids.order_ref", "line_ids.sale_order_id")
    def _compute_totals(self):
        """Summed by the database for saved payouts: a report's lines (100,000 for a busy
        seller) are never loaded to add them up."""
        saved = self.filtered(lambda p: isinstance(p.id, int))
        sums = defaultdict(float)
        counts = defaultdict(int)
        unknowns = defaultdict(int)
        if saved:
            Line = self.env["amazon.payout.line"].sudo()
            for payout, category, amount, count in Line._read_group(
                [("payout_id", "in", saved.ids)], ["payout_id", "category"], ["amount:sum", "__count"]
            ):
                sums[payout.id, category] += amount
                counts[payout.id] += count
            for payout, count in Line._read_group(
                [("payout_id", "in", saved.ids), ("order_ref", "!=", False), ("sale_order_id", "=", False)],
                ["payout_id"],
                ["__count"],
            ):
                unknowns[payout.id] = count
        for payout in self - saved:  # a new record (a form): what its lines say
            for line in payout.line_ids:
                sums[payout.id, line.category] += line.amount
                counts[payout.id] += 1
                unknowns[payout.id] += bool(line.order_ref and not line.sale_order_id)
        for payout in self:
            totals = {key: sums[payout.id, key] for key, _label in CATEGORIES}
            unknown = unknowns[payout.id]
            payout.line_count = counts[payout.id]
            payout.lines_total = sum(totals.values())
            payout.sales_amount = totals["sales"]
            payout.refund_amount = totals["refund"]
            payout.promotion_amount = totals["promotion"]
            payout.fee_amount = totals["fee"]
            payout.tax_amount = totals["tax"]
            payout.reserve_amount = totals["reserve"]
            payout.other_amount = totals["other"] + totals["income"] + totals["loan"] + totals["unknown"]
            payout.unknown_order_count = unknown

    @api.depends("mismatch_ids")
    def _compute_mismatch_count(self):
        for payout in self:
            payout.mismatch_count = len(payout.mismatch_ids)

    def _compute_display_name(self):
        for payout in self:
            payout.display_name = self.env._("Amazon payout %(ref)s", ref=payout.settlement_ref)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_registered(self):
        for payout in self:
            if payout.state == "registered":
                raise UserError(
                    self.env._(
                        "%(payout)s is registered in the books: reset it to Imported first.",
                        payout=payout.display_name,
                    )
                )

    # ------------------------------------------------------------------ actions

    def action_check(self):
        """List again what does not settle by itself (after invoicing orders, say)."""
        self._amazon_check_state()

    def action_create_invoices(self):
        """Create and post the missing invoices of this payout's orders (what was delivered)."""
        self._amazon_check_access()
        for payout in self:
            orders = payout.line_ids.filtered(lambda line: line.category in ("sales", "promotion")).sale_order_id
            orders._amazon_invoice_for_payout()
        self._amazon_check_state()

    def action_register(self):
        """Register the payout in one go: pay the invoices and credit notes it settles,
        create and pay Amazon's fee bill, book reserves and other amounts per the mapping,
        and leave exactly the deposit on the Amazon Payments account, ready to match the
        bank's deposit line. Mismatches are settled as the accountant decided.

        :raises UserError: what must be decided first
        """
        self._amazon_check_access()
        for payout in self:
            if payout.state == "registered":
                raise UserError(self.env._("%(payout)s is already registered.", payout=payout.display_name))
            payout._amazon_check_periods()  # before anything is booked
            invoice = payout.mismatch_ids.filtered(lambda m: m.decision == "invoice")
            if invoice:
                invoice.sale_order_id._amazon_invoice_for_payout()
            payout._amazon_summary_documents()
            payout._amazon_credit_notes()
            payout._amazon_check_state()
            payout._amazon_register()
        return True

    def action_reset(self):
        """Undo the registration: the payout's entry and fee bill are reversed by Odoo's
        reversal (on their date, else today when that period is locked), what they paid is
        open again, and the payout can be checked and registered again. Credit notes of
        refunds stay: they are the refunds' documents, found again by the next registration.

        :raises UserError: when the bank's deposit is already matched with the payout
        """
        self._amazon_check_access()
        for payout in self.filtered(lambda p: p.state == "registered"):
            moves = payout.move_ids.filtered(lambda m: m.state == "posted")
            deposit = moves.line_ids.filtered(
                lambda x, payout=payout, moves=moves: (
                    x.account_id == payout.journal_id.default_account_id and payout._amazon_matched_outside(x, moves)
                )
            )
            if deposit:
                raise UserError(
                    self.env._(
                        "%(payout)s: its deposit is matched with the bank; unmatch the bank line first (Unmatch Bank "
                        "Deposit, or Odoo's undo of the bank reconciliation).",
                        payout=payout.display_name,
                    )
                )
            moves.sudo().line_ids.remove_move_reconcile()
            today = fields.Date.context_today(self)
            defaults = []
            for move in moves:
                day = today if move._get_violated_lock_dates(move.date, True) else move.date
                defaults.append(
                    {
                        "date": day,
                        "invoice_date": move.invoice_date and day,
                        "ref": self.env._("Reversal of %(entry)s", entry=move.name),
                    }
                )
            reversals = moves.sudo()._reverse_moves(defaults, cancel=True)
            payout.write(
                {
                    "state": "imported",
                    "journal_id": False,
                    "fee_bill_id": False,
                    "move_ids": [fields.Command.clear()],
                    "bank_line_id": False,
                    "bank_currency_id": False,
                    "bank_amount": 0.0,
                    "amazon_rate": 0.0,
                }
            )
            payout.message_post(
                body=self.env._(
                    "Reset to Imported: %(entries)s reversed by %(reversals)s.",
                    entries=", ".join(moves.mapped("name")),
                    reversals=", ".join(reversals.mapped("name")),
                )
            )
        self._amazon_check_state()
        return True

    @api.model
    def _amazon_matched_outside(self, line, moves):
        """Whether ``line`` is matched with a line of another entry than ``moves`` (the bank's),
        not counting the carry lines of a payout split at month end and their exchange
        differences."""
        if not line.reconciled and not (line.matched_debit_ids or line.matched_credit_ids):
            return False
        partials = line.matched_debit_ids | line.matched_credit_ids
        others = (partials.debit_move_id | partials.credit_move_id).move_id - moves
        return bool(others - partials.exchange_move_id)

    def _amazon_check_access(self):
        if not self.env.su and not self.env.user.has_group("account.group_account_invoice"):
            raise UserError(self.env._("Only accounting users may register Amazon payouts."))

    # ------------------------------------------------------------------ business

    def _amazon_check_state(self):
        """List what does not settle by itself (kept decisions survive), then: a payout with
        mismatches is "mismatch" until registered."""
        for payout in self.filtered(lambda p: p.state != "registered"):
            payout._amazon_update_mismatches()
            payout.state = "mismatch" if payout.mismatch_ids else "imported"

    def _amazon_groups(self):
        """Per Amazon order: what Amazon paid for it (sales, promotions) and refunded.

        :returns: dict order ref -> {"order": sale.order, "paid": float, "refunded": float}
        """
        self.ensure_one()
        groups = {}
        for ref, category, order, amount in (
            self.env["amazon.payout.line"]
            .sudo()
            ._read_group(
                [("payout_id", "=", self.id), ("order_ref", "!=", False), ("category", "in", ORDER_CATEGORIES)],
                ["order_ref", "category", "sale_order_id"],
                ["amount:sum"],
            )
        ):
            group = groups.setdefault(ref, {"order": self.env["sale.order"], "paid": 0.0, "refunded": 0.0})
            group["refunded" if category == "refund" else "paid"] += amount
            group["order"] |= order.with_env(self.env)
        for group in groups.values():
            group["paid"] = self.currency_id.round(group["paid"])
            group["refunded"] = self.currency_id.round(group["refunded"])
        return groups

    def _amazon_documents(self, groups):
        """The posted invoices and credit notes of the payout's orders, in its currency, in
        one search (by Amazon reference, else through the order's invoices).

        :returns: dict (order ref, is refund) -> account.move, oldest first
        """
        Move = self.env["account.move"]
        found = Move.search(
            [
                ("amazon_order_ref", "in", list(groups)),
                ("company_id", "=", self.company_id.id),
                ("state", "=", "posted"),
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("currency_id", "=", self.currency_id.id),
            ],
            order="id",
        )
        result = defaultdict(lambda: Move)
        for move in found:
            result[(move.amazon_order_ref, move.move_type == "out_refund")] |= move
        currency = self.currency_id
        for ref, group in groups.items():
            missing = [
                refund
                for refund in (False, True)
                if (ref, refund) not in result and not currency.is_zero(group["refunded" if refund else "paid"])
            ]
            if not missing or not group["order"]:
                continue
            # made by hand: the credit notes reversing its invoices, else through the order
            invoices = result.get((ref, False)) or group["order"].invoice_ids
            for move in (
                (invoices | invoices.reversal_move_ids)
                .filtered(lambda m: m.state == "posted" and m.currency_id == currency)
                .sorted("id")
            ):
                refund = move.move_type == "out_refund"
                if move.move_type in ("out_invoice", "out_refund") and refund in missing:
                    result[(ref, refund)] |= move
        return result

    def _amazon_credit_notes(self):
        """Credit the refunds of the payout's orders: for each order Amazon refunded that has
        a posted invoice and no credit note yet (none made by hand either), a credit note of
        what Amazon refunded, reversing the invoice, dated at the refund, posted.

        :returns: the new credit notes
        """
        self.ensure_one()
        groups = self._amazon_groups()
        documents = self._amazon_documents(groups)
        values = []
        for ref, group in groups.items():
            if self.currency_id.is_zero(group["refunded"]) or documents[(ref, True)]:
                continue
            invoice = documents[(ref, False)].filtered(lambda m: not m.amazon_summary)[-1:]
            if not invoice:
                continue
            lines = self.line_ids.filtered(lambda x, ref=ref: x.order_ref == ref and x.category == "refund")
            posted = max(lines.mapped("posted_date"), default=False) or self.period_end
            date = posted.date() if posted else self.deposit_date
            values.append(invoice._amazon_prepare_refund_values(lines, date))
        if not values:
            return self.env["account.move"]
        notes = self.env["account.move"].sudo().with_company(self.company_id).create(values)
        notes.action_post()
        for note in notes:
            note.message_post(
                body=self.env._("Amazon refund of %(payout)s.", payout=self.display_name),
            )
        return notes

    def _amazon_summary_documents(self):
        """Summary mode's invoices and credit notes (amazon_payout_summary.py).

        :returns: the new documents
        """
        return self.env["account.move"]

    def _amazon_summary_expected(self, ref, order, refund, amount, documents, all_documents):
        """What Odoo expects Amazon to pay for an order invoiced by a summary, or None for an
        order that is not (amazon_payout_summary.py)."""
        return None

    def _amazon_mismatch_key(self, values):
        """What a mismatch (or the values of one) is about: its kind, order, sale or refund,
        amount type."""
        get = values.get if isinstance(values, dict) else values.__getitem__
        return (get("kind"), get("order_ref") or "", bool(get("refund")), get("amount_type") or "")

    def _amazon_unmapped(self):
        """Map again the lines nobody had mapped (a mapping may have been added since).

        :returns: dict "amount type / description" -> their sum, for those still unmapped
        """
        unknown = self.line_ids.filtered(lambda x: x.category == "unknown")
        if unknown:
            categories = self.env["amazon.payout.mapping"]._categorize(self.company_id, unknown)
            for line, category in zip(unknown, categories, strict=True):
                if category != "unknown":
                    line.sudo().category = category
        result = defaultdict(float)
        for line in unknown.filtered(lambda x: x.category == "unknown"):
            result[line._amazon_label()] += line.amount
        return result

    def _amazon_parts(self, groups, all_documents):
        """What the payout settles per order: what Amazon paid against the invoices, what it
        refunded against the credit notes; both in one when the order has both documents and
        they do not match one by one (a credit note reversing an invoice is matched with it when
        posted: only their net is open).

        :returns: list of (order ref, sale.order, refund, amount, documents)
        """
        parts = []
        for ref, group in groups.items():
            order = group["order"][:1]
            invoices, notes = all_documents[(ref, False)], all_documents[(ref, True)]
            paid, refunded = group["paid"], group["refunded"]
            if (
                invoices
                and notes
                and not self.currency_id.is_zero(paid)
                and not self.currency_id.is_zero(refunded)
                and not (
                    self.currency_id.is_zero(self._amazon_open_amount(invoices) - paid)
                    and self.currency_id.is_zero(self._amazon_open_amount(notes) - refunded)
                )
            ):
                parts.append((ref, order, False, self.currency_id.round(paid + refunded), invoices | notes))
                continue
            for refund, amount, documents in ((False, paid, invoices), (True, refunded, notes)):
                if not self.currency_id.is_zero(amount):
                    parts.append((ref, order, refund, amount, documents))
        return parts

    @api.model
    def _amazon_open_amount(self, documents):
        """What is open on invoices (positive) and credit notes (negative) together."""
        return sum(d.amount_residual * (-1 if d.move_type == "out_refund" else 1) for d in documents)

    def _amazon_update_mismatches(self):
        self.ensure_one()
        kept = {self._amazon_mismatch_key(m): m for m in self.mismatch_ids}
        found = []
        currency = self.currency_id
        groups = self._amazon_groups()
        all_documents = self._amazon_documents(groups)
        for ref, order, refund, amount, documents in self._amazon_parts(groups, all_documents):
            values = {"order_ref": ref, "sale_order_id": order.id, "amazon_amount": amount, "refund": refund}
            if not order:
                found.append(dict(values, kind="unknown_order", difference=amount))
                continue
            # pylint: disable-next=assignment-from-none
            expected = self._amazon_summary_expected(ref, order, refund, amount, documents, all_documents)
            if expected is not None:  # invoiced (or to be) by a summary: the order's share of it
                if not currency.is_zero(expected - amount):
                    difference = currency.round(expected - amount)
                    found.append(dict(values, kind="amount", odoo_amount=expected, difference=difference))
                continue
            if not documents and refund and all_documents[(ref, False)]:
                continue  # credited when the payout is registered
            if not documents:
                note = self.env._("No posted credit note") if refund else self.env._("No posted invoice")
                found.append(dict(values, kind="no_invoice", difference=amount, note=note))
                continue
            open_amount = self._amazon_open_amount(documents)
            if not currency.is_zero(open_amount - amount):
                found.append(
                    dict(
                        values,
                        kind="amount",
                        invoice_id=documents[:1].id,
                        odoo_amount=open_amount,
                        difference=currency.round(open_amount - amount),
                    )
                )
        for amount_type, amount in self._amazon_unmapped().items():
            found.append(
                {
                    "kind": "unmapped",
                    "amount_type": amount_type,
                    "amazon_amount": currency.round(amount),
                    "difference": currency.round(amount),
                    "note": self.env._("Map it (Amazon Amount Types) and check again, or write it off"),
                }
            )
        # amounts of orders Amazon gave no order for: not silently on the suspense account (an
        # amount type mapped to an account of the company's own goes there, as it chose)
        no_order = defaultdict(float)
        lines = self.line_ids.filtered(lambda x: x.category in ORDER_CATEGORIES and not x.order_ref)
        if lines:
            Mapping = self.env["amazon.payout.mapping"]
            suspense = Mapping._default_account(self.company_id, "other")
            accounts = Mapping._accounts_for(self.company_id, lines)
            for line in lines.filtered(lambda x: accounts[x.id] == suspense):
                no_order[line._amazon_label()] += line.amount
        for amount_type, amount in no_order.items():
            if currency.is_zero(amount):
                continue
            found.append(
                {
                    "kind": "no_order",
                    "amount_type": amount_type,
                    "amazon_amount": currency.round(amount),
                    "difference": currency.round(amount),
                    "note": self.env._(
                        "Amazon gave no order for it: leave it on the Amazon suspense account or write it off"
                    ),
                }
            )
        for fee in self._amazon_fees().values():
            if fee["tax"] is None:
                found.append(
                    {
                        "kind": "fee_tax",
                        "amount_type": fee["label"],
                        "amazon_amount": float(fee["vat"]),
                        "odoo_amount": float(fee["expected_vat"]),
                        "difference": currency.round(float(fee["vat"] - fee["expected_vat"])),
                        "note": self.env._(
                            "Amazon charged %(vat)s VAT on %(gross)s; the fee's tax (%(tax)s) does not give it",
                            vat=fee["vat"],
                            gross=fee["gross"],
                            tax=fee["mapped_tax"].name or self.env._("none"),
                        ),
                    }
                )
        difference = currency.round(self.total_amount - self.lines_total)
        if not currency.is_zero(difference):
            found.append(
                {
                    "kind": "unbalanced",
                    "amazon_amount": self.total_amount,
                    "odoo_amount": self.lines_total,
                    "difference": difference,
                    "note": self.env._("Amazon's deposit differs from the sum of the report's lines"),
                }
            )
        del groups, all_documents  # no longer needed: their memory goes to the mismatches
        Mismatch = self.env["amazon.payout.mismatch"].sudo()
        new = []
        for values in found:
            existing = kept.pop(self._amazon_mismatch_key(values), None)
            if existing:
                existing.sudo().write(values)
            else:
                values["payout_id"] = self.id
                new.append(values)
        Mismatch.union(*kept.values()).unlink()
        # a busy seller's first payout may list thousands of orders: created, then forgotten
        # by the ORM's cache, a chunk at a time
        for start in range(0, len(new), MISMATCHES_PER_CHUNK):
            created = Mismatch.create(new[start : start + MISMATCHES_PER_CHUNK])
            created.flush_recordset()
            created.invalidate_recordset()

    def _amazon_fees(self, accounts=None, lines=None):
        """The payout's fees as lines of Amazon's bill: one per amount type (and description),
        account; a fee and the VAT Amazon shows on it ("Base fee" / "Tax on fee" rows) make
        one gross line, whose tax is the one that gives Amazon's VAT
        (:meth:`~.amazon_payout_mapping.AmazonPayoutMapping._amazon_tax_for_charged_vat`).

        :param accounts: dict payout line id -> account (default: the mapping's)
        :param lines: the payout's lines to take (default: all), e.g. a part's
        :returns: dict (amount type, description, account) -> dict with ``amount`` (float, of
            the settlement: negative when charged), ``gross`` and ``vat`` (Decimal, Amazon's
            VAT, 0 when not shown), ``tax`` (account.tax, maybe empty; ``None`` when Amazon's
            VAT is not what the mapping's tax gives and no tax does: a ``fee_tax``
            mismatch), ``mapped_tax``, ``expected_vat``, ``label``
        """
        Mapping = self.env["amazon.payout.mapping"].sudo()
        company = self.company_id
        fee_lines = (self.line_ids if lines is None else lines).filtered(lambda x: x.category == "fee")
        if not fee_lines:
            return {}
        if accounts is None:
            accounts = Mapping._accounts_for(company, fee_lines)
        taxes = Mapping._amazon_fee_taxes(company, fee_lines)
        digits = Decimal(1).scaleb(-self.currency_id.decimal_places)
        fees = {}
        for line in fee_lines:
            part = (line.description or "").lower()
            description = "" if part in FEE_PARTS else line.description
            key = (line.amount_type, description, accounts[line.id])
            tax, chosen = taxes[line.id]
            fee = fees.setdefault(
                key,
                {"amount": 0.0, "vat": Decimal(0), "rows": 0, "tax": tax, "chosen": chosen, "mapped_tax": tax},
            )
            fee["amount"] += line.amount
            if part == FEE_VAT_PART:
                fee["vat"] += -Decimal(str(line.amount)).quantize(digits)
                fee["rows"] += 1
        for (amount_type, description, _account), fee in fees.items():
            fee["label"] = f"{amount_type} / {description}" if description else amount_type
            fee["gross"] = -Decimal(str(fee["amount"])).quantize(digits)
            fee["expected_vat"] = Decimal(0)
            if not fee["vat"]:
                continue
            tax = fee["mapped_tax"]
            if tax and all(r.factor_percent >= 0 for r in tax.invoice_repartition_line_ids):
                rate = Decimal(str(tax.amount))
                fee["expected_vat"] = (fee["gross"] * rate / (100 + rate)).quantize(digits)
            fee["tax"] = Mapping._amazon_tax_for_charged_vat(
                company, tax, fee["chosen"], fee["gross"], fee["vat"], fee["rows"], self.currency_id
            )
        return fees

    def _amazon_periods(self):
        """The parts the payout is booked in, in order: ``[{"date": accounting date, "end":
        datetime or False, "start": datetime or False, "locked": hard lock date or False}]``.
        A line belongs to the first part whose ``end`` is after its posted date; the last part
        (``end`` False) takes the rest, lines without a date included.

        One part, at the deposit date, unless the company splits settlements at month end
        (:attr:`res.company.amazon_payout_month_cutoff`) and this one crosses a month end: then
        one part per month (UTC, as Amazon dates its lines), dated its last day, the last part
        the settlement's end. A date in a soft-locked period moves as Odoo moves an entry's
        date (``account.move._get_accounting_date``); one in a hard-locked period stays and
        gives ``locked`` (registration refuses it)."""
        self.ensure_one()
        single = [{"date": self.deposit_date or fields.Date.context_today(self), "end": False}]
        start, end = self.period_start, self.period_end
        if not (self.company_id.amazon_payout_month_cutoff and start and end):
            return single
        last = end - timedelta(seconds=1)  # a settlement ending at midnight ends the day before
        if (start.year, start.month) >= (last.year, last.month):
            return single
        periods = []
        month = datetime(start.year, start.month, 1)
        while (month.year, month.month) < (last.year, last.month):
            following = month + relativedelta(months=1)
            periods.append({"date": (following - timedelta(days=1)).date(), "start": month, "end": following})
            month = following
        periods.append({"date": last.date(), "start": month, "end": False})
        periods[0]["start"] = False
        entry = self.env["account.move"].with_company(self.company_id).new({"move_type": "entry"})
        for period in periods:
            hard = self.company_id.hard_lock_date
            period["locked"] = hard if hard and period["date"] <= hard else False
            # the part's entry, its summary invoice (sales) and fee bill (purchases) share one date:
            # every lock that holds one of them moves the part
            locks = not period["locked"] and sorted(
                self.company_id._get_lock_date_violations(period["date"], hard=False)
            )
            if locks:
                period["date"] = entry._get_accounting_date(period["date"], True, lock_dates=locks)
        return periods

    def _amazon_lines_by_period(self, lines=None):
        """``[(period, lines)]`` of :meth:`_amazon_periods`, every line in exactly one part."""
        self.ensure_one()
        lines = self.line_ids if lines is None else lines
        result = []
        for period in self._amazon_periods():
            if period["end"]:
                part = lines.filtered(lambda x, end=period["end"]: x.posted_date and x.posted_date < end)
            else:
                part = lines
            lines -= part
            result.append((period, part))
        return result

    def _amazon_check_periods(self, periods=None):
        """Refuse a payout a part of which falls in a hard-locked period, before anything is booked.

        :raises UserError: naming the part and its date
        """
        self.ensure_one()
        periods = periods or self._amazon_periods()
        for number, period in enumerate(periods, start=1):
            if period.get("locked"):
                raise UserError(
                    self.env._(
                        "%(payout)s cannot be registered: its part %(part)s of %(count)s is dated %(date)s, in a "
                        "period locked up to %(lock)s (hard lock date). Nothing was booked.",
                        payout=self.display_name,
                        part=number,
                        count=len(periods),
                        date=format_date(self.env, period["date"]),
                        lock=format_date(self.env, period["locked"]),
                    )
                )

    def action_view_mismatches(self):
        """The payout's mismatches in a list where many can be selected and decided at once."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mismatches of %(payout)s", payout=self.display_name),
            "res_model": "amazon.payout.mismatch",
            "view_mode": "list",
            "views": [(self.env.ref("amazon_sp_connector.amazon_payout_mismatch_view_list").id, "list")],
            "domain": [("payout_id", "=", self.id)],
        }

    def action_view_orders(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Orders of %(payout)s", payout=self.display_name),
            "res_model": "sale.order",
            "view_mode": "list,form",
            "domain": [("id", "in", self.line_ids.sale_order_id.ids)],
        }
