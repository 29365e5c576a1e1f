"""What a payout's lines paid besides orders: the FBA reimbursements (reimbursements report)
and the Multi-Channel Fulfillment deliveries whose fees they charge. Linked when the payout is
imported; a reimbursement imported later finds its line by itself."""

from collections import defaultdict

from odoo import api, fields, models

from .. import const


class AmazonPayoutLine(models.Model):
    _inherit = "amazon.payout.line"

    merchant_order_ref = fields.Char(
        string="Seller Order",
        readonly=True,
        index="btree_not_null",
        help="Amazon's merchant-order-id: the seller's own order id, e.g. of a Multi-Channel Fulfillment order.",
    )
    mcf_picking_id = fields.Many2one(
        "stock.picking",
        string="MCF Delivery",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The delivery Amazon shipped (Multi-Channel Fulfillment) whose fee this line is.",
    )


class AmazonPayout(models.Model):
    _inherit = "amazon.payout"

    reimbursement_count = fields.Integer(compute="_compute_stock_links")
    mcf_delivery_count = fields.Integer(string="MCF Deliveries", compute="_compute_stock_links")

    def _compute_stock_links(self):
        Event = self.env["amazon.fba.event"].sudo()
        Line = self.env["amazon.payout.line"].sudo()
        events = defaultdict(int)
        for event in Event.search([("payout_line_id.payout_id", "in", self.ids)]):
            events[event.payout_line_id.payout_id.id] += 1
        pickings = {
            payout.id: count
            for payout, count in Line._read_group(
                [("payout_id", "in", self.ids), ("mcf_picking_id", "!=", False)],
                ["payout_id"],
                ["mcf_picking_id:count_distinct"],
            )
        }
        for payout in self:
            payout.reimbursement_count = events[payout.id]
            payout.mcf_delivery_count = pickings.get(payout.id, 0)

    # ------------------------------------------------------------------ actions

    def action_view_reimbursements(self):
        """The FBA reimbursements this payout paid (reimbursements report)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("amazon_sp_connector.action_amazon_fba_event")
        action.update(
            name=self.env._("Reimbursements of %(payout)s", payout=self.display_name),
            domain=[("payout_line_id.payout_id", "=", self.id)],
            context={"create": False},
        )
        return action

    def action_view_mcf_deliveries(self):
        """The deliveries Amazon shipped (Multi-Channel Fulfillment) whose fees this payout charged."""
        self.ensure_one()
        pickings = self.sudo().line_ids.mcf_picking_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("MCF deliveries of %(payout)s", payout=self.display_name),
            "res_model": "stock.picking",
            "view_mode": "list,form",
            "domain": [("id", "in", pickings.ids)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------ business

    def _amazon_link_stock(self):
        """Link the payout's lines with what they paid: the FBA reimbursements of the
        reimbursements report (already imported ones; later ones link themselves) and the
        Multi-Channel Fulfillment deliveries whose fees they are (by the seller order id,
        Amazon's merchant-order-id, else its order-id)."""
        Line = self.env["amazon.payout.line"].sudo()
        Event = self.env["amazon.fba.event"].sudo()
        for payout in self.sudo():
            lines = Line.search(
                [("payout_id", "=", payout.id), ("amount_type", "in", const.SETTLEMENT_REIMBURSEMENT_TYPES)]
            )
            if lines:
                events = Event.search(
                    [
                        ("account_id.seller_id", "=", payout.amazon_seller_ref),
                        ("account_id.company_id", "=", payout.company_id.id),
                        ("payout_pending", "=", True),
                        ("sku", "in", list(set(lines.mapped("sku")))),
                    ]
                )
                Event._amazon_link_reimbursements(events, lines)
            payout._amazon_link_mcf_deliveries()

    def _amazon_link_mcf_deliveries(self):
        self.ensure_one()
        Line = self.env["amazon.payout.line"].sudo()
        lines = Line.search(
            [
                ("payout_id", "=", self.id),
                ("mcf_picking_id", "=", False),
                "|",
                ("merchant_order_ref", "!=", False),
                "&",
                ("sale_order_id", "=", False),
                ("order_ref", "!=", False),
            ]
        )
        refs = {ref for line in lines for ref in (line.merchant_order_ref, line.order_ref) if ref}
        if not refs:
            return
        pickings = {
            picking.amazon_mcf_ref: picking
            for picking in self.env["stock.picking"]
            .sudo()
            .search(
                [
                    ("amazon_mcf_ref", "in", list(refs)),
                    ("amazon_mcf_account_id.seller_id", "=", self.amazon_seller_ref),
                    ("company_id", "=", self.company_id.id),
                ]
            )
        }
        for line in lines:
            picking = pickings.get(line.merchant_order_ref) or pickings.get(line.order_ref)
            if picking:
                values = {"mcf_picking_id": picking.id}
                if not line.sale_order_id and picking.sale_id:
                    values["sale_order_id"] = picking.sale_id.id  # the web order: not an unknown Amazon order
                line.write(values)


class AmazonPayoutSync(models.AbstractModel):
    _inherit = "amazon.payout.sync"

    @api.model
    def _prepare_line_values(self, payout, number, line, category, order_ids):
        values = super()._prepare_line_values(payout, number, line, category, order_ids)
        values["merchant_order_ref"] = line.merchant_order_ref or False
        return values

    @api.model
    def _create_payout(self, account, report, stream, document):
        payout = super()._create_payout(account, report, stream, document)
        if payout:
            payout._amazon_link_stock()
        return payout
