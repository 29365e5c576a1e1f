"""Booking a payout's registration: the entry (one per part when the settlement is split at
month end) in the Amazon Payments journal, Amazon's fee bill, and the matching of what they
pay."""

from collections import defaultdict

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from .amazon_payout import CATEGORIES, ORDER_CATEGORIES
from .amazon_payout_mapping import REFUND_TRANSACTIONS
from .amazon_payout_mismatch import MISMATCH_KINDS


class AmazonPayout(models.Model):
    _inherit = "amazon.payout"

    def _amazon_register(self):
        """Book the payout (one entry in the Amazon Payments journal, the fee bill) and
        reconcile what it pays."""
        self.ensure_one()
        problems = []
        for mismatch in self.mismatch_ids:
            label = mismatch.order_ref or mismatch.amount_type or dict(MISMATCH_KINDS)[mismatch.kind]
            if mismatch.refund:
                label = self.env._("%(order)s (refund)", order=label)
            if mismatch.decision == "write_off" and not mismatch.write_off_account_id:
                problems.append(self.env._("%(what)s: choose the write-off account", what=label))
            elif mismatch.kind == "unbalanced" and mismatch.decision != "write_off":
                problems.append(self.env._("%(what)s: write the difference off to an account", what=label))
            elif mismatch.kind == "fee_tax" and mismatch.decision != "write_off":
                problems.append(
                    self.env._(
                        "%(what)s: map this fee to a purchase tax at Amazon's rate (Amazon Amount Types) and check "
                        "again, or write Amazon's VAT off to an account",
                        what=label,
                    )
                )
            elif mismatch.kind == "unmapped" and mismatch.decision != "write_off":
                problems.append(
                    self.env._(
                        "%(what)s: map this amount type (Amazon Amount Types) or write it off to an account",
                        what=label,
                    )
                )
            elif not mismatch.decision:
                problems.append(
                    self.env._("%(what)s: %(kind)s, to decide", what=label, kind=dict(MISMATCH_KINDS)[mismatch.kind])
                )
            elif mismatch.decision == "invoice":
                problems.append(self.env._("%(what)s: the order could not be invoiced", what=label))
        if problems:
            raise UserError(
                self.env._(
                    "%(payout)s cannot be registered yet (Mismatches tab):\n%(problems)s",
                    payout=self.display_name,
                    problems="\n".join(problems),
                )
            )
        company = self.company_id
        currency = self.currency_id
        Mapping = self.env["amazon.payout.mapping"].sudo()
        by_period = self._amazon_lines_by_period()
        periods = [period for period, _lines in by_period]
        self._amazon_check_periods(periods)
        journal = self.account_id._amazon_payout_journal_for(currency)
        deposit_account = journal.default_account_id
        if not deposit_account.reconcile:
            deposit_account.sudo().reconcile = True  # the bank's deposit line is matched against it
        label = self.display_name
        last_part = len(periods) - 1
        lines = [[] for _period in periods]  # per part: (values, aml to reconcile with or None)
        decisions = {self._amazon_mismatch_key(m): m for m in self.mismatch_ids}
        part_of = {line_id: index for index, (_period, part) in enumerate(by_period) for line_id in part.ids}
        # per order and kind (refund or not): what Amazon paid for it in each part
        order_amounts = defaultdict(lambda: [0.0] * len(periods))
        for line in self.line_ids.filtered(lambda x: x.order_ref and x.category in ORDER_CATEGORIES):
            order_amounts[line.order_ref, line.category == "refund"][part_of[line.id]] += line.amount

        def add(account, amount, name, partner=None, counterpart=None, part=last_part):
            """A line taking ``amount`` (payout currency) out of the deposit, in ``part``."""
            if currency.is_zero(amount):
                return
            lines[part].append(
                (
                    {
                        "account_id": account.id,
                        "partner_id": partner.id if partner else False,
                        "name": name,
                        "amount_currency": -amount,
                    },
                    counterpart,
                )
            )

        def spread(ref, kinds, amount):
            """``amount`` of an order over the parts its lines of ``kinds`` (refund or not) are in;
            what differs from Amazon's (a write-off) in the last of them.

            :returns: (list of amounts per part, index of that last part)
            """
            amounts = [sum(order_amounts[ref, kind][index] for kind in kinds) for index in range(len(periods))]
            last = max((i for i, value in enumerate(amounts) if not currency.is_zero(value)), default=last_part)
            amounts[last] += amount - sum(amounts)
            return [currency.round(value) for value in amounts], last

        def add_spread(account, amounts, name, partner=None, counterpart=None):
            for index, amount in enumerate(amounts):
                add(account, amount, name, partner, counterpart, index)

        suspense = Mapping._default_account(company, "other")
        groups = self._amazon_groups()
        all_documents = self._amazon_documents(groups)
        open_receivables = defaultdict(lambda: self.env["account.move.line"])  # move id -> its open receivable
        documents_lines = self.env["account.move"].union(*all_documents.values()).line_ids if all_documents else []
        for move_line in documents_lines:
            if move_line.account_type == "asset_receivable" and not move_line.reconciled:
                open_receivables[move_line.move_id.id] |= move_line
        grouped = {}  # (receivable account, customer, refund) -> [amounts per part, receivable lines, order refs]
        # (order ref, refund) -> account: an order written off takes the tax Amazon withheld on it
        # along (no invoice will ever bring that tax to the withheld-tax account to clear it)
        written_off = {}
        for ref, order, refund, amount, documents in self._amazon_parts(groups, all_documents):
            name = f"{label}: {ref}"
            combined = not refund and "out_refund" in documents.mapped("move_type")
            amounts, last = spread(ref, (False, True) if combined else (refund,), amount)
            if not order:
                mismatch = decisions.get(("unknown_order", ref, refund, ""))
                target = mismatch.write_off_account_id if mismatch and mismatch.decision == "write_off" else suspense
                if mismatch and mismatch.decision == "write_off":
                    written_off[ref, refund] = target
                    if combined:  # its refund is written off in the same amount
                        written_off[ref, True] = target
                add_spread(target, amounts, name)
                continue
            partner = order.partner_invoice_id.commercial_partner_id
            if not documents:
                mismatch = decisions.get(("no_invoice", ref, refund, ""))
                if mismatch and mismatch.decision == "write_off":
                    written_off[ref, refund] = mismatch.write_off_account_id
                    add_spread(mismatch.write_off_account_id, amounts, name)
                else:  # open on the customer: the invoice posted later is matched with it
                    add_spread(partner.with_company(company).property_account_receivable_id, amounts, name, partner)
                continue
            receivables = self.env["account.move.line"].union(*(open_receivables[d.id] for d in documents))
            mismatch = decisions.get(("amount", ref, refund, ""))
            if mismatch and mismatch.decision == "write_off":
                settled = mismatch.odoo_amount
                write_off = amount - settled
                add(mismatch.write_off_account_id, write_off, self.env._("%(name)s (write-off)", name=name), part=last)
                amounts[last] = currency.round(amounts[last] - write_off)
            partner = documents[:1].partner_id.commercial_partner_id
            if not receivables:  # already settled otherwise: what Amazon paid stays open on the customer
                account = documents.line_ids.filtered(lambda x: x.account_type == "asset_receivable")[:1].account_id
                add_spread(account, amounts, name, partner)
                continue
            if mismatch and mismatch.decision != "write_off":
                # partly settled: a line of its own, so that what stays open is this document's
                add_spread(receivables[:1].account_id, amounts, name, partner, receivables)
                continue
            # fully settled documents of one customer are settled together: one line (per part), one match
            key = (receivables[:1].account_id, partner, refund)
            entry = grouped.setdefault(key, [[0.0] * len(periods), self.env["account.move.line"], []])
            entry[0] = [total + value for total, value in zip(entry[0], amounts, strict=True)]
            entry[1] |= receivables
            entry[2].append(ref)
        for (account, partner, _refund), (amounts, receivables, refs) in grouped.items():
            name = (
                f"{label}: {refs[0]}"
                if len(refs) == 1
                else self.env._(
                    "%(name)s: %(count)s orders of %(partner)s", name=label, count=len(refs), partner=partner.name
                )
            )
            add_spread(account, amounts, name, partner, receivables)
        booked = self.line_ids.filtered(
            lambda x: (
                x.category in ("fee", "tax", "reserve", "income", "loan", "other")
                or (x.category in ORDER_CATEGORIES and not x.order_ref)
            )
        )
        accounts = Mapping._accounts_for(company, booked)
        payout_fees = self._amazon_fees(accounts)
        bills = [self.env["account.move"]] * len(periods)
        for index, (period, part) in enumerate(by_period):
            fees = self._amazon_fees(accounts, lines=part) if len(periods) > 1 else payout_fees
            for key, fee in fees.items():
                if fee["tax"] is None:
                    # Amazon's VAT the mapping does not give: written off (decided); or on a part of
                    # the fee only (its rounding), the tax found for the whole fee
                    mismatch = decisions.get(("fee_tax", "", False, fee["label"]))
                    if mismatch:
                        fee.update(tax=self.env["account.tax"], write_off=mismatch.write_off_account_id)
                    else:
                        fee["tax"] = payout_fees[key]["tax"]
            bill = self._amazon_fee_bill(fees, period["date"]) if fees else self.env["account.move"]
            bills[index] = bill
            if bill:
                payable = bill.line_ids.filtered(lambda x: x.account_id.account_type == "liability_payable")
                sign = -1 if bill.move_type == "in_invoice" else 1
                add(
                    payable[:1].account_id,
                    sign * bill.amount_total,
                    self.env._("%(name)s: Amazon fees", name=label),
                    bill.partner_id,
                    payable,
                    index,
                )
        names = dict(CATEGORIES)
        by_account = defaultdict(float)
        for line in booked.filtered(lambda x: x.category != "fee"):
            account = accounts[line.id]
            if line.category == "tax" and line.order_ref:
                refund = (line.transaction_type or "").lower() in REFUND_TRANSACTIONS
                account = written_off.get((line.order_ref, refund), account)
            elif line.category in ORDER_CATEGORIES:  # an order amount without an order: as decided
                mismatch = decisions.get(("no_order", "", False, line._amazon_label()))
                if mismatch and mismatch.decision == "write_off":
                    account = mismatch.write_off_account_id
            by_account[(part_of[line.id], account, line.category)] += line.amount
        for (index, account, category), amount in by_account.items():
            add(account, amount, f"{label}: {names[category]}", part=index)
        self._amazon_unmapped()  # maps again what a mapping added since gives
        unmapped = defaultdict(float)
        for line in self.line_ids.filtered(lambda x: x.category == "unknown"):
            unmapped[part_of[line.id], line._amazon_label()] += line.amount
        for (index, amount_type), amount in unmapped.items():
            mismatch = decisions[("unmapped", "", False, amount_type)]
            add(mismatch.write_off_account_id, amount, f"{label}: {amount_type}", part=index)
        unbalanced = decisions.get(("unbalanced", "", False, ""))
        if unbalanced:
            add(unbalanced.write_off_account_id, unbalanced.difference, self.env._("%(name)s: difference", name=label))
        moves = self._amazon_book_parts(journal, periods, lines)
        plan = {}  # lines reconciled together, by what they are matched with
        for move, part_lines in zip(moves, lines, strict=True):
            for (_values, counterpart), move_line in zip(part_lines, move.line_ids.sorted("id"), strict=False):
                if counterpart:
                    key = tuple(sorted(counterpart.ids))
                    plan[key] = plan.get(key, counterpart) | move_line
        notes = []  # Odoo's "Invoice X paid" on each order, logged in one batch
        self.env["account.move.line"].with_context(amazon_collect_notes=notes)._reconcile_plan(list(plan.values()))
        self.env["sale.order"]._amazon_log_collected(notes)
        entries = self.env["account.move"].union(*moves)
        all_bills = self.env["account.move"].union(*bills)
        self.write(
            {
                "state": "registered",
                "journal_id": journal.id,
                "fee_bill_id": all_bills[-1:].id,
                "move_ids": [fields.Command.link(move.id) for move in entries | all_bills],
            }
        )
        if len(periods) == 1:
            body = self.env._("Registered in %(journal)s: %(entry)s.", journal=journal.display_name, entry=entries.name)
        else:
            parts = [
                self.env._(
                    "%(date)s: %(moves)s",
                    date=format_date(self.env, (move or bill).date),
                    moves=", ".join((move | bill).mapped("name")),
                )
                for move, bill in zip(moves, bills, strict=True)
                if move or bill
            ]
            body = self.env._(
                "Registered in %(journal)s in %(count)s parts, split at month end: %(parts)s.",
                journal=journal.display_name,
                count=len(parts),
                parts="; ".join(parts),
            )
        self.message_post(body=body)

    def _amazon_book_parts(self, journal, periods, lines):
        """The payout's entries, one per part (:meth:`_amazon_create_entry`): each part but the
        last leaves what it brought so far on the Amazon Payments account, the next one takes it
        back; those carry lines are matched together, so only the deposit stays open there. A part
        without lines has no entry (what it carries goes on).

        :param lines: per part, a list of (line values, counterpart); the carry lines are added
            to it (without counterpart)
        :returns: list of account.move per part (maybe empty)
        """
        currency = self.currency_id
        deposit_account = journal.default_account_id
        label = self.display_name
        moves = []
        carried = None  # (amount, index of the part that carries it) brought from a part before
        pairs = []  # (part carrying, part taking back)
        carry_lines = {}  # part -> position of its carry line among its entry's lines
        for index, (period, part_lines) in enumerate(zip(periods, lines, strict=True)):
            last = index == len(periods) - 1
            if not part_lines and not last:
                moves.append(self.env["account.move"])
                continue
            if carried:
                when = format_date(self.env, periods[carried[1]]["date"])
                take_back = {
                    "account_id": deposit_account.id,
                    "name": self.env._("%(name)s: carried from %(date)s", name=label, date=when),
                    "amount_currency": -carried[0],
                }
                part_lines.insert(0, (take_back, None))
                pairs.append((carried[1], index))
                carried = None
            values = [v for v, _c in part_lines]
            if last:
                closing = {
                    "account_id": deposit_account.id,
                    "name": self.env._("%(name)s: deposit", name=label),
                    "amount_currency": self.total_amount,
                }
            else:
                amount = currency.round(-sum(v["amount_currency"] for v in values))
                closing = None
                if not currency.is_zero(amount):
                    closing = {
                        "account_id": deposit_account.id,
                        "name": self.env._("%(name)s: carried to the next part", name=label),
                        "amount_currency": amount,
                    }
                    carried = (amount, index)
                    carry_lines[index] = len(values)
            if closing:
                part_lines.append((closing, None))
                values.append(closing)
            moves.append(self._amazon_create_entry(journal, period["date"], values))
        # by position: a conversion's rounding line may follow the carry line
        plan = [
            moves[giver].line_ids.sorted("id")[carry_lines[giver]] | moves[taker].line_ids.sorted("id")[0]
            for giver, taker in pairs
        ]
        if plan:
            self.env["account.move.line"]._reconcile_plan(plan)
        return moves

    def _amazon_create_entry(self, journal, date, values):
        """The payout's entry, posted: its lines in the payout's currency, each converted at
        ``date``'s rate. The last line (the deposit, or what balances a part) is exactly its
        amount converted; the rounding left by converting the other lines one by one goes on a
        line of its own, on the company's exchange gain or loss account (where Odoo books the
        differences of rates), never on the deposit.

        :param values: the lines' values, with ``amount_currency`` in the payout's currency
        :raises UserError: when a rounding is left and the company has no exchange account
        """
        company = self.company_id
        company_currency = company.currency_id
        lines = []
        total = 0.0
        for line in values:
            balance = self.currency_id._convert(line["amount_currency"], company_currency, company, date)
            total += balance
            lines.append(fields.Command.create(dict(line, currency_id=self.currency_id.id, balance=balance)))
        rounding = company_currency.round(-total)
        if not company_currency.is_zero(rounding):
            account = self.env["account.move.line"]._get_exchange_account(company, rounding)
            if not account:
                raise UserError(
                    self.env._(
                        "%(payout)s: set the company's exchange gain and loss accounts (Accounting settings, "
                        "Default Accounts): they take the rounding of the payout's conversion.",
                        payout=self.display_name,
                    )
                )
            lines.append(
                fields.Command.create(
                    {
                        "account_id": account.id,
                        "name": self.env._("%(name)s: rounding of the conversion", name=self.display_name),
                        "currency_id": self.currency_id.id,
                        "amount_currency": 0.0,
                        "balance": rounding,
                    }
                )
            )
        move = (
            self.env["account.move"]
            .sudo()
            .create(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "date": date,
                    "ref": self.display_name,
                    "currency_id": self.currency_id.id,
                    "line_ids": lines,
                }
            )
        )
        move.action_post()
        return move

    def _amazon_fee_bill(self, fees, date):
        """Amazon's vendor bill of the payout's fees: one line per fee type, posted (a
        refund when Amazon gave back more than it charged). The bill's total is what the
        settlement deducted, to the cent (Amazon's fees include their VAT); where the
        settlement shows Amazon's VAT, the bill carries exactly that VAT.

        :param fees: as :meth:`_amazon_fees` gives them; a fee with ``write_off`` (an account)
            books Amazon's VAT there, untaxed (a person decided it)
        """
        company = self.company_id
        currency = self.currency_id
        Mapping = self.env["amazon.payout.mapping"]
        total = sum(fee["amount"] for fee in fees.values())
        if currency.is_zero(total):
            return self.env["account.move"]
        sign = 1 if total < 0 else -1  # fees Amazon charged are negative amounts of the settlement
        lines = []
        for (amount_type, description, account), fee in sorted(fees.items(), key=lambda item: item[0][:2]):
            if currency.is_zero(fee["amount"]):
                continue
            name = f"{description} ({amount_type})" if description else amount_type
            gross, vat = fee["gross"] * sign, fee["vat"] * sign
            tax = Mapping._amazon_price_included(fee["tax"])
            values = {"name": name, "account_id": account.id, "quantity": 1, "price_unit": float(gross)}
            if fee.get("write_off") and vat:
                lines.append(fields.Command.create(dict(values, price_unit=float(gross - vat))))
                values.update(
                    name=self.env._("%(fee)s: VAT charged by Amazon", fee=name),
                    account_id=fee["write_off"].id,
                    price_unit=float(vat),
                )
            elif vat and tax and all(r.factor_percent >= 0 for r in tax.invoice_repartition_line_ids):
                # Amazon's VAT to the cent, not the rate's rounding of the gross
                values["extra_tax_data"] = {
                    "currency_id": currency.id,
                    "price_unit": float(gross),
                    "discount": 0.0,
                    "quantity": 1.0,
                    "manual_total_excluded_currency": float(gross - vat),
                    "manual_tax_amounts": {
                        str(tax.id): {"base_amount_currency": float(gross - vat), "tax_amount_currency": float(vat)}
                    },
                }
            values["tax_ids"] = [fields.Command.set(tax.ids if not fee.get("write_off") else [])]
            lines.append(fields.Command.create(values))
        bill = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "move_type": "in_invoice" if sign > 0 else "in_refund",
                    "partner_id": Mapping._amazon_fee_vendor(company, self.marketplace_id, date).id,
                    "company_id": company.id,
                    "currency_id": self.currency_id.id,
                    "invoice_date": date,
                    "date": date,
                    "ref": self.display_name,
                    "invoice_line_ids": lines,
                }
            )
        )
        bill.action_post()
        return bill
