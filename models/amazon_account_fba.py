"""The account's FBA stock: its locations, its Send to Amazon transfer type, the buttons and
scheduled actions of the FBA stock flows (ledger, returns, removals, reimbursements,
Amazon's quantities). Kept apart from amazon_account.py: one concern per file."""

from datetime import timedelta

from odoo import api, fields, models

TRANSIT_NAME = "Amazon inbound (transit)"
UNSELLABLE_NAME = "Amazon unsellable"
MISSING_AFTER_DAYS = 60
STOCK_MANAGER = "stock.group_stock_manager"

FLOW_MODELS = {
    "fba_ledger": "amazon.fba.ledger.sync",
    "fba_returns": "amazon.fba.return.sync",
    "fbm_returns": "amazon.fbm.return.sync",
    "fba_removals": "amazon.fba.removal.sync",
    "fba_reimbursements": "amazon.fba.reimbursement.sync",
    "fba_inventory": "amazon.fba.inventory.sync",
}
FLOW_SOURCES = {
    "fba_ledger": "ledger",
    "fba_returns": "fba_return",
    "fbm_returns": "fbm_return",
    "fba_removals": "removal",
    "fba_reimbursements": "reimbursement",
}


class AmazonAccount(models.Model):
    _inherit = "amazon.account"

    fba_transit_location_id = fields.Many2one(
        "stock.location",
        string="Amazon Inbound Location",
        check_company=True,
        help="Where the units sent to Amazon wait until Amazon receives them (Send to Amazon transfers).",
    )
    fba_unsellable_location_id = fields.Many2one(
        "stock.location",
        string="Amazon Unsellable Location",
        check_company=True,
        help="Units Amazon holds as unsellable (damaged, defective, customer damaged).",
    )
    fba_send_picking_type_id = fields.Many2one(
        "stock.picking.type",
        string="Send to Amazon Operation",
        check_company=True,
        help="Transfers of the seller's own shipments to Amazon, from the warehouse to the inbound location; "
        "Amazon's receipts complete them.",
    )

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        accounts = super().create(vals_list)
        accounts._amazon_fba_setup()
        return accounts

    def _amazon_fba_setup(self):
        """The account's unsellable and inbound locations and its Send to Amazon operation
        type, created when missing (next to its FBA location, in its warehouse)."""
        AccountModel = super(AmazonAccount, self.sudo())
        for account in self:
            fba = account.fba_location_id
            warehouse = fba.warehouse_id or account.warehouse_id
            if not fba or not warehouse:
                continue
            values = {}
            if not account.fba_unsellable_location_id:
                values["fba_unsellable_location_id"] = self._amazon_location(UNSELLABLE_NAME, fba).id
            transit = account.fba_transit_location_id
            if not transit:
                transit = self._amazon_location(TRANSIT_NAME, warehouse.view_location_id)
                values["fba_transit_location_id"] = transit.id
            if not account.fba_send_picking_type_id:
                values["fba_send_picking_type_id"] = self._amazon_send_picking_type(warehouse, transit).id
            if values:
                AccountModel.browse(account.id).write(values)
        return True

    @api.model
    def _amazon_location(self, name, parent):
        Location = self.env["stock.location"].sudo()
        location = Location.search(
            [("name", "=", name), ("location_id", "=", parent.id), ("usage", "=", "internal")], limit=1
        )
        return location or Location.create(
            {"name": name, "usage": "internal", "location_id": parent.id, "company_id": parent.company_id.id}
        )

    @api.model
    def _amazon_send_picking_type(self, warehouse, transit):
        PickingType = self.env["stock.picking.type"].sudo()
        picking_type = PickingType.search(
            [
                ("warehouse_id", "=", warehouse.id),
                ("default_location_dest_id", "=", transit.id),
                ("code", "=", "internal"),
            ],
            limit=1,
        )
        return picking_type or PickingType.create(
            {
                "name": self.env._("Send to Amazon"),
                "code": "internal",
                "sequence_code": "AMZ",
                "warehouse_id": warehouse.id,
                "company_id": warehouse.company_id.id,
                "default_location_src_id": warehouse.lot_stock_id.id,
                "default_location_dest_id": transit.id,
                "amazon_send": True,
            }
        )

    # ------------------------------------------------------------------ actions

    def _amazon_run_fba_flow(self, flow, title):
        self.ensure_one()
        self._amazon_check_group(STOCK_MANAGER)
        return self._amazon_run_flow(FLOW_MODELS[flow], title, checked=True)

    def action_sync_fba_ledger(self):
        """Read Amazon's inventory ledger now and apply its new events."""
        return self._amazon_run_fba_flow("fba_ledger", self.env._("Amazon FBA ledger"))

    def action_sync_fba_returns(self):
        """Read Amazon's FBA customer returns now."""
        return self._amazon_run_fba_flow("fba_returns", self.env._("Amazon FBA returns"))

    def action_sync_fbm_returns(self):
        """Read Amazon's authorized FBM returns now."""
        return self._amazon_run_fba_flow("fbm_returns", self.env._("Amazon FBM returns"))

    def action_sync_fba_removals(self):
        """Read Amazon's removal shipments now."""
        return self._amazon_run_fba_flow("fba_removals", self.env._("Amazon removals"))

    def action_sync_fba_reimbursements(self):
        """Read Amazon's reimbursements now."""
        return self._amazon_run_fba_flow("fba_reimbursements", self.env._("Amazon reimbursements"))

    def action_sync_fba_inventory(self):
        """Read Amazon's FBA quantities now and compare them with Odoo's."""
        return self._amazon_run_fba_flow("fba_inventory", self.env._("Amazon FBA inventory"))

    def _amazon_fba_events_action(self, source):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("amazon_sp_connector.action_amazon_fba_event")
        action["domain"] = [("account_id", "=", self.id), ("source", "=", source), ("state", "=", "failed")]
        action["context"] = {}
        return action

    def action_view_fba_ledger_failures(self):
        return self._amazon_fba_events_action("ledger")

    def action_view_fba_return_failures(self):
        return self._amazon_fba_events_action("fba_return")

    def action_view_fbm_return_failures(self):
        return self._amazon_fba_events_action("fbm_return")

    def action_view_fba_removal_failures(self):
        return self._amazon_fba_events_action("removal")

    def action_view_fba_reimbursement_failures(self):
        return self._amazon_fba_events_action("reimbursement")

    def action_view_fba_differences(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("amazon_sp_connector.action_amazon_fba_differences")
        action["domain"] = [
            ("account_id", "=", self.id),
            "|",
            ("fba_difference", "!=", 0),
            ("fba_unsellable_difference", "!=", 0),
        ]
        return action

    # ------------------------------------------------------------------ helpers

    def _amazon_fba_locations(self):
        """The locations FBA stock moves between.

        :returns: dict ``fba``, ``unsellable``, ``transit``, ``loss``, ``scrap``
        """
        self.ensure_one()
        if not self.fba_unsellable_location_id or not self.fba_transit_location_id:
            self._amazon_fba_setup()
        company = self.company_id
        Location = self.env["stock.location"].sudo()
        loss_id = (
            self.env["ir.default"].sudo()._get("product.template", "property_stock_inventory", company_id=company.id)
        )
        inventory = [("usage", "=", "inventory"), ("company_id", "in", (company.id, False))]
        loss = Location.browse(loss_id).exists() if loss_id else Location
        loss = loss or Location.search(inventory, order="id", limit=1)
        # where Odoo's own scrap orders of the company go
        scrap = self.env["stock.scrap"].sudo().with_company(company).new({"company_id": company.id})
        scrap = scrap.scrap_location_id or loss
        return {
            "fba": self.fba_location_id,
            "unsellable": self.fba_unsellable_location_id,
            "transit": self.fba_transit_location_id,
            "loss": loss,
            "scrap": scrap,
        }

    @api.model
    def _amazon_missing_sends_domain(self):
        """Send to Amazon transfers done over 60 days ago that Amazon did not fully receive."""
        return [
            ("amazon_send", "=", True),
            ("state", "=", "done"),
            ("amazon_receipt_state", "!=", "received"),
            ("date_done", "<", fields.Datetime.now() - timedelta(days=MISSING_AFTER_DAYS)),
        ]

    # ------------------------------------------------------------------ crons

    @api.model
    def _cron_sync_fba_ledger(self):
        self.env["amazon.fba.ledger.sync"]._cron_run()

    @api.model
    def _cron_sync_fba_returns(self):
        self.env["amazon.fba.return.sync"]._cron_run()

    @api.model
    def _cron_sync_fbm_returns(self):
        self.env["amazon.fbm.return.sync"]._cron_run()

    @api.model
    def _cron_sync_fba_removals(self):
        self.env["amazon.fba.removal.sync"]._cron_run()

    @api.model
    def _cron_sync_fba_reimbursements(self):
        self.env["amazon.fba.reimbursement.sync"]._cron_run()

    @api.model
    def _cron_sync_fba_inventory(self):
        self.env["amazon.fba.inventory.sync"]._cron_run()
