"""FBA inventory flow: what Amazon says it holds (FBA Inventory API getInventorySummaries),
next to the Odoo FBA location, per FBA offer."""

from odoo import api, models

from ..spapi.fba import get_inventory_summaries


class AmazonFbaInventorySync(models.AbstractModel):
    """One run reads every page of Amazon's summaries of each marketplace of the account
    (paced like every call, 2 requests a second), then writes the count and the gap to
    Odoo on the account's FBA offers. Out of time or quota, the engine runs it again."""

    _name = "amazon.fba.inventory.sync"
    _inherit = "amazon.sync.flow"
    _description = "Amazon FBA Inventory Flow"

    _flow = "fba_inventory"
    _cron_xmlid = "amazon_sp_connector.ir_cron_sync_fba_inventory"
    _polls = True

    @api.model
    def _run_account(self, account, session, run):
        offers = (
            self.env["amazon.offer"]
            .sudo()
            .search([("account_id", "=", account.id), ("fulfillment_channel", "=", "fba")])
        )
        by_sku = {offer.sku: offer for offer in offers}
        counts = {}
        for marketplace in account.marketplace_ids or account.base_marketplace_id:
            token = None
            while True:
                page = get_inventory_summaries(session, marketplace.api_ref, token)
                for summary in page["summaries"]:
                    offer = by_sku.get(summary["sku"])
                    if offer is None:
                        run.stats["unknown SKUs"] += 1
                        continue
                    known = counts.get(offer.id)
                    if known:  # the same SKU in another marketplace (pan-European FBA): one pool
                        summary = {key: max(known[key], summary[key]) for key in known if isinstance(known[key], int)}
                    counts[offer.id] = summary
                token = page["next_token"]
                if not token:
                    break
        offers._amazon_fba_write_count(counts)
        run.stats["counted"] += len(counts)
        run.stats["differences"] += len(offers.filtered(lambda o: o.fba_difference or o.fba_unsellable_difference))
