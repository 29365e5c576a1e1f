"""FBA ledger flow: Amazon's inventory ledger (GET_LEDGER_DETAIL_VIEW_DATA) moves the FBA
location's stock the way Amazon's did, each event once."""

from collections import defaultdict
from datetime import timedelta

from odoo import api, models

from .. import const
from ..exceptions import AmazonRecordError

# Events that another flow already applies (the order import, the FBA returns flow, the
# removals flow): checked against them, never applied twice.
CHECKED_EVENTS = (const.LEDGER_SHIPMENTS, const.LEDGER_CUSTOMER_RETURNS, const.LEDGER_VENDOR_RETURNS)
MATCH_DAYS = 3


class AmazonFbaLedgerSync(models.AbstractModel):
    """Receipts move stock from the transit location into the FBA location and complete the
    Send to Amazon transfer they belong to; adjustments (lost, found, damaged, disposed,
    unsellable <-> sellable) move it between the FBA location, its unsellable sub-location,
    inventory loss and scrap; transfers between fulfillment centers are only recorded;
    customer shipments, customer returns and vendor returns are checked against the orders,
    returns and removals already in Odoo."""

    _name = "amazon.fba.ledger.sync"
    _inherit = "amazon.fba.report.flow"
    _description = "Amazon FBA Ledger Flow"

    _flow = "fba_ledger"
    _cron_xmlid = "amazon_sp_connector.ir_cron_sync_fba_ledger"
    _report_type = const.REPORT_LEDGER_DETAIL
    _source = "ledger"

    @api.model
    def _prepare_event_values(self, account, row, cache):
        data = row.values
        values = self._event_values(account, row)
        product = self._product(account, data["sku"], cache)
        values["product_id"] = product.id
        quantity = data["quantity"]
        event_type = data["event_type"]
        if event_type in CHECKED_EVENTS:
            values["state"] = "checked" if self._already_in_odoo(account, product, data) else "unmatched"
            return values
        kind = const.LEDGER_REASONS.get(data["reason"]) if event_type == const.LEDGER_ADJUSTMENTS else None
        if not quantity or event_type == const.LEDGER_WAREHOUSE_TRANSFERS or kind == "transfer":
            values["state"] = "recorded"
            return values
        if event_type not in (const.LEDGER_RECEIPTS, const.LEDGER_ADJUSTMENTS):
            raise AmazonRecordError(self.env._("Unknown ledger event type %(type)s.", type=event_type[:40]))
        where = self._locations(account, cache)
        here = where["fba"] if data["disposition"] in ("", const.DISPOSITION_SELLABLE) else where["unsellable"]
        if event_type == const.LEDGER_RECEIPTS:
            other = where["transit"]
            picking = self._send_picking(account, product, data, quantity, cache)
            values["picking_id"] = picking.id
        else:
            other = where["scrap"] if kind == "disposed" else where["loss"]
        source, destination = (other, here) if quantity > 0 else (here, other)
        values["state"] = "applied"
        values["_move"] = self._move_values(
            account,
            product,
            abs(quantity),
            source,
            destination,
            data["date"],
            origin=f"Amazon {event_type} {data['reference'] or ''}".strip(),
            picking_type_id=False,
        )
        return values

    @api.model
    def _prefetch(self, account, rows, cache):
        """The Send to Amazon transfers whose shipment the chunk's receipts name, in one query
        (for each shipment the one a search of it alone finds first)."""
        picking_type = account.fba_send_picking_type_id
        refs = {data["reference"] for data in rows if data["event_type"] == const.LEDGER_RECEIPTS and data["reference"]}
        sends = cache["sends_by_ref"] = {}
        if not picking_type or not refs:
            return
        pickings = (
            self.env["stock.picking"]
            .sudo()
            .search_fetch(
                [
                    ("picking_type_id", "=", picking_type.id),
                    ("state", "=", "done"),
                    ("amazon_shipment_ref", "in", list(refs)),
                ],
                ["amazon_shipment_ref"],
            )
        )
        sends.update(dict.fromkeys(refs, pickings.browse()))
        for picking in pickings:
            if not sends[picking.amazon_shipment_ref]:
                sends[picking.amazon_shipment_ref] = picking

    @api.model
    def _send_picking(self, account, product, data, quantity, cache):
        """The Send to Amazon transfer a receipt completes: the one whose Amazon shipment
        is the receipt's reference, else the oldest done one of the product not fully
        received yet (none: the receipt still moves stock from transit)."""
        Picking = self.env["stock.picking"].sudo()
        picking_type = account.fba_send_picking_type_id
        if not picking_type:
            return Picking
        base = [("picking_type_id", "=", picking_type.id), ("state", "=", "done")]
        if data["reference"]:
            sends = cache.get("sends_by_ref", {})
            if data["reference"] in sends:
                picking = sends[data["reference"]]
            else:
                picking = Picking.search([*base, ("amazon_shipment_ref", "=", data["reference"])], limit=1)
            if picking:
                # what it received counts for the receipts naming no shipment (the same chunk's too)
                self._received(picking, product, cache)[picking.id, product.id] += quantity
                return picking
        if quantity <= 0:
            return Picking
        open_ids = cache.get(("open_sends", product.id))
        if open_ids is None:
            open_ids = cache[("open_sends", product.id)] = Picking.search(
                [*base, ("amazon_receipt_state", "!=", "received"), ("move_ids.product_id", "=", product.id)],
                order="date_done, id",
            ).ids
        for picking in Picking.browse(open_ids):
            received = self._received(picking, product, cache)
            sent = sum(picking.move_ids.filtered(lambda m, p=product: m.product_id == p).mapped("quantity"))
            if received[picking.id, product.id] < sent:
                received[picking.id, product.id] += quantity
                return picking
        return Picking

    @api.model
    def _received(self, picking, product, cache):
        """The units of ``product`` Amazon received for the Send to Amazon ``picking`` so far
        in this run, by (picking id, product id), read from its event rows the first time.

        :returns: the run's dict of received units, holding this pair's
        """
        received = cache.setdefault("received", defaultdict(float))
        key = (picking.id, product.id)
        if key not in received:
            received[key] = sum(
                picking.amazon_fba_event_ids.filtered(lambda e, p=product: e.product_id == p).mapped("quantity")
            )
        return received

    @api.model
    def _already_in_odoo(self, account, product, data):
        """Whether what the ledger row repeats is already in Odoo: the FBA order's delivery
        (Shipments), the FBA return (CustomerReturns), the removal (VendorReturns)."""
        date = data["date"]
        low, high = date - timedelta(days=MATCH_DAYS), date + timedelta(days=MATCH_DAYS + 1)
        if data["event_type"] == const.LEDGER_SHIPMENTS:
            fba = account._amazon_fba_locations()["fba"]
            return bool(
                self.env["stock.move"]
                .sudo()
                .search_count(
                    [
                        ("product_id", "=", product.id),
                        ("state", "=", "done"),
                        ("location_id", "=", fba.id),
                        ("location_dest_id.usage", "=", "customer"),
                        ("date", ">=", low),
                        ("date", "<", high),
                    ],
                    limit=1,
                )
            )
        source = "fba_return" if data["event_type"] == const.LEDGER_CUSTOMER_RETURNS else "removal"
        return bool(
            self.env["amazon.fba.event"]
            .sudo()
            .search_count(
                [
                    ("account_id", "=", account.id),
                    ("source", "=", source),
                    ("product_id", "=", product.id),
                    ("state", "=", "applied"),
                    ("date", ">=", low),
                    ("date", "<", high),
                ],
                limit=1,
            )
        )
