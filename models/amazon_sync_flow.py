"""The sync engine: what every Amazon flow's run does, whatever the flow.

A flow (orders, shipments, cancellations, ...) is an abstract model inheriting
``amazon.sync.flow`` in its own file; it says which accounts have work and does one
account's work in :meth:`AmazonSyncFlow._run_account`. The engine gives every account its
turn, holds the per-account lock, bounds the run by a time budget that fits Odoo's cron
limits, turns Amazon's quota into a later trigger instead of a sleep, commits progress,
keeps the flow's status per account and tells the responsible person once per new problem.
"""

import logging
import threading
import time
import traceback
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import psycopg2
from psycopg2 import errorcodes

from odoo import api, fields, models
from odoo.tools import config

# MIN_TIME_PER_JOB: how long Odoo keeps calling a cron job's action again while it reports work left
from odoo.addons.base.models.ir_cron import MIN_TIME_PER_JOB, _intervalTypes

from .. import const
from ..exceptions import AmazonRecordError
from ..spapi import (
    AmazonAuthorizationError,
    AmazonConfigurationError,
    AmazonError,
    AmazonRetryableError,
    AmazonThrottledError,
)

_logger = logging.getLogger(__name__)


# A prefork cron worker sleeps up to 60 + 9 s between polls, and that sleep counts towards
# its limit_time_real: a run must leave it that much.
CRON_IDLE_SECONDS = 70
MIN_BUDGET = 5.0
MAX_BUDGET = 60.0
# A run with less time left than this does not start another account or record.
MIN_TIME_TO_START = 2.0
# A run stopped by a concurrent transaction tries again after this long.
CONCURRENCY_RETRY_SECONDS = 30
MAX_REASON = 300
# An idle account is run again once per interval of its flow's cron, give or take this.
INTERVAL_SLACK_SECONDS = 60

CONCURRENCY_ERRORS = (
    psycopg2.errors.SerializationFailure,
    psycopg2.errors.DeadlockDetected,
    psycopg2.errors.LockNotAvailable,
)


def is_concurrency_error(exc):
    """A database conflict with another transaction: retry later, it is nobody's fault.

    An Amazon order inserted twice at once (a sync and a Recover Order) is one too: the
    second sees the first's order on its next try."""
    if isinstance(exc, psycopg2.errors.UniqueViolation):
        return "amazon_order_ref" in (getattr(exc.diag, "constraint_name", None) or "")
    return isinstance(exc, CONCURRENCY_ERRORS)


def safe_reason(exc):
    """A short text saying why a record failed, fit for failure lists, chatter, mails and
    logs: it never carries the data that caused the error (a buyer's name, street,
    email...). Our own record errors and Amazon's answers are shown as they are; database
    errors by their kind and the constraint or column; anything else by its type and the
    line of code it came from."""
    if isinstance(exc, AmazonRecordError | AmazonError):
        return str(exc.args[0] if isinstance(exc, AmazonRecordError) else exc)[:MAX_REASON]
    if isinstance(exc, psycopg2.Error):
        kind = errorcodes.lookup(exc.pgcode) if exc.pgcode else type(exc).__name__
        diag = getattr(exc, "diag", None)
        where = (diag and (diag.constraint_name or diag.column_name)) or ""
        return f"Database refused the record ({kind}{': ' + where if where else ''})"[:MAX_REASON]
    origin = ""
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    if frames:
        frame = frames[-1]
        origin = f" in {Path(frame.filename).name}:{frame.lineno} ({frame.name})"
    return f"Unexpected {type(exc).__name__}{origin}"[:MAX_REASON]


class _QuietSqlErrors(logging.Filter):
    """Drops Odoo's "bad query" log records (they print the query's parameters: a buyer's
    data) in the threads that asked for it; the caller logs a safe reason instead."""

    local = threading.local()

    def filter(self, record):
        return not getattr(self.local, "active", False)


_QUIET = _QuietSqlErrors()
logging.getLogger("odoo.sql_db").addFilter(_QUIET)


class quiet_sql_errors:
    """Context manager: no "bad query" log record of this thread while it is open."""

    def __enter__(self):
        self.previous = getattr(_QUIET.local, "active", False)
        _QUIET.local.active = True
        return self

    def __exit__(self, *exc):
        _QUIET.local.active = self.previous


