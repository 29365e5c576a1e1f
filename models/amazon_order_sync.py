"""Orders flow: import the orders whose Amazon status changed (searchOrders windows)."""

import hashlib
import logging
import time

from odoo import api, models

from .. import const
from ..exceptions import AmazonRecordError
from ..spapi import AmazonConfigurationError, AmazonPermanentError, SpApiSession
from .amazon_sync_flow import MIN_TIME_TO_START, is_concurrency_error, quiet_sql_errors, safe_reason

_logger = logging.getLogger(__name__)

# sync_next_token once the window's last page is in hand.
LAST_PAGE = "-"
# Page size for a new window (see _page_size): what an order takes to import, as measured in
# this process (seconds, moving average per account), and the bounds.
_SECONDS_PER_ORDER = {}
DEFAULT_SECONDS_PER_ORDER = 0.15
PAGE_MARGIN_SECONDS = 1.0
MIN_PAGE_SIZE = 10
# Failed orders fetched again (getOrder) per run, oldest attempt first.
RETRIES_PER_RUN = 20


class AmazonOrderSync(models.AbstractModel):
    """One run imports the account's window in progress, or a new one from *Last Order
    Sync* to two minutes ago, page by page, then retries earlier failures.

    State on the account: ``sync_window_before`` (the window's fixed end),
    ``sync_next_token`` (the next page) and ``sync_pending_refs`` (orders of the page in
    hand not imported yet). It is committed with every order, so a run stopped anywhere
    (time budget, quota, crash) goes on where it stopped; ``last_orders_sync`` moves only
    when the whole window is in.
    """

    _name = "amazon.order.sync"
    _inherit = "amazon.sync.flow"
    _description = "Amazon Orders Flow"

    _flow = "orders"
    _cron_xmlid = "amazon_sp_connector.ir_cron_sync_orders"
    _problems_template = "amazon_sp_connector.mail_template_order_failures"
    _polls = True

    # ------------------------------------------------------------------ the run

    @api.model
    def _run_account(self, account, session, run):
        if not account.marketplace_ids:
            raise AmazonConfigurationError(self.env._("no synchronized marketplace"))
        if self._import_window(account, session, run):
            self._retry_failures(account, session, run)
        unmapped = self.env["amazon.offer"]._amazon_report_unmapped(account)
        if unmapped:
            run.stats["new unmapped SKUs"] += len(unmapped)
            self._commit_progress()

    @api.model
    def _import_window(self, account, session, run):
        """Import the window in progress (or a new one) page by page.

        :returns: True when the window is complete, False when the run stopped first
            (its state saved for the next run)
        """
        if not account.sync_window_before:
            before = SpApiSession.latest_allowed_before()
            if before <= account.last_orders_sync:
                return True
            account.write(
                {
                    "sync_window_before": before,
                    "sync_next_token": False,
                    "sync_pending_refs": False,
                    "sync_page_size": self._page_size(account, session),
                }
            )
            self._commit_progress()
        window = account.sync_window_before  # fixed for this run, whatever happens to the account meanwhile
        after = account.last_orders_sync
        restarted = False
        while True:
            if not self._import_pending(account, session, run):
                return False
            token = account.sync_next_token or None
            if token == LAST_PAGE:
                return self._close_window(account, window)
            if self._out_of_time(session):
                run.more = True
                return False
            try:
                page = session.search_orders(
                    marketplace_ids=account.marketplace_ids.mapped("api_ref"),
                    last_updated_after=after,
                    last_updated_before=window,
                    fulfillment_statuses=const.IMPORTED_STATUSES,
                    pagination_token=token,
                    page_size=account.sync_page_size or const.SEARCH_ORDERS_PAGE_SIZE,
                )
            except AmazonPermanentError as exc:
                if not token or restarted or exc.status != 400:
                    raise
                # Amazon's pagination tokens expire: start the window over (known orders are skipped).
                _logger.info("Amazon account %s: pagination token refused (%s), window restarted", account.id, exc)
                restarted = True
                run.stats["window restarted"] += 1
                account.write({"sync_next_token": False})
                self._commit_progress()
                continue
            run.stats["pages"] += 1
            orders = page["orders"]
            account.write(
                {
                    "sync_next_token": page["next_token"] or LAST_PAGE,
                    "sync_pending_refs": [ref for ref in map(order_ref_of, orders) if ref] or False,
                }
            )
            self._commit_progress()
            for index, amazon_order in enumerate(orders):
                if self._out_of_time(session):
                    run.more = True
                    return False
                started = time.monotonic()
                self._import_one(account, amazon_order, run)
                self._observe_order_time(account, time.monotonic() - started)
                account.sync_pending_refs = [ref for ref in map(order_ref_of, orders[index + 1 :]) if ref] or False
                self._commit_progress(1)

    @api.model
    def _page_size(self, account, session):
        """Orders per searchOrders page for a new window: a whole page must fit in one run
        (a page cut short is finished with one getOrder per order, a slower quota), so a
        short run budget asks for smaller pages. 100 with Odoo's default limits."""
        if session.deadline is None:
            return const.SEARCH_ORDERS_PAGE_SIZE
        # a whole run's budget, not what is left of this one: the size holds for the window
        budget = self.env.context.get("amazon_run_budget") or self._budget()
        work = budget - MIN_TIME_TO_START - PAGE_MARGIN_SECONDS
        per_order = _SECONDS_PER_ORDER.get(account.id, DEFAULT_SECONDS_PER_ORDER)
        return max(MIN_PAGE_SIZE, min(const.SEARCH_ORDERS_PAGE_SIZE, int(work / per_order)))

    @api.model
    def _observe_order_time(self, account, seconds):
        previous = _SECONDS_PER_ORDER.get(account.id, DEFAULT_SECONDS_PER_ORDER)
        _SECONDS_PER_ORDER[account.id] = 0.8 * previous + 0.2 * seconds

    @api.model
    def _import_pending(self, account, session, run):
        """Orders of an interrupted page, fetched one by one (getOrder's quota is ample).

        :returns: False when the run stopped before they were all in
        """
        while account.sync_pending_refs:
            if self._out_of_time(session):
                run.more = True
                return False
            ref, *rest = account.sync_pending_refs
            if ref not in run.seen:
                self._fetch_and_import(account, session, ref, run)
            account.sync_pending_refs = rest or False
            self._commit_progress(1)
        return True

    @api.model
    def _close_window(self, account, window):
        """The window is in: move *Last Order Sync* to its end, unless someone moved the
        cursor meanwhile (a forced resync), in which case their window comes next."""
        account.invalidate_recordset(["sync_window_before", "last_orders_sync"])
        if account.sync_window_before != window:
            return True
        account.write(
            {
                "last_orders_sync": window,
                "sync_window_before": False,
                "sync_next_token": False,
                "sync_pending_refs": False,
            }
        )
        self._commit_progress()
        return True

    @api.model
    def _retry_failures(self, account, session, run):
        """Orders that failed in earlier runs, fetched again with getOrder."""
        failures = account.order_failure_ids.filtered("retryable").sorted("last_attempt")[:RETRIES_PER_RUN]
        for failure in failures:
            if failure.order_ref in run.seen:
                continue
            if self._out_of_time(session):
                run.more = True
                return
            self._fetch_and_import(account, session, failure.order_ref, run)
            run.stats["retried"] += 1
            self._commit_progress(1)

    @api.model
    def _fetch_and_import(self, account, session, ref, run):
        try:
            amazon_order = session.get_order(ref)
        except AmazonPermanentError as exc:  # unknown order, refused: recorded, the run goes on
            run.seen.add(ref)
            self._record_failure(account, ref, safe_reason(exc), run)
            return "failed"
        return self._import_one(account, amazon_order, run)

    # ------------------------------------------------------------------ one order

    @api.model
    def _import_one(self, account, amazon_order, run):
        """Create, cancel or update the sale order of one Amazon order, in its own
        savepoint. Whatever the order's shape, it either imports or becomes one failure
        row with a short reason carrying no personal data.

        :returns: the outcome (``created``, ``canceled``, ``unchanged``, ``failed``...)
        """
        ref = order_ref_of(amazon_order)
        key = ref or invalid_ref_of(amazon_order)
        run.seen.add(key)
        try:
            with quiet_sql_errors(), self.env.cr.savepoint():
                if not ref:
                    raise AmazonRecordError(self.env._("Amazon sent an order without a usable orderId."))
                outcome = self.env["sale.order"]._amazon_import(account, amazon_order)
        except Exception as exc:
            if is_concurrency_error(exc):
                raise  # another transaction: the engine retries the run, nothing is recorded
            reason = safe_reason(exc)
            _logger.warning("Amazon order %s of account %s failed: %s", key, account.id, reason)
            self._record_failure(account, key, reason, run, retryable=bool(ref))
            run.stats["failed"] += 1
            return "failed"
        failure = account.order_failure_ids.filtered(lambda f: f.order_ref == ref)
        if outcome == "ignored" and failure:
            # Failed before, now past the statuses that create an order: keep it visible.
            failure.write(
                {
                    "reason": self.env._(
                        "Shipped on Amazon before it could be imported (now %(status)s): create it by hand.",
                        status=(amazon_order.get("fulfillment") or {}).get("fulfillmentStatus"),
                    ),
                    "retryable": False,
                }
            )
            outcome = "shipped before import"
        elif failure:
            failure.unlink()
        run.stats[outcome] += 1
        return outcome

    @api.model
    def _record_failure(self, account, ref, reason, run, retryable=True):
        if self.env["amazon.order.failure"]._record(account, ref, reason, retryable):
            run.problems.append({"ref": ref, "reason": reason})


def order_ref_of(amazon_order):
    """The order's Amazon reference when it is a usable one, else None."""
    ref = amazon_order.get("orderId") if isinstance(amazon_order, dict) else None
    if isinstance(ref, str):
        ref = ref.strip()
        if 0 < len(ref) <= const.MAX_ORDER_REF_LENGTH and ref.isprintable():
            return ref
    return None


def invalid_ref_of(amazon_order):
    """A short, stable name for an order whose reference is unusable (its failure row)."""
    digest = hashlib.sha1(repr(amazon_order).encode(errors="replace"), usedforsecurity=False).hexdigest()[:12]
    return f"invalid-{digest}"
