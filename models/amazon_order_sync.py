"""Orders flow: import the orders whose Amazon status changed (searchOrders windows)."""

import hashlib
import logging
import time
from collections import Counter
from datetime import timedelta

from odoo import api, fields, models

from .. import const
from ..exceptions import AmazonRecordError
from ..spapi import AmazonConfigurationError, AmazonError, AmazonPermanentError, SpApiSession
from .amazon_import_cache import ImportCache
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
# A failed order getOrder does not find (404) is no longer fetched by every run after this many
# attempts over this long (see AmazonOrderSync._gone).
GONE_AFTER_ATTEMPTS = 5
GONE_AFTER = timedelta(days=2)
# Orders committed together, with the window's state: a batch closes after this many orders
# or once its first order is this many seconds old, whichever comes first. A crash loses (and
# the next run imports again, from the saved pending references) at most one batch. A commit
# empties Odoo's caches (the next order reads its company, taxes, routes... again, ~30 queries):
# one second keeps that under one query per order, while the rows a batch locks that others may
# wait for (the FBM offers of its products, marked to send) stay locked about that long, plus
# the last order's import.
BATCH_ORDERS = 50
BATCH_SECONDS = 1.0


class Batch:
    """The orders imported since the last commit, and the window's state to commit with them.

    Each order is imported in its own savepoint (a failing order never takes its neighbours
    with it); the batch commits them together with ``sync_pending_refs`` (the orders of the
    page still to import), so that a run stopped anywhere goes on where the last commit was.
    """

    def __init__(self, flow, account, run):
        self.flow, self.account, self.run = flow, account, run
        self.pending = None  # the pending references to save with the batch (None: unchanged)
        self._reset()

    def _reset(self):
        self.count = 0
        self.started = None
        self.stats = Counter(self.run.stats)  # what the run had counted at the last commit
        self.problems = len(self.run.problems)

    def done(self, pending):
        """One more order imported (or failed); ``pending``: the page's references left."""
        self.pending = pending
        self.count += 1
        if self.started is None:
            self.started = time.monotonic()
        if self.count >= BATCH_ORDERS or time.monotonic() - self.started >= BATCH_SECONDS:
            self.commit()

    def save(self):
        """Write the window's state (committed with the batch, by whoever commits next)."""
        if self.pending is not None:
            self.account.sync_pending_refs = self.pending or False
            self.pending = None

    def commit(self):
        self.save()
        self.flow._commit_progress(self.count)
        self._reset()

    def undo(self):
        """The transaction is rolled back: the run no longer counts the batch's orders."""
        self.run.stats.clear()
        self.run.stats.update(self.stats)
        del self.run.problems[self.problems :]