@dataclass
class Run:
    """What one run of a flow on one account did."""

    stats: Counter = field(default_factory=Counter)
    more: bool = False  # work is left; the next run goes on from the saved state
    retry_at: datetime | None = None  # Amazon's quota (or a concurrent run) lets the next run go on then
    wake_at: datetime | None = None  # Amazon is processing something sent: look at it again then
    error: Exception | None = None  # the run stopped on this error
    locked: bool = False  # another run of this flow held the account: nothing was done
    problems: list = field(default_factory=list)  # new problems of records, for the flow's mail
    seen: set = field(default_factory=set)  # what this run already handled (flow-specific keys)


class AmazonSyncFlow(models.AbstractModel):
    _name = "amazon.sync.flow"
    _description = "Amazon Synchronization Flow"

    _flow = None  # key in amazon_sync_status.FLOWS
    _cron_xmlid = None  # the flow's scheduled action
    _problems_template = None  # mail.template listing a run's new problems
    # True for flows that ask Amazon what is new (orders): an account is polled once per cron
    # interval. False for flows with work queued in Odoo (shipments...): run whenever there is work.
    _polls = False
    _feed_type = None  # flows that send feeds (cancellations, stock): the type they send and read back

    # ------------------------------------------------------------------ entry points

    @api.model
    def _cron_run(self):
        """The flow's scheduled action: every active account with work takes its turn,
        the one that waited longest first, within a time budget that fits the cron limits.

        Work left when the budget is spent is reported as remaining and the cron is
        triggered again at once; an account waiting for Amazon's quota is skipped and the
        cron is triggered when the quota refills. Never sleeps on a quota, never raises.
        """
        deadline = self._deadline()
        cron = self.env.ref(self._cron_xmlid).sudo()
        if self._feed_type:
            self.env["amazon.feed"].sudo()._drop_old_documents(self._feed_type)
        # an account waiting for Connect with Amazon has nothing to sync yet
        accounts = self.env["amazon.account"].search([]).filtered("connected")
        statuses = self.env["amazon.sync.status"]._of(accounts, self._flow)
        self._commit_progress()
        now = fields.Datetime.now()
        waiting = [s.next_attempt for s in statuses.values() if s.next_attempt and s.next_attempt > now]
        due = self._with_work(accounts.filtered(lambda a: self._is_due(statuses[a.id], cron, now)))
        # work left over first (it was promised a next run), then whoever waited longest
        due = due.sorted(
            lambda a: (statuses[a.id].state not in ("more", "waiting"), statuses[a.id].last_run or datetime.min, a.id)
        )
        remaining = len(due)
        processed = 0
        for account in due:
            if self._time_left(deadline) < MIN_TIME_TO_START:
                break
            run = self._run(account, deadline)
            remaining -= 1
            processed += 1
            if run.retry_at:
                waiting.append(run.retry_at)
            elif run.more:
                remaining += 1
            if run.wake_at:
                waiting.append(run.wake_at)
        if waiting:
            self._trigger_once(cron, min(waiting))
        if remaining:
            cron._trigger()  # wakes a cron worker at once instead of at its next poll
        self._commit_progress(processed, remaining=remaining)

    @api.model
    def _is_due(self, status, cron, now):
        """Whether the cron runs this account now: work left over from its last run (once
        Amazon's quota allows), else, for a polling flow, once per interval of the scheduled
        action, for the others whenever they have work. A trigger
        meant for one account's backlog does not make the others spend Amazon's quota,
        which accounts of one seller share."""
        if status.next_attempt and status.next_attempt > now:
            return False
        if not self._polls or status.state in ("more", "waiting") or not status.last_run:
            return True
        interval = _intervalTypes[cron.interval_type](cron.interval_number)
        return status.last_run + interval - timedelta(seconds=INTERVAL_SLACK_SECONDS) <= now

    @api.model
    def _run_now(self, account, budget=None):
        """Run the flow on one account now (its button), within the same time budget.

        :param budget: seconds, instead of :meth:`_budget`
        :returns: the :class:`Run`
        """
        budget = budget or self._budget()
        run = self.with_context(amazon_run_budget=budget)._run(account, time.monotonic() + budget)
        cron = self.env.ref(self._cron_xmlid).sudo()
        if run.more or run.retry_at:
            self._trigger_once(cron, run.retry_at or fields.Datetime.now())
        if run.wake_at:
            self._trigger_once(cron, run.wake_at)
        return run

    # ------------------------------------------------------------------ hooks of a flow

    @api.model
    def _with_work(self, accounts):
        """The accounts among ``accounts`` this flow has something to do for."""
        return accounts

    @api.model
    def _run_account(self, account, session, run):
        """Do this flow's work for ``account`` through ``session`` (an SpApiSession whose
        ``deadline`` bounds the run), filling ``run``. Progress is committed with
        :meth:`_commit_progress`; :meth:`_out_of_time` tells when to stop, leaving
        ``run.more`` set. Amazon errors that stop the whole run propagate."""
        raise NotImplementedError

    @api.model
    def _summary(self, run):
        """One line saying what the run did."""
        counted = {key: value for key, value in run.stats.items() if value and not key.startswith("_")}
        labels = self._outcome_labels()
        summary = ", ".join(
            f"{value} {labels.get(key) or key.replace('_', ' ')}" for key, value in sorted(counted.items())
        )
        summary = summary or self.env._("nothing new")
        if run.retry_at:
            summary += ", " + self.env._("waiting for Amazon's quota, goes on by itself")
        elif run.more:
            summary += ", " + self.env._("more to do, goes on by itself")
        elif run.wake_at and self._feed_type:
            summary += ", " + self.env._("Amazon is processing a feed, its result is read by itself")
        return summary

    # ------------------------------------------------------------------ feeds (flows that send them)

    @api.model
    def _feeds_domain(self, accounts):
        """The flow's feeds whose result was not applied yet."""
        return [("account_id", "in", accounts.ids), ("done", "=", False), ("feed_type", "=", self._feed_type)]

    @api.model
    def _poll_feed(self, feed, session, run):
        """Read a feed's result with the flow's :meth:`_apply_feed`, in its own savepoint: a
        result that cannot be read or applied fails the feed's records
        (:meth:`_feed_unreadable`), never the run, and never blocks later feeds or what the
        run sends next. Amazon failing to answer about this feed (5xx, network) leaves it for
        the next run; a feed still not done ``FEED_GIVE_UP_HOURS`` after it was sent is given
        up (:meth:`_feed_abandoned`). Amazon's quota, refused credentials and concurrent
        updates stop the run: the account's status says why, the feed is read later."""
        try:
            with quiet_sql_errors(), self.env.cr.savepoint():
                if feed.error:  # Amazon's failure of an earlier poll
                    feed.error = False
                self._apply_feed(feed, session, run)
        except (AmazonThrottledError, AmazonAuthorizationError, AmazonConfigurationError):
            raise
        except AmazonRetryableError as exc:
            _logger.info("Amazon feed %s: not read: %s", feed.feed_ref, safe_reason(exc))
            feed.error = self.env._(
                "Amazon did not answer about this feed: %(why)s. It is asked again by the next run.",
                why=safe_reason(exc),
            )
            run.stats["feeds_not_read"] += 1
        except Exception as exc:
            if is_concurrency_error(exc):
                raise
            reason = self.env._("Amazon's result could not be read: %(why)s", why=safe_reason(exc))
            _logger.info("Amazon feed %s: %s", feed.feed_ref, reason)
            self._feed_unreadable(feed, reason, run)
            feed.write({"done": True, "error": reason})
        if not feed.done and feed.create_date + timedelta(hours=const.FEED_GIVE_UP_HOURS) <= fields.Datetime.now():
            reason = self.env._(
                "Amazon did not finish this feed within %(hours)s hours (last status: %(status)s): given up.",
                hours=const.FEED_GIVE_UP_HOURS,
                status=feed.processing_status or "-",
            )
            _logger.info("Amazon feed %s: %s", feed.feed_ref, reason)
            self._feed_abandoned(feed, reason, run)
            feed.write({"done": True, "error": reason})

    @api.model
    def _apply_feed(self, feed, session, run):
        """Read ``feed``'s processing status (and report, once final) and apply it."""
        raise NotImplementedError

    @api.model
    def _feed_unreadable(self, feed, reason, run):
        """What ``feed``'s records become when its result cannot be read."""
        raise NotImplementedError

    @api.model
    def _feed_abandoned(self, feed, reason, run):
        """What ``feed``'s records become when Amazon did not finish it in time: by
        default, what they become when its result cannot be read."""
        self._feed_unreadable(feed, reason, run)

    # ------------------------------------------------------------------ one account's run

    @api.model
    def _run(self, account, deadline):
        """One run of the flow on ``account``: lock, work, record the outcome, unlock."""
        run = Run()
        if not self._lock(account):
            _logger.info("Amazon account %s: %s already running, skipped", account.id, self._flow)
            run.locked = True
            return run
        savepoint = self.env.cr.savepoint(flush=True) if self._testing() else None
        try:
            try:
                with account._sp_session(deadline=deadline) as session:
                    self._run_account(account, session, run)
            except AmazonThrottledError as exc:  # quota or time budget: not a failure
                run.more = True
                wait = exc.retry_after if exc.retry_after is not None else 60.0
                if wait > MIN_TIME_TO_START:
                    run.retry_at = fields.Datetime.now() + timedelta(seconds=wait)
            except AmazonError as exc:
                run.error = exc
            except Exception as exc:  # noqa: BLE001 - a run never raises into the cron; it is recorded
                self._rollback(savepoint)
                if is_concurrency_error(exc):
                    _logger.info("Amazon account %s: %s met a concurrent update, retried", account.id, self._flow)
                    run.more = True
                    run.retry_at = fields.Datetime.now() + timedelta(seconds=CONCURRENCY_RETRY_SECONDS)
                else:
                    run.error = exc
                    _logger.error("Amazon account %s: %s stopped: %s", account.id, self._flow, safe_reason(exc))
            self._record(account, run)
        finally:
            if savepoint is not None:
                savepoint.close(rollback=False)
            self._unlock(account)
        return run

    @api.model
    def _record(self, account, run):
        """Write the run's outcome on the flow's status and tell the responsible person
        about what is new: a new error of the flow, the records that failed this run."""
        status = self.env["amazon.sync.status"]._of(account, self._flow)[account.id]
        now = fields.Datetime.now()
        values = {"last_run": now, "summary": self._summary(run)}
        notify_error = False
        if run.error:
            message = self._error_message(account, run.error)
            notify_error = message != status.notified_error
            values.update(
                state="error",
                last_error=message,
                failing_since=status.failing_since or now,
                next_attempt=False,
                notified_error=message,
            )
        else:
            values.update(
                state="waiting" if run.retry_at else "more" if run.more else "ok",
                last_error=False,
                failing_since=False,
                last_success=now,
                next_attempt=run.retry_at or False,
                notified_error=False,
            )
        status.write(values)
        if notify_error:
            # the flow's own note, whoever ran it (an accountant may not post on the account)
            account.sudo().message_post(body=values["last_error"])
            self._send_mail(
                "amazon_sp_connector.mail_template_sync_error",
                account,
                {
                    "flow": self.with_env(account._amazon_salesperson_env())._flow_label(),
                    "error": values["last_error"],
                },
            )
        if run.problems and self._problems_template:
            self._send_mail(self._problems_template, account, {"problems": run.problems})
        self._commit_progress()

    @api.model
    def _outcome_labels(self):
        """The run counters' names in the user's language, as the summary shows them."""
        _ = self.env._
        return {
            "accepted": _("accepted"),
            "already confirmed": _("already confirmed"),
            "canceled": _("canceled"),
            "confirmed": _("confirmed"),
            "created": _("created"),
            "failed": _("failed"),
            "feeds_not_read": _("feed results to read again"),
            "ignored": _("ignored"),
            "imported": _("imported"),
            "kit not complete yet": _("kit not complete yet"),
            "new unmapped SKUs": _("new unmapped SKUs"),
            "no_stock_tracked": _("no stock tracked"),
            "pages": _("pages"),
            "partly_canceled": _("partly canceled"),
            "refused": _("refused"),
            "retried": _("retried"),
            "return_needed": _("return needed"),
            "sent": _("sent"),
            "shipped": _("shipped"),
            "shipped before import": _("shipped before import"),
            "still_refused": _("still refused (unchanged)"),
            "uncertain": _("uncertain"),
            "unchanged": _("unchanged"),
            "updated": _("updated"),
            "window restarted": _("window restarted"),
        }

    @api.model
    def _flow_label(self):
        """The flow's name in the user's language."""
        flow = self.env["amazon.sync.status"]._fields["flow"]
        return dict(flow._description_selection(self.env))[self._flow]

    @api.model
    def _error_message(self, account, exc):
        if isinstance(exc, AmazonError):
            return account._amazon_error_message(exc)
        return self.env._(
            "%(flow)s of Amazon account %(account)s stopped on an unexpected error: %(error)s",
            flow=self._flow_label(),
            account=account.name,
            error=safe_reason(exc),
        )

    @api.model
    def _send_mail(self, template_xmlid, account, values):
        """One mail from an editable template to the account's responsible people.

        :param values: what the template shows, given to it as ``ctx['amazon']``
        """
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        partners = account._amazon_alert_partners()
        if not template or not partners:
            _logger.warning("Amazon account %s: nobody with an email to tell about %s", account.id, self._flow)
            return
        template.sudo().with_context(amazon=values).send_mail(
            account.id, email_values={"recipient_ids": [fields.Command.set(partners.ids)]}
        )

    # ------------------------------------------------------------------ time, locks, commits

    @api.model
    def _budget(self):
        """Seconds one run of a flow may take.

        System parameter ``amazon_sp_connector.sync_time_budget`` when set; otherwise what
        the server's cron limit (``limit_time_real_cron``, else ``limit_time_real``) leaves
        after a cron worker's idle time, halved for the other scheduled actions: 25 s with
        Odoo's default 120 s, 10 s with 90 s, never less than 5 s.
        """
        param = self.env["ir.config_parameter"].sudo().get_param("amazon_sp_connector.sync_time_budget")
        try:
            if param and float(param) > 0:
                return float(param)
        except ValueError:
            _logger.warning("amazon_sp_connector.sync_time_budget is not a number: %r", param)
        limit = config.get("limit_time_real_cron") or 0
        if limit <= 0:
            limit = config.get("limit_time_real") or 0
        if limit <= 0:
            return MAX_BUDGET
        return max(MIN_BUDGET, min(MAX_BUDGET, (limit - CRON_IDLE_SECONDS) / 2))

    @api.model
    def _deadline(self):
        """``time.monotonic()`` by which this run must be done. Inside a cron job, the
        budget counts from the job's start: Odoo calls the action again while it reports
        work left, and all those calls share the job's time."""
        start = time.monotonic()
        end_time = self.env.context.get("cron_end_time")
        if self.env.context.get("cron_id") and end_time:
            start = min(start, end_time - MIN_TIME_PER_JOB)
        return start + self._budget()

    @api.model
    def _time_left(self, deadline):
        return deadline - time.monotonic()

    @api.model
    def _out_of_time(self, session):
        """True when the run should stop here and leave the rest to the next run."""
        return session.deadline is not None and self._time_left(session.deadline) < MIN_TIME_TO_START

    @api.model
    def _trigger_once(self, cron, at):
        """Trigger ``cron`` at ``at`` unless a later trigger already runs it by then.

        Triggers already due do not count: the cron job that runs now is consuming them
        (Odoo deletes them in its own transaction when the job starts).
        """
        now = fields.Datetime.now()
        Trigger = self.env["ir.cron.trigger"].sudo()
        if at <= now or not Trigger.search_count(
            [("cron_id", "=", cron.id), ("call_at", ">", now), ("call_at", "<=", at)], limit=1
        ):
            cron._trigger(at=at)

    @api.model
    def _lock_keys(self, account):
        return (zlib.crc32(f"amazon:{self._flow}".encode()) & 0x7FFFFFFF, account.id)

    @api.model
    def _lock(self, account):
        """Session-level advisory lock of (flow, account): it survives the run's commits, so
        two workers never run one flow of one account at once."""
        self.env.cr.execute("SELECT pg_try_advisory_lock(%s, %s)", self._lock_keys(account))
        return self.env.cr.fetchone()[0]

    @api.model
    def _unlock(self, account):
        """Release the lock, also when the run left the transaction aborted."""
        try:
            self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", self._lock_keys(account))
        except psycopg2.errors.InFailedSqlTransaction:
            self.env.cr.rollback()
            self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", self._lock_keys(account))

    @api.model
    def _testing(self):
        return bool(getattr(threading.current_thread(), "testing", False))

    @api.model
    def _rollback(self, savepoint=None):
        """Undo what was not committed yet (inside tests, back to the run's savepoint)."""
        if savepoint is not None:
            savepoint.rollback()
        elif not self._testing():
            self.env.cr.rollback()

    @api.model
    def _commit_progress(self, processed=0, remaining=None):
        """Commit what is done (not inside tests, whose transaction must stay open) and
        report it to the cron.

        :returns: seconds the cron job has left (infinite outside a cron)
        """
        if self._testing():
            return float("inf")
        return self.env["ir.cron"]._commit_progress(processed, remaining=remaining)


__all__ = ["Run", "is_concurrency_error", "quiet_sql_errors", "safe_reason"]
