"""A payout's deposit matched with the bank's statement line (Match Bank Deposit): Amazon
converts the deposit into the bank account's currency at its own rate; the difference goes on
the account's Currency Conversion account and the payout keeps Amazon's rate."""

from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError

from .. import const


class AmazonPayout(models.Model):
    _inherit = "amazon.payout"

    bank_line_id = fields.Many2one(
        "account.bank.statement.line",
        string="Bank Deposit",
        readonly=True,
        copy=False,
        help="The bank statement line of the deposit, matched with the payout's deposit (Match Bank Deposit).",
    )
    bank_currency_id = fields.Many2one("res.currency", readonly=True, copy=False)
    bank_amount = fields.Monetary(
        string="Received in Bank", currency_field="bank_currency_id", readonly=True, copy=False
    )
    amazon_rate = fields.Float(
        string="Amazon's Rate",
        digits=(12, 6),
        readonly=True,
        copy=False,
        help="The rate Amazon converted the deposit at: what the bank received per unit of the payout's currency.",
    )

    def action_match_bank_deposit(self):
        """Match the bank's deposit with the payout's deposit: find the bank statement line
        Amazon's transfer made (not reconciled yet, in a bank journal, dated around the deposit
        date, of the deposit's amount, or about it converted when the bank account is in another
        currency; the one naming the settlement id when several fit), put the deposit in its
        place and reconcile it. When Amazon converted the deposit into the bank's currency, the
        difference with the deposit booked at Odoo's rate goes on the account's Currency
        Conversion account, and the payout keeps Amazon's rate.

        :raises UserError: when no line fits, or more than one (listed), or for users who may
            not reconcile bank statements (accounting managers may)
        """
        self._amazon_check_bank_access()
        for payout in self:
            if payout.state != "registered":
                raise UserError(
                    self.env._("%(payout)s: register it first, then match its deposit.", payout=payout.display_name)
                )
            deposit = payout._amazon_open_deposit_lines()
            if not deposit:
                raise UserError(self.env._("%(payout)s: its deposit is already matched.", payout=payout.display_name))
            payout._amazon_match_bank_line(payout._amazon_bank_deposit_line(), deposit)
        return True

    def action_unmatch_bank_deposit(self):
        """Undo Match Bank Deposit: the bank line is back to its suspense line, unmatched (Odoo's
        undo of a bank reconciliation), and the payout's deposit is open again.

        :raises UserError: for users who may not reconcile bank statements
        """
        self._amazon_check_bank_access()
        for payout in self.filtered("bank_line_id"):
            line = payout.bank_line_id
            line.sudo().action_undo_reconciliation()
            payout.write({"bank_line_id": False, "bank_currency_id": False, "bank_amount": 0.0, "amazon_rate": 0.0})
            payout.message_post(
                body=self.env._("Deposit unmatched from the bank line %(line)s.", line=line.display_name)
            )
        return True

    def _amazon_check_bank_access(self):
        user = self.env.user
        if not self.env.su and not user.has_group("account.group_account_manager"):
            raise UserError(self.env._("Only accounting managers may match Amazon deposits with the bank."))

    def _amazon_open_deposit_lines(self):
        """The payout's deposit: the lines of its entries on the Amazon Payments account not
        matched yet."""
        self.ensure_one()
        account = self.journal_id.default_account_id
        entries = (self.move_ids - self.fee_bill_id).filtered(lambda m: m.state == "posted")
        return entries.line_ids.filtered(lambda x: x.account_id == account and not x.reconciled)

    def _amazon_bank_deposit_line(self):
        """The bank statement line of the payout's deposit (see :meth:`action_match_bank_deposit`).

        :raises UserError: when none fits, or several (listed)
        """
        self.ensure_one()
        company = self.company_id
        amount = self.currency_id.round(sum(self._amazon_open_deposit_lines().mapped("amount_residual_currency")))
        day = self.deposit_date or fields.Date.context_today(self)
        start = day - timedelta(days=const.PAYOUT_BANK_DAYS_BEFORE)
        end = day + timedelta(days=const.PAYOUT_BANK_DAYS_AFTER)
        lines = self.env["account.bank.statement.line"].search(
            [
                ("company_id", "=", company.id),
                ("journal_id.type", "=", "bank"),
                ("journal_id.default_account_id", "!=", self.journal_id.default_account_id.id),
                ("is_reconciled", "=", False),
                ("date", ">=", start),
                ("date", "<=", end),
            ],
            order="date, id",
        )
        tolerance = const.PAYOUT_CONVERSION_TOLERANCE
        candidates = lines.browse()
        for line in lines:
            if line.foreign_currency_id == self.currency_id:
                fits = self.currency_id.is_zero(line.amount_currency - amount)
            elif line.currency_id == self.currency_id:
                fits = self.currency_id.is_zero(line.amount - amount)
            else:
                expected = self.currency_id._convert(amount, line.currency_id, company, day)
                fits = line.amount * expected > 0 and abs(line.amount - expected) <= tolerance * abs(expected)
            if fits:
                candidates |= line
        named = candidates.filtered(
            lambda x: self.settlement_ref in " ".join(filter(None, (x.payment_ref, x.ref, x.partner_name)))
        )
        candidates = named or candidates
        if len(candidates) == 1:
            return candidates
        what = self.env._(
            "%(amount)s %(currency)s from %(start)s to %(end)s",
            amount=amount,
            currency=self.currency_id.name,
            start=start,
            end=end,
        )
        if not candidates:
            raise UserError(
                self.env._(
                    "%(payout)s: No bank statement line of its deposit (%(what)s, or about it in another currency) "
                    "is waiting to be matched in a bank journal. Import the bank statement first, or match it by "
                    "hand.",
                    payout=self.display_name,
                    what=what,
                )
            )
        raise UserError(
            self.env._(
                "%(payout)s: %(count)s bank statement lines could be its deposit (%(what)s):\n%(lines)s\n"
                "Put the settlement id %(ref)s in the label of the right one, or match it by hand.",
                payout=self.display_name,
                count=len(candidates),
                what=what,
                ref=self.settlement_ref,
                lines="\n".join(
                    f"{line.date} {line.journal_id.name}: {line.amount:.{line.currency_id.decimal_places}f} "
                    f"{line.currency_id.name} {line.payment_ref or ''}"
                    for line in candidates
                ),
            )
        )

    def _amazon_match_bank_line(self, bank_line, deposit):
        """Reconcile ``bank_line`` with the payout's ``deposit`` lines: the bank line's entry
        takes the deposit (in the payout's currency, at its booked value) in place of its
        suspense line; what the bank received differs from that value when Amazon converted
        the deposit into the bank's currency, and the difference goes on the Currency
        Conversion account (with Amazon's reconciliation model). In the payout's own currency,
        Odoo's exchange difference entry takes a change of rate, as for any payment.
        """
        self.ensure_one()
        _liquidity, suspense, others = bank_line._seek_for_lines()
        if len(suspense) != 1 or others:
            raise UserError(
                self.env._(
                    "%(payout)s: the bank line %(line)s is partly matched already; match it by hand.",
                    payout=self.display_name,
                    line=bank_line.display_name,
                )
            )
        company_currency = self.company_id.currency_id
        amount_currency = sum(deposit.mapped("amount_residual_currency"))
        balance = sum(deposit.mapped("amount_residual"))
        label = self.env._("%(name)s: deposit", name=self.display_name)
        converted = bank_line.currency_id != self.currency_id and bank_line.foreign_currency_id != self.currency_id
        if not converted:
            balance = -suspense.balance  # a change of rate: Odoo's exchange difference entry
        commands = [
            fields.Command.delete(suspense.id),
            fields.Command.create(
                {
                    "account_id": deposit[:1].account_id.id,
                    "partner_id": bank_line.partner_id.id,
                    "name": label,
                    "currency_id": self.currency_id.id,
                    "amount_currency": -amount_currency,
                    "balance": -balance,
                }
            ),
        ]
        difference = company_currency.round(-suspense.balance - balance)
        if converted and not company_currency.is_zero(difference):
            account = self.account_id._amazon_conversion_account()
            commands.append(
                fields.Command.create(
                    {
                        "account_id": account.id,
                        "partner_id": bank_line.partner_id.id,
                        "name": self.env._("%(name)s: Amazon's currency conversion", name=self.display_name),
                        "currency_id": company_currency.id,
                        "amount_currency": -difference,
                        "balance": -difference,
                        "reconcile_model_id": self.account_id._amazon_conversion_reconcile_model(account).id,
                    }
                )
            )
        before = bank_line.move_id.line_ids
        # as Odoo's bank reconciliation does it (accounting managers of Community may not write
        # statement lines themselves: checked by the action)
        move = bank_line.move_id.sudo()
        move.with_context(force_delete=True, skip_readonly_check=True).write({"line_ids": commands})
        counterpart = (move.line_ids - before).filtered(lambda x: x.account_id == deposit[:1].account_id)
        (counterpart | deposit.sudo()).reconcile()
        rate = abs(bank_line.amount / amount_currency) if converted and amount_currency else 1.0
        self.write(
            {
                "bank_line_id": bank_line.id,
                "bank_currency_id": bank_line.currency_id.id,
                "bank_amount": bank_line.amount,
                "amazon_rate": rate,
            }
        )
        self.message_post(
            body=self.env._(
                "Deposit matched with the bank line %(line)s (%(amount)s %(currency)s, Amazon's rate %(rate)s).",
                line=bank_line.display_name,
                amount=bank_line.amount,
                currency=bank_line.currency_id.name,
                rate=f"{rate:.6f}",
            )
        )