class AmazonOrderSync(models.AbstractModel):
    """One run imports the account's window in progress, or a new one from *Last Order
    Sync* to two minutes ago, page by page, then retries earlier failures.

    State on the account: ``sync_window_before`` (the window's fixed end),
    ``sync_next_token`` (the next page) and ``sync_pending_refs`` (orders of the page in
    hand not imported yet). It is committed with every batch of orders (:class:`Batch`), so
    a run stopped anywhere (time budget, quota, crash) goes on where the last batch ended;
    ``last_orders_sync`` moves only when the whole window is in.

    What does not change within a run is looked up once per run, what a page needs once
    per page (:class:`~.amazon_import_cache.ImportCache`).
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
        batch, cache = Batch(self, account, run), ImportCache()
        try:
            if self._import_window(account, session, run, batch, cache):
                self._retry_failures(account, session, run, batch, cache)
            batch.commit()
        except AmazonError:  # the engine records it and commits what is done
            batch.save()
            raise
        except Exception:  # the engine rolls the batch back
            batch.undo()
            raise
        unmapped = self.env["amazon.offer"]._amazon_report_unmapped(account)
        if unmapped:
            run.stats["new unmapped SKUs"] += len(unmapped)
            self._commit_progress()

    @api.model
    def _import_window(self, account, session, run, batch, cache):
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
            if not self._import_pending(account, session, run, batch, cache):
                return False
            token = account.sync_next_token or None
            if token == LAST_PAGE:
                batch.commit()
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
            refs = [order_ref_of(amazon_order) for amazon_order in orders]
            batch.pending = None
            account.write(
                {
                    "sync_next_token": page["next_token"] or LAST_PAGE,
                    "sync_pending_refs": [ref for ref in refs if ref] or False,
                }
            )
            batch.commit()  # the previous page's last batch, with the new page's state
            self.env["sale.order"]._amazon_prefetch_page(account, orders, cache)
            for index, amazon_order in enumerate(orders):
                if self._out_of_time(session):
                    run.more = True
                    return False
                started = time.monotonic()
                self._import_one(account, amazon_order, run, cache)
                self._observe_order_time(account, time.monotonic() - started)
                batch.done([ref for ref in refs[index + 1 :] if ref])
            batch.save()  # the page is in: nothing pending

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
    def _import_pending(self, account, session, run, batch, cache):
        """Orders of an interrupted page, fetched one by one (getOrder's quota is ample).

        :returns: False when the run stopped before they were all in
        """
        pending = list(account.sync_pending_refs or [])
        if pending:
            cache.new_page()
            cache.page.update(
                (("order", account.id, ref), order)
                for ref, order in self.env["sale.order"]._amazon_find_orders(account, pending).items()
            )
        while pending:
            if self._out_of_time(session):
                run.more = True
                return False
            ref = pending.pop(0)
            batch.pending = [ref, *pending]  # saved as it is if Amazon stops the run on this one
            if ref not in run.seen:
                self._fetch_and_import(account, session, ref, run, cache)
            batch.done(list(pending))
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
    def _retry_failures(self, account, session, run, batch, cache):
        """Orders that failed in earlier runs, fetched again with getOrder."""
        failures = account.order_failure_ids.filtered("retryable").sorted("last_attempt")[:RETRIES_PER_RUN]
        refs = [failure.order_ref for failure in failures if failure.order_ref not in run.seen]
        if refs:
            cache.new_page()
        for ref in refs:
            if self._out_of_time(session):
                return  # the rest waits for the next scheduled run: no run is chained for retries
            self._fetch_and_import(account, session, ref, run, cache)
            run.stats["retried"] += 1
            batch.done(None)

    @api.model
    def _fetch_and_import(self, account, session, ref, run, cache=None):
        try:
            amazon_order = session.get_order(ref)
        except AmazonPermanentError as exc:  # unknown order, refused: recorded, the run goes on
            run.seen.add(ref)
            self._record_failure(account, ref, safe_reason(exc), run, retryable=not self._gone(account, ref, exc))
            return "failed"
        return self._import_one(account, amazon_order, run, cache)

    @api.model
    def _gone(self, account, ref, exc):
        """True when getOrder has not found the failed order ``ref`` (404) for long enough to
        stop fetching it by every run: ``GONE_AFTER_ATTEMPTS`` attempts over ``GONE_AFTER``
        (Amazon keeps orders two years; a single 404 is not trusted, Amazon has answered one for
        orders it had). It stays listed; Recover Order fetches it by hand."""
        if exc.status != 404:
            return False
        failure = account.order_failure_ids.filtered(lambda f: f.order_ref == ref)
        return bool(
            failure
            and failure.attempts + 1 >= GONE_AFTER_ATTEMPTS
            and failure.first_failure <= fields.Datetime.now() - GONE_AFTER
        )

    # ------------------------------------------------------------------ one order

    @api.model
    def _import_one(self, account, amazon_order, run, cache=None):
        """Create, cancel or update the sale order of one Amazon order, in its own
        savepoint. Whatever the order's shape, it either imports or becomes one failure
        row with a short reason carrying no personal data.

        :param cache: the run's :class:`~.amazon_import_cache.ImportCache`, if any
        :returns: the outcome (``created``, ``canceled``, ``unchanged``, ``failed``...)
        """
        ref = order_ref_of(amazon_order)
        key = ref or invalid_ref_of(amazon_order)
        run.seen.add(key)
        mark = cache.mark() if cache is not None else None
        try:
            with quiet_sql_errors(), self.env.cr.savepoint():
                if not ref:
                    raise AmazonRecordError(self.env._("Amazon sent an order without a usable orderId."))
                outcome = self.env["sale.order"]._amazon_import(account, amazon_order, cache)
        except Exception as exc:
            if cache is not None:
                cache.forget_since(mark)  # what it created was rolled back with it
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
        if cache is not None:
            cache.keep()
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
