"""Reimbursements flow: Amazon's reimbursements (GET_FBA_REIMBURSEMENTS_DATA). Units
reimbursed as inventory come back into the FBA location; cash reimbursements are recorded
(the ledger already wrote the lost units off, the payout books the money) and linked with the
settlement line that paid them, whichever of the two is imported first."""

from odoo import api, fields, models

from .. import const
from ..exceptions import AmazonRecordError
from ..spapi.settlement import parse_amount


class AmazonFbaReimbursementSync(models.AbstractModel):
    _name = "amazon.fba.reimbursement.sync"
    _inherit = "amazon.fba.report.flow"
    _description = "Amazon Reimbursements Flow"

    _flow = "fba_reimbursements"
    _cron_xmlid = "amazon_sp_connector.ir_cron_sync_fba_reimbursements"
    _report_type = const.REPORT_REIMBURSEMENTS
    _source = "reimbursement"

    @api.model
    def _prepare_event_values(self, account, row, cache):
        data = row.values
        values = dict(
            self._event_values(account, row),
            state="recorded",
            event_type="inventory" if data["quantity"] else "cash",
        )
        product = self._product(account, data["sku"], cache)
        values["product_id"] = product.id
        values.update(self._cash_values(data, cache))
        if data["order_ref"]:
            order = (
                self.env["sale.order"]
                .sudo()
                .search([("amazon_order_ref", "=", data["order_ref"]), ("amazon_account_id", "=", account.id)], limit=1)
            )
            values["sale_order_id"] = order.id
        if not data["quantity"]:
            return values
        where = self._locations(account, cache)
        source, destination = (where["loss"], where["fba"]) if data["quantity"] > 0 else (where["fba"], where["loss"])
        values["state"] = "applied"
        values["_move"] = self._move_values(
            account,
            product,
            abs(data["quantity"]),
            source,
            destination,
            data["date"] or fields.Datetime.now(),
            origin=self.env._("Amazon reimbursement %(ref)s", ref=data["reference"]),
        )
        return values

    @api.model
    def _cash_values(self, data, cache):
        """The reimbursement's cash (amount-total, in Amazon's local number format) and
        currency (currency-unit), when given.

        :raises AmazonRecordError: the amount is not a number
        """
        try:
            amount = parse_amount(data.get("amount"))
        except ValueError as exc:
            raise AmazonRecordError(self.env._("amount-total: %(reason)s", reason=str(exc))) from None
        code = (data.get("currency") or "").upper()
        currencies = cache.setdefault("currencies", {})
        if code and code not in currencies:
            currencies[code] = (
                self.env["res.currency"].with_context(active_test=False).search([("name", "=", code)], limit=1).id
            )
        return {"amount": float(amount), "currency_id": currencies.get(code) or False}

    @api.model
    def _apply_rows(self, account, report, rows, known, cache, run):
        super()._apply_rows(account, report, rows, known, cache, run)
        Event = self.env["amazon.fba.event"].sudo()
        events = Event.search(
            [
                ("account_id", "=", account.id),
                ("source", "=", self._source),
                ("identity", "in", [row.identity for row in rows]),
                ("payout_pending", "=", True),
            ]
        )
        if not events:
            return
        lines = (
            self.env["amazon.payout.line"]
            .sudo()
            .search(
                [
                    ("amount_type", "in", const.SETTLEMENT_REIMBURSEMENT_TYPES),
                    ("payout_id.amazon_seller_ref", "=", account.seller_id),
                    ("company_id", "=", account.company_id.id),
                    ("sku", "in", list(set(events.mapped("sku")))),
                ]
            )
        )
        run.stats["linked to a payout"] += len(Event._amazon_link_reimbursements(events, lines))
