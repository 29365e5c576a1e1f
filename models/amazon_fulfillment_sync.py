"""Fulfillment flow (Multi-Channel Fulfillment): send the deliveries Amazon ships from the FBA
stock (createFulfillmentOrder) and follow what Amazon does with them
(listAllFulfillmentOrders from a saved cursor, getFulfillmentOrder, getPackageTrackingDetails)."""

import logging
from datetime import timedelta

from odoo import api, fields, models

from .. import const
from ..exceptions import AmazonRecordError
from ..spapi import AmazonAuthorizationError, AmazonConfigurationError, AmazonPermanentError, AmazonRetryableError
from ..spapi import fulfillment as mcf
from .amazon_sync_flow import is_concurrency_error, quiet_sql_errors, safe_reason

_logger = logging.getLogger(__name__)


class AmazonFulfillmentSync(models.AbstractModel):
    """One run sends the account's ready deliveries, oldest first, each committed as soon as
    Amazon has it (a crash before the commit is settled by Amazon's duplicate answer on the
    next run: never a second Amazon order), then reads the fulfillment orders Amazon changed
    since the saved cursor and applies them to their deliveries, each in its own savepoint."""

    _name = "amazon.fulfillment.sync"
    _inherit = "amazon.sync.flow"
    _description = "Amazon Multi-Channel Fulfillment Flow"

    _flow = "fulfillment"
    _cron_xmlid = "amazon_sp_connector.ir_cron_sync_fulfillment"
    _problems_template = "amazon_sp_connector.mail_template_fulfillment_problems"

    @api.model
    def _pickings(self, accounts, states):
        return (
            self.env["stock.picking"]
            .sudo()
            .search(
                [("amazon_mcf_account_id", "in", accounts.ids), ("amazon_mcf_state", "in", states)],
                order="scheduled_date, id",
            )
        )

    @api.model
    def _with_work(self, accounts):
        accounts = accounts.filtered("mcf_enabled")
        groups = (
            self.env["stock.picking"]
            .sudo()
            ._read_group(
                [("amazon_mcf_account_id", "in", accounts.ids), ("amazon_mcf_state", "in", ("pending", "sent"))],
                ["amazon_mcf_account_id"],
            )
        )
        with_work = {account.id for (account,) in groups}
        return accounts.filtered(lambda a: a.id in with_work)

    @api.model
    def _run_account(self, account, session, run):
        for picking in self._pickings(account, ("pending",)):
            if self._out_of_time(session):
                run.more = True
                return
            if picking._amazon_mcf_ready():
                outcome = self._send_one(picking, session, run)
                run.stats[outcome] += 1
                self._commit_progress(1)  # Amazon has it: settled by its duplicate answer if lost
                if outcome == "already sent":  # Amazon had it: it may have moved on since
                    run.stats[self._apply_one(picking, session, run)] += 1
                    self._commit_progress()
        if self._pickings(account, ("sent",)):
            self._follow(account, session, run)

    @api.model
    def _send_one(self, picking, session, run):
        try:
            with quiet_sql_errors(), self.env.cr.savepoint():
                return picking._amazon_mcf_send(session)
        except (AmazonRetryableError, AmazonAuthorizationError, AmazonConfigurationError):
            raise
        except Exception as exc:
            if is_concurrency_error(exc):
                raise
            if not isinstance(exc, AmazonPermanentError | AmazonRecordError | ValueError):
                _logger.warning("Amazon MCF: delivery %s failed: %s", picking.id, safe_reason(exc))
            reason = safe_reason(exc)
            picking._amazon_mcf_fail(reason)
            run.problems.append({"name": picking.name, "reason": reason})
            return "refused"

    @api.model
    def _follow(self, account, session, run):
        """Read the fulfillment orders Amazon changed since the cursor, page after page (the
        page token is saved: an interrupted run goes on from it)."""
        account = account.sudo()
        started = fields.Datetime.now()
        since = account.mcf_since or started - timedelta(days=const.MCF_FIRST_LOOKBACK_DAYS)
        token = account.mcf_next_token
        while True:
            if self._out_of_time(session):
                run.more = True
                return
            page = mcf.list_orders(session, query_start=since, next_token=token)
            run.stats["_pages"] += 1
            refs = {o["order_id"]: o for o in page["orders"] if o["status"]}
            pickings = (
                self.env["stock.picking"]
                .sudo()
                .search(
                    [
                        ("amazon_mcf_account_id", "=", account.id),
                        ("amazon_mcf_state", "=", "sent"),
                        ("amazon_mcf_ref", "in", list(refs)),
                    ]
                )
            )
            for picking in pickings:
                if refs[picking.amazon_mcf_ref]["status"] == picking.amazon_mcf_status:
                    continue
                run.stats[self._apply_one(picking, session, run)] += 1
                self._commit_progress(1)
            token = page["next_token"]
            account.mcf_next_token = token or False
            if not token:
                account.mcf_since = started - timedelta(seconds=const.MCF_CURSOR_OVERLAP_SECONDS)
                self._commit_progress()
                return
            self._commit_progress()

    @api.model
    def _apply_one(self, picking, session, run):
        try:
            with quiet_sql_errors(), self.env.cr.savepoint():
                order = mcf.get_order(session, picking.amazon_mcf_ref)
                outcome = picking._amazon_mcf_apply(order, session)
        except (AmazonRetryableError, AmazonAuthorizationError, AmazonConfigurationError):
            raise
        except Exception as exc:
            if is_concurrency_error(exc):
                raise
            reason = safe_reason(exc)
            _logger.info("Amazon MCF: delivery %s not updated: %s", picking.id, reason)
            picking._amazon_mcf_fail(reason)
            run.problems.append({"name": picking.name, "reason": reason})
            return "failed"
        if outcome in ("partly shipped", "unfulfillable"):
            run.problems.append({"name": picking.name, "reason": picking.amazon_mcf_error})
        return outcome

    @api.model
    def _outcome_labels(self):
        labels = super()._outcome_labels()
        _ = self.env._
        labels.update(
            {
                "sent": _("sent"),
                "already sent": _("already at Amazon"),
                "skipped": _("skipped (being cancelled)"),
                "partly shipped": _("partly shipped"),
                "unfulfillable": _("unfulfillable"),
            }
        )
        return labels
