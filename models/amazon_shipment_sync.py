"""Shipments flow: confirm validated FBM deliveries to Amazon (confirmShipment)."""

import logging

from odoo import api, models

from ..spapi import AmazonAuthorizationError, AmazonConfigurationError, AmazonRetryableError
from .amazon_sync_flow import is_concurrency_error, quiet_sql_errors, safe_reason

_logger = logging.getLogger(__name__)


class AmazonShipmentSync(models.AbstractModel):
    """One run sends the account's deliveries scheduled for Amazon, oldest first, each
    committed as soon as Amazon answered (never sent twice by us; a repeat Amazon already
    has settles as synchronized). Runs after the validation's commit only: the
    validation merely schedules the delivery and triggers this flow's cron."""

    _name = "amazon.shipment.sync"
    _inherit = "amazon.sync.flow"
    _description = "Amazon Shipments Flow"

    _flow = "shipments"
    _cron_xmlid = "amazon_sp_connector.ir_cron_sync_shipments"
    _problems_template = "amazon_sp_connector.mail_template_shipment_refusals"

    @api.model
    def _pending_domain(self, accounts):
        return [("amazon_sync_state", "=", "pending"), ("sale_id.amazon_account_id", "in", accounts.ids)]

    @api.model
    def _with_work(self, accounts):
        groups = self.env["stock.picking"].sudo()._read_group(self._pending_domain(accounts), ["sale_id"])
        with_work = {sale.amazon_account_id.id for (sale,) in groups}
        return accounts.filtered(lambda a: a.id in with_work)

    @api.model
    def _run_account(self, account, session, run):
        pickings = self.env["stock.picking"].sudo().search(self._pending_domain(account), order="date_done, id")
        for picking in pickings:
            if self._out_of_time(session):
                run.more = True
                return
            outcome = self._send_one(picking, session)
            run.stats[outcome] += 1
            if outcome == "refused":
                run.problems.append(
                    {"name": picking.name, "ref": picking.sale_id.amazon_order_ref, "reason": picking.amazon_sync_error}
                )
            self._commit_progress(1)  # Amazon has it: never send it twice

    @api.model
    def _send_one(self, picking, session):
        """Confirm one delivery in its own savepoint.

        :returns: ``confirmed``, ``already confirmed`` or ``refused``
        :raises AmazonRetryableError, AmazonAuthorizationError, AmazonConfigurationError:
            Amazon is out of reach or refuses the account: the delivery stays scheduled
            and the run stops
        """
        try:
            with quiet_sql_errors(), self.env.cr.savepoint():
                return picking._amazon_confirm_shipment(session)
        except (AmazonRetryableError, AmazonAuthorizationError, AmazonConfigurationError):
            raise
        except Exception as exc:
            if is_concurrency_error(exc):
                raise
            reason = safe_reason(exc)
            _logger.info("Amazon shipment of picking %s refused: %s", picking.id, reason)
            picking._amazon_set_sync_error(reason)
            return "refused"
