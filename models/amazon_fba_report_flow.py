"""What the flows of FBA stock have in common: a requested report, read from a saved cursor,
each row applied once.

A run of one account: read again the report it asked for (getReport); once Amazon is done,
download it and apply its rows a chunk at a time, each chunk in one savepoint with its stock
moves created together (a chunk that fails is applied again row by row, so that a poison row
becomes one failure row and the others go on); then ask for the next window (createReport),
which starts where the last applied one ended, less an overlap. It never sleeps while Amazon
prepares a report: the engine wakes the flow up again later.
"""

import logging
from datetime import timedelta
from itertools import islice

from odoo import api, fields, models

from odoo.addons.base.models.ir_cron import _intervalTypes

from .. import const
from ..exceptions import AmazonRecordError
from ..spapi import AmazonDocumentError
from ..spapi.fba import create_report, get_report
from ..spapi.fba_reports import read_report
from ..spapi.settlement import MAX_DOCUMENT_BYTES, open_document
from .amazon_sync_flow import is_concurrency_error, quiet_sql_errors, safe_reason

_logger = logging.getLogger(__name__)

ROWS_PER_CHUNK = 1000


class AmazonFbaReportFlow(models.AbstractModel):
    _name = "amazon.fba.report.flow"
    _inherit = "amazon.sync.flow"
    _description = "Amazon FBA Stock Report Flow"

    _report_type = None  # const.REPORT_*
    _source = None  # amazon.fba.event source

    # ------------------------------------------------------------------ the engine's hooks

    @api.model
    def _with_work(self, accounts):
        """Accounts with a report Amazon is preparing (or ready to apply), or whose last
        request is older than the flow's interval (its scheduled action's)."""
        cron = self.env.ref(self._cron_xmlid).sudo()
        interval = _intervalTypes[cron.interval_type](cron.interval_number) - timedelta(minutes=5)
        Report = self.env["amazon.fba.report"].sudo()
        domain = [("account_id", "in", accounts.ids), ("source", "=", self._source)]
        pending = Report.search([*domain, ("state", "in", ("requested", "done"))]).account_id
        recent = Report.search([*domain, ("create_date", ">", fields.Datetime.now() - interval)]).account_id
        return accounts.filtered(lambda a: a in pending or a not in recent)

    @api.model
    def _run_account(self, account, session, run):
        Report = self.env["amazon.fba.report"].sudo()
        report = Report.search(
            [("account_id", "=", account.id), ("source", "=", self._source), ("state", "in", ("requested", "done"))],
            order="id",
            limit=1,
        )
        if not report:
            report = self._request(account, session, run)
            if not report:
                return
        if report.state == "requested" and not self._poll(report, session, run):
            return
        if report.state == "done":
            self._apply_report(account, report, session, run)
        if report.state == "applied" and report.data_end and report.data_end < self._window_end() - timedelta(hours=1):
            run.more = True  # catching up: the next window follows at once

    # ------------------------------------------------------------------ reports

    @api.model
    def _window_end(self):
        return fields.Datetime.now() - timedelta(seconds=const.REPORT_END_DELAY_SECONDS)

    @api.model
    def _window(self, account):
        """(start, end) of the next request: from the last applied window's end less the
        overlap (the first time, ``REPORT_FIRST_WINDOW_DAYS`` back), at most
        ``REPORT_MAX_WINDOW_DAYS`` long."""
        last = (
            self.env["amazon.fba.report"]
            .sudo()
            .search(
                [("account_id", "=", account.id), ("source", "=", self._source), ("state", "=", "applied")],
                order="data_end desc",
                limit=1,
            )
        )
        end = self._window_end()
        if last.data_end:
            start = last.data_end - timedelta(days=const.REPORT_OVERLAP_DAYS.get(self._report_type, 3))
        else:
            start = end - timedelta(days=const.REPORT_FIRST_WINDOW_DAYS)
        start = max(start, end - timedelta(days=const.REPORT_RETENTION_DAYS))
        return start, min(end, start + timedelta(days=const.REPORT_MAX_WINDOW_DAYS))

    @api.model
    def _request(self, account, session, run):
        start, end = self._window(account)
        markets = (account.marketplace_ids or account.base_marketplace_id).mapped("api_ref")
        report_ref = create_report(session, self._report_type, markets, start, end)
        report = (
            self.env["amazon.fba.report"]
            .sudo()
            .create(
                {
                    "account_id": account.id,
                    "source": self._source,
                    "report_type": self._report_type,
                    "report_ref": report_ref,
                    "data_start": start,
                    "data_end": end,
                }
            )
        )
        run.stats["requested"] += 1
        self._commit_progress()
        return report

    @api.model
    def _poll(self, report, session, run):
        """Ask Amazon where it is with ``report``. :returns: True when it can be applied"""
        info = get_report(session, report.report_ref)
        status = info["processing_status"]
        if status == const.REPORT_DONE and info["document_id"]:
            report.write({"state": "done", "document_ref": info["document_id"]})
            return True
        if status == const.REPORT_CANCELLED:  # Amazon had nothing in the window
            report.write({"state": "applied", "row_count": 0})
            run.stats["reports without data"] += 1
            return False
        if status == const.REPORT_FATAL:
            report.write({"state": "failed", "error": self.env._("Amazon could not prepare the report (FATAL).")})
            run.stats["failed"] += 1
            return False
        if report.create_date + timedelta(hours=const.REPORT_GIVE_UP_HOURS) <= fields.Datetime.now():
            report.write(
                {
                    "state": "failed",
                    "error": self.env._(
                        "Amazon did not prepare the report in time (%(status)s): asked again.", status=status
                    ),
                }
            )
            run.more = True
            return False
        run.wake_at = fields.Datetime.now() + timedelta(seconds=const.REPORT_POLL_SECONDS)
        run.stats["reports being prepared"] += 1
        return False

    @api.model
    def _apply_report(self, account, report, session, run):
        """Download the report and apply its rows not applied yet, a chunk at a time. Out of
        time, the report stays ready: the next run reads it again and skips what is known."""
        content, compression = session.download_report_document(report.document_ref)
        count = 0
        try:
            with open_document(content, compression, MAX_DOCUMENT_BYTES) as stream:
                del content
                rows = read_report(stream, self._source)
                cache = {}
                while chunk := list(islice(rows, ROWS_PER_CHUNK)):
                    count += len(chunk)
                    self._apply_chunk(account, report, chunk, cache, run)
                    self._commit_progress(len(chunk))
                    if self._out_of_time(session):
                        run.more = True
                        return
        except AmazonDocumentError as exc:  # the same bytes again would fail the same way
            report.write({"state": "failed", "error": safe_reason(exc)})
            self._commit_progress()
            raise
        report.write({"state": "applied", "row_count": count})
        self._commit_progress()

    # ------------------------------------------------------------------ rows

    @api.model
    def _apply_chunk(self, account, report, rows, cache, run):
        """Apply the rows not known yet (or known as failed) together; when that fails,
        row by row, each failing row becoming its failure row."""
        Event = self.env["amazon.fba.event"].sudo()
        known = {
            event.identity: event
            for event in Event.search_fetch(
                [
                    ("account_id", "=", account.id),
                    ("source", "=", self._source),
                    ("identity", "in", [row.identity for row in rows]),
                ],
                ["identity", "state"],
            )
        }
        todo = [row for row in rows if row.identity not in known or known[row.identity].state == "failed"]
        run.stats["unchanged"] += len(rows) - len(todo)
        if not todo:
            return
        try:
            with quiet_sql_errors(), self.env.cr.savepoint():
                self._apply_rows(account, report, todo, known, cache, run)
            return
        except Exception as exc:
            if is_concurrency_error(exc):
                raise
            _logger.info("Amazon account %s: %s chunk applied row by row: %s", account.id, self._flow, safe_reason(exc))
        self.env.invalidate_all()
        cache.clear()  # what the rolled-back chunk counted in it (units received...) is read again
        for row in todo:
            try:
                with quiet_sql_errors(), self.env.cr.savepoint():
                    self._apply_rows(account, report, [row], known, cache, run)
            except Exception as exc:
                if is_concurrency_error(exc):
                    raise
                self.env.invalidate_all()
                self._fail(account, row, known, safe_reason(exc), run)

    @api.model
    def _apply_rows(self, account, report, rows, known, cache, run):
        """Apply ``rows`` (readable or not): the moves of all of them created and done
        together, then their event rows."""
        values, moves_values = [], []
        self._prefetch(account, [row.values for row in rows if row.values is not None], cache)
        for row in rows:
            if row.values is None:
                values.append(self._failure_values(account, row, row.error))
                continue
            try:
                event = self._prepare_event_values(account, row, cache)
            except AmazonRecordError as exc:
                values.append(self._failure_values(account, row, safe_reason(exc)))
                continue
            move = event.pop("_move", None)
            if move:
                moves_values.append((len(values), move))
            values.append(event)
        if moves_values:
            moves = self._create_done_moves([move for _index, move in moves_values])
            for (index, _move), move in zip(moves_values, moves, strict=True):
                values[index]["move_id"] = move.id
        for row, event in zip(rows, values, strict=True):
            if event.get("state") != "failed":
                self._after_apply(account, row, event, cache)
        Event = self.env["amazon.fba.event"].sudo()
        new = []
        for row, event in zip(rows, values, strict=True):
            run.stats[event["state"]] += 1
            if row.identity in known:
                known[row.identity].write(event)
            else:
                new.append(event)
        if new:
            Event.create(new)
            Event.flush_model()
            Event.invalidate_model()

    @api.model
    def _fail(self, account, row, known, reason, run):
        values = self._failure_values(account, row, reason)
        run.stats["failed"] += 1
        if row.identity in known:
            known[row.identity].write(values)
        else:
            known[row.identity] = self.env["amazon.fba.event"].sudo().create(values)

    @api.model
    def _failure_values(self, account, row, reason):
        values = {
            "account_id": account.id,
            "source": self._source,
            "identity": row.identity,
            "state": "failed",
            "error": reason,
            "raw": row.raw[:2000],
        }
        if row.values:
            values.update(self._common_values(row.values))
        return values

    @api.model
    def _returned_order(self, account, data):
        """The account's sale order a return row names (customer returns of both channels).

        :raises AmazonRecordError: when the order is not imported yet (the row is applied once it is)
        """
        order = (
            self.env["sale.order"]
            .sudo()
            .search([("amazon_order_ref", "=", data["order_ref"]), ("amazon_account_id", "=", account.id)], limit=1)
        )
        if not data["order_ref"] or not order:
            raise AmazonRecordError(
                self.env._(
                    "Amazon order %(order)s is not imported: the return is applied once it is (next report).",
                    order=data["order_ref"] or "-",
                )
            )
        return order

    @api.model
    def _event_values(self, account, row, **values):
        """The values every source's event starts from: the row's identity and common
        columns, its raw text (cut), no error; ``values`` added."""
        return dict(
            self._common_values(row.values),
            account_id=account.id,
            source=self._source,
            identity=row.identity,
            raw=row.raw[:2000],
            error=False,
            **values,
        )

    @api.model
    def _common_values(self, data):
        return {
            "date": data.get("date"),
            "sku": data.get("sku"),
            "quantity": data.get("quantity") or 0,
            "disposition": data.get("disposition"),
            "reason": data.get("reason"),
            "reference": data.get("reference"),
            "order_ref": data.get("order_ref"),
            "fulfillment_center": data.get("fulfillment_center"),
            "event_type": data.get("event_type"),
        }

    @api.model
    def _prepare_event_values(self, account, row, cache):
        """The event's values for ``row``; a ``_move`` key holds the values of the done
        stock move it makes (created with the chunk's others).

        :raises AmazonRecordError: the row cannot be applied (its failure row says why)
        """
        raise NotImplementedError

    @api.model
    def _prefetch(self, account, rows, cache):
        """Look up at once, for the chunk's readable rows (their values), what the source
        looks up per row (one query per chunk instead of one per row), into ``cache``."""

    @api.model
    def _after_apply(self, account, row, event, cache):
        """What the row does besides a done move (a return receipt, a picking...): may
        add to ``event`` (``picking_id``...)."""

    @api.model
    def _create_done_moves(self, values_list):
        """Create the moves and mark them done, all together; their date is the event's."""
        Move = self.env["stock.move"].sudo()
        dates = [values.pop("_date", None) for values in values_list]
        moves = Move.create(values_list)
        moves._action_confirm(merge=False)
        for move in moves:
            move.quantity = move.product_uom_qty
        moves.picked = True
        moves._action_done()
        by_date = {}
        for move, date in zip(moves, dates, strict=True):
            if date:
                by_date.setdefault(date, []).append(move.id)
        for date, ids in by_date.items():
            Move.browse(ids).write({"date": date})  # Odoo dates a done move's lines alike
        return moves

    # ------------------------------------------------------------------ lookups

    @api.model
    def _product(self, account, sku, cache):
        """The storable product of the account's offer ``sku`` (else of the product whose
        internal reference is the SKU, as the order import maps it).

        :raises AmazonRecordError: when the SKU maps to no storable product
        """
        products = cache.get("products")
        if products is None:
            offers = (
                self.env["amazon.offer"].sudo().search_fetch([("account_id", "=", account.id)], ["sku", "product_id"])
            )
            products = cache["products"] = {offer.sku: offer.product_id for offer in offers}
        product = products.get(sku)
        if product is None:
            product = products[sku] = (
                self.env["product.product"]
                .sudo()
                .search([("default_code", "=", sku), ("company_id", "in", (False, account.company_id.id))], limit=1)
            )
        if not product or not product.is_storable:
            raise AmazonRecordError(
                self.env._(
                    "SKU %(sku)s is not mapped to a tracked product in account %(account)s: map its offer first.",
                    sku=sku,
                    account=account.name,
                )
            )
        return product

    @api.model
    def _locations(self, account, cache):
        """dict: ``fba``, ``unsellable``, ``transit``, ``loss``, ``scrap``, ``customer``"""
        locations = cache.get("locations")
        if locations is None:
            locations = cache["locations"] = account._amazon_fba_locations()
        return locations

    @api.model
    def _move_values(self, account, product, quantity, source, destination, date, **extra):
        return dict(
            {
                "product_id": product.id,
                "product_uom_qty": quantity,
                "product_uom": product.uom_id.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "company_id": account.company_id.id,
                "origin": extra.pop("origin", False) or self._flow_label(),
                "_date": date,
            },
            **extra,
        )
