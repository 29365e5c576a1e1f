"""Reimbursements flow: Amazon's reimbursements (GET_FBA_REIMBURSEMENTS_DATA). Units
reimbursed as inventory come back into the FBA location; cash reimbursements are recorded
(the ledger already wrote the lost units off, the payout books the money)."""

from odoo import api, fields, models

from .. import const


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
