"""Stock flow: tell Amazon how many units each FBM offer can ship (``JSON_LISTINGS_FEED``)."""

from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models

from .. import const
from ..spapi import AmazonError, AmazonThrottledError
from ..spapi.listings import StockLevel, build_stock_feed, parse_listings_report
from .amazon_feed import NOT_SENT
from .amazon_sync_flow import quiet_sql_errors, safe_reason


class AmazonStockSync(models.AbstractModel):
    """One run reads the result of every stock feed in progress (one getFeed each), then
    sends the quantity of every offer of the account marked To Send in ONE
    ``JSON_LISTINGS_FEED``. Amazon failing on one feed never keeps the others from being
    read, nor the offers from being sent; a feed Amazon has not finished after
    ``FEED_GIVE_UP_HOURS`` is given up and its offers are sent again.

    Offers are marked To Send by every change of their product's free quantity in the
    warehouse their account pushes (``amazon.offer._amazon_mark_stock_changed``). A SKU
    Amazon refused stays in error until its quantity, product or product type changes, or
    a user retries it: it is not sent again and again. A run locks the offers it sends and
    computes their quantities in the same snapshot; the offers and the feed are committed
    before the feed goes to Amazon. A stock change committed meanwhile either made the run
    fail on the locked offers (it is retried) or marks them To Send again after it: Amazon
    never keeps a quantity older than a committed reservation. An offer is never in two
    feeds at Amazon at once, so an older quantity never overtakes a newer one.
    """

    _name = "amazon.stock.sync"
    _inherit = "amazon.sync.flow"
    _description = "Amazon Stock Flow"

    _flow = "stock"
    _cron_xmlid = "amazon_sp_connector.ir_cron_sync_stock"
    _problems_template = "amazon_sp_connector.mail_template_stock_failures"
    _feed_type = const.FEED_JSON_LISTINGS

    @api.model
    def _offers_domain(self, accounts):
        """Offers whose quantity goes in the next feed: To Send, and not in a feed Amazon is
        still processing."""
        return [
            ("account_id", "in", accounts.filtered("sync_stock").ids),
            ("stock_sync_state", "=", "to_send"),
            "|",
            ("stock_feed_id", "=", False),
            ("stock_feed_id.done", "=", True),
        ]

    @api.model
    def _with_work(self, accounts):
        feeds = self.env["amazon.feed"].sudo()._read_group(self._feeds_domain(accounts), ["account_id"])
        offers = self.env["amazon.offer"].sudo()._read_group(self._offers_domain(accounts), ["account_id"])
        with_work = {account.id for (account,) in feeds + offers}
        return accounts.filtered(lambda a: a.id in with_work)

    @api.model
    def _run_account(self, account, session, run):
        in_progress = False
        throttled = None
        for feed in self.env["amazon.feed"].sudo().search(self._feeds_domain(account), order="id"):
            if self._out_of_time(session):
                run.more = True
                return
            try:
                self._poll_feed(feed, session, run)
            except AmazonThrottledError as exc:  # getFeed's quota: the feeds wait, the offers go
                throttled = exc
                break
            in_progress |= not feed.done
            self._commit_progress(1)
        if account.sync_stock:
            limit = const.LISTINGS_FEED_MAX_MESSAGES
            offers = self.env["amazon.offer"].sudo().search(self._offers_domain(account), order="id", limit=limit + 1)
            # what Amazon refused in this very run waits for the next one: no feed after feed
            offers = offers.filtered(lambda o: ("offer", o.id) not in run.seen)
            if offers and self._out_of_time(session):
                run.more = True
            elif offers:
                in_progress |= self._send_feed(account, offers[:limit], session, run)
                run.more |= len(offers) > limit
        if in_progress:
            run.wake_at = fields.Datetime.now() + timedelta(seconds=const.FEED_POLL_SECONDS)
        if throttled:
            raise throttled

    # ------------------------------------------------------------------ sending

    @api.model
    def _send_feed(self, account, offers, session, run):
        """Compute, record and send the quantities of ``offers``.

        :returns: whether a feed went to Amazon
        """
        self._lock_offers(offers)
        warehouse = account._amazon_fbm_warehouse()
        quantities, untracked = offers._amazon_free_quantities(warehouse, account.stock_buffer)
        for offer in untracked:
            self._fail(
                offer,
                self.env._(
                    "%(product)s keeps no stock in Odoo (it is neither a storable product nor a kit): there is "
                    "no quantity to send. Make it storable, map the SKU to another product, or untick Sync Stock.",
                    product=offer.product_id.display_name,
                ),
                run,
                counter="no_stock_tracked",
            )
        offers -= untracked
        refused = offers.filtered(lambda o: o.stock_refused_key == o._amazon_stock_key(quantities[o.id]))
        if refused:  # Amazon refused this very message: sent again once something changes
            refused.write({"stock_sync_state": "error"})
            run.stats["still_refused"] += len(refused)
        offers -= refused
        unchanged = offers.filtered(lambda o: self._is_unchanged(o, quantities[o.id]))
        if unchanged:
            unchanged.write({"stock_sync_state": "done"})
            run.stats["unchanged"] += len(unchanged)
        offers -= unchanged
        if not offers:
            return False
        levels = [StockLevel(o.sku, quantities[o.id], o._amazon_product_type()) for o in offers]
        content, messages = build_stock_feed(account.seller_id, levels)
        feed = (
            self.env["amazon.feed"]
            .sudo()
            .create(
                {
                    "account_id": account.id,
                    "feed_type": const.FEED_JSON_LISTINGS,
                    "processing_status": NOT_SENT,
                    "messages": messages,
                    "document": content.decode(),
                }
            )
        )
        now = fields.Datetime.now()
        by_quantity = defaultdict(lambda: self.env["amazon.offer"])
        for offer in offers:
            by_quantity[quantities[offer.id]] |= offer
        for quantity, group in by_quantity.items():
            group.write(
                {
                    "stock_sync_state": "sent",
                    "stock_feed_id": feed.id,
                    "last_quantity_sent": quantity,
                    "last_stock_sync": now,
                }
            )
        # What goes to Amazon is committed first: a rolled back run never reaches Amazon.
        self._commit_progress()
        marketplaces = account.marketplace_ids or account.base_marketplace_id
        try:
            result = session.submit_feed(
                const.FEED_JSON_LISTINGS, marketplaces.mapped("api_ref"), content, const.FEED_JSON_CONTENT_TYPE
            )
        except AmazonError as exc:
            self._withdraw(feed, self.env._("Not sent: %(why)s", why=safe_reason(exc)))
            self._commit_progress()
            raise
        feed.write({"feed_ref": result["feed_id"], "processing_status": "IN_QUEUE"})
        run.stats["sent"] += len(offers)
        return True

    @api.model
    def _lock_offers(self, offers):
        """Lock the offers about to be sent, or fail at once (a concurrency error: the run
        is retried) when a stock change holds them or committed a change after this run's
        snapshot: the quantities computed next are then current for every one of them."""
        with quiet_sql_errors():
            self.env.cr.execute("SELECT id FROM amazon_offer WHERE id = ANY(%s) FOR UPDATE NOWAIT", [offers.ids])

    @api.model
    def _is_unchanged(self, offer, quantity):
        """Amazon accepted this very quantity with the offer's last feed."""
        feed = offer.stock_feed_id
        return bool(
            offer.stock_sync_state == "to_send"
            and not offer.stock_sync_error
            and feed.done
            and not feed.error
            and offer.last_quantity_sent == quantity
        )

    @api.model
    def _withdraw(self, feed, reason):
        """A feed that never reached Amazon: its offers go in the next feed, with their
        quantity computed again."""
        feed.offer_ids.filtered(lambda o: o.stock_sync_state == "sent").write({"stock_sync_state": "to_send"})
        feed.write({"done": True, "error": reason})

    # ------------------------------------------------------------------ results

    @api.model
    def _feed_unreadable(self, feed, reason, run):
        """Its quantities are uncertain: sent again by the next run."""
        self._settle(feed, {}, [reason], run)

    @api.model
    def _feed_abandoned(self, feed, reason, run):
        """Amazon did not finish it in time: its quantities are sent again by this very run."""
        for offer in feed.offer_ids.filtered("stock_sync_state"):
            self._uncertain(offer, self.env._("Uncertain: %(why)s", why=reason), run, now=True)

    @api.model
    def _apply_feed(self, feed, session, run):
        if not feed.feed_ref:  # prepared, then the run stopped before Amazon accepted it
            self._withdraw(feed, self.env._("Never reached Amazon; its quantities are sent again."))
            return
        info = session.get_feed(feed.feed_ref)
        status = info["processing_status"]
        feed.processing_status = status
        if status not in const.FEED_FINAL_STATUSES:
            return
        errors, general = {}, []
        if info["result_document_id"]:
            content = session.get_feed_document(info["result_document_id"])
            feed.report = content.decode("utf-8", "replace")
            report = parse_listings_report(content)
            errors, general = report["errors"], report["general"]
        if status == const.FEED_DONE and not info["result_document_id"]:
            general = [self.env._("Amazon gave no processing report.")]
        elif status == const.FEED_FATAL:
            texts = general + [text for message in errors.values() for text in message]
            errors = {}
            general = [self.env._("Amazon refused the whole feed (FATAL): %(why)s", why="; ".join(texts) or "-")]
        elif status == const.FEED_CANCELLED:
            general = [self.env._("Amazon cancelled the feed before processing it.")]
        self._settle(feed, errors, general, run)
        feed.done = True

    @api.model
    def _settle(self, feed, errors, general, run):
        """Each message's outcome on its offer (when the offer's latest feed is this one):
        refused with Amazon's text (in error until something changes), uncertain when an
        error names no message (sent again), else accepted."""
        by_sku = {offer.sku: offer for offer in feed.offer_ids if offer.stock_sync_state}
        accepted = self.env["amazon.offer"]
        for message_id, sku in (feed.messages or {}).items():
            offer = by_sku.get(sku)
            if not offer:
                continue
            if errors.get(message_id):
                self._refuse(offer, "; ".join(errors[message_id]), run)
            elif general:
                self._uncertain(offer, self.env._("Uncertain: %(why)s", why="; ".join(general)), run)
            else:
                accepted |= offer
        if accepted:
            accepted.filtered(lambda o: o.stock_sync_state == "sent").write({"stock_sync_state": "done"})
            accepted.filtered(lambda o: o.stock_sync_error or o.stock_refused_key).write(
                {"stock_sync_error": False, "stock_refused_key": False}
            )
            run.stats["accepted"] += len(accepted)

    @api.model
    def _fail(self, offer, reason, run, counter="refused"):
        """The offer's quantity cannot reach Amazon: in error until something about it
        changes or a user retries it; a reason it did not have before is reported once."""
        self._report(offer, reason, run)
        offer.write({"stock_sync_state": "error", "stock_sync_error": reason})
        run.stats[counter] += 1
        run.seen.add(("offer", offer.id))

    @api.model
    def _refuse(self, offer, reason, run):
        """Amazon refused the quantity sent: the offer stays in error until its quantity,
        product or product type changes (an offer changed since it was sent stays To Send:
        this very run compares its new message with the refused one, and sends it when it
        differs)."""
        self._report(offer, reason, run)
        values = {
            "stock_sync_error": reason,
            "stock_refused_key": offer._amazon_stock_key(offer.last_quantity_sent),
        }
        if offer.stock_sync_state == "sent":
            values["stock_sync_state"] = "error"
        offer.write(values)
        run.stats["refused"] += 1

    @api.model
    def _uncertain(self, offer, reason, run, now=False):
        """Whether Amazon has the offer's quantity is unknown: To Send again, by the next run
        (not by the run that learnt it, so that a feed Amazon keeps refusing costs one feed
        per cron interval), or by this one when ``now`` or when the offer changed since it
        was sent (a new quantity goes at once)."""
        self._report(offer, reason, run)
        if offer.stock_sync_state == "sent" and not now:
            run.seen.add(("offer", offer.id))
        offer.write({"stock_sync_state": "to_send", "stock_sync_error": reason, "stock_refused_key": False})
        run.stats["uncertain"] += 1

    @api.model
    def _report(self, offer, reason, run):
        """A reason the offer did not have before goes in the run's mail, once."""
        if reason != offer.stock_sync_error:
            run.problems.append({"name": offer.sku, "ref": offer.product_id.display_name, "reason": reason})
