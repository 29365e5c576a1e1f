from collections import defaultdict

from odoo import fields, models
from odoo.exceptions import UserError

from .. import const
from ..spapi import AmazonError
from ..spapi import fulfillment as mcf


class AmazonMcfPreview(models.TransientModel):
    """What Amazon says of shipping a sale order from the FBA stock, per shipping speed
    (getFulfillmentPreview), before the user confirms the order."""

    _name = "amazon.mcf.preview"
    _description = "Amazon Fulfillment Preview"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    account_id = fields.Many2one(related="order_id.amazon_mcf_account_id")
    line_ids = fields.One2many("amazon.mcf.preview.line", "preview_id", readonly=True)

    def _fetch(self):
        """Ask Amazon; the answer becomes the lines (one per speed)."""
        self.ensure_one()
        order = self.order_id
        account = order.amazon_mcf_account_id
        partner = order.partner_shipping_id
        if not partner.street or not partner.zip or not partner.country_id:
            raise UserError(
                self.env._(
                    "Amazon needs the delivery address's street, postal code and country of %(order)s.",
                    order=order.name,
                )
            )
        offers = self.env["amazon.offer"].sudo().search([("account_id", "=", account.id)])
        skus = {}
        for offer in offers.sorted(lambda o: o.fulfillment_channel != "fba"):
            skus.setdefault(offer.product_id.id, offer.sku)
        quantities = defaultdict(int)
        for line in order.order_line.filtered(lambda x: x.product_id.type == "consu"):
            sku = skus.get(line.product_id.id)
            if not sku:
                raise UserError(
                    self.env._(
                        "%(product)s has no offer (SKU) on Amazon account %(account)s.",
                        product=line.product_id.display_name,
                        account=account.name,
                    )
                )
            quantities[sku] += int(line.product_uom_id._compute_quantity(line.product_uom_qty, line.product_id.uom_id))
        lines = [mcf.McfLine(str(number), sku, qty) for number, (sku, qty) in enumerate(quantities.items(), 1)]
        address = mcf.McfAddress(
            name=partner.name or partner.commercial_partner_id.name,
            line1=partner.street,
            line2=partner.street2 or "",
            city=partner.city or "",
            state=partner.state_id.code or "",
            postal_code=partner.zip,
            country_code=partner.country_id.code,
        )
        try:
            with account._sp_session(**account._INTERACTIVE) as session:
                previews = mcf.get_preview(session, address, lines, speeds=[k for k, _label in const.MCF_SPEEDS])
        except AmazonError as exc:
            raise UserError(account._amazon_error_message(exc)) from None
        except ValueError as exc:
            raise UserError(str(exc)) from None
        self.line_ids = [
            fields.Command.create(
                {
                    "speed": preview["speed"],
                    "fulfillable": preview["fulfillable"],
                    "fee": preview["total_fee"] or False,
                    "currency_code": preview["currency"] or False,
                    "ship_date": preview["ship_date"],
                    "arrival_from": preview["arrival_from"],
                    "arrival_to": preview["arrival_to"],
                    "reasons": ", ".join(preview["reasons"]) or False,
                }
            )
            for preview in previews
            if preview["speed"] in dict(const.MCF_SPEEDS)
        ]


class AmazonMcfPreviewLine(models.TransientModel):
    _name = "amazon.mcf.preview.line"
    _description = "Amazon Fulfillment Preview per Speed"
    _order = "id"

    preview_id = fields.Many2one("amazon.mcf.preview", required=True, ondelete="cascade")
    speed = fields.Selection(const.MCF_SPEEDS, readonly=True)
    fulfillable = fields.Boolean(string="Amazon Can Ship", readonly=True)
    fee = fields.Char(string="Estimated Fees", readonly=True, help="Amazon's estimate, as Amazon sends it.")
    currency_code = fields.Char(string="Currency", readonly=True)
    ship_date = fields.Datetime(string="Ships From", readonly=True)
    arrival_from = fields.Datetime(string="Arrives From", readonly=True)
    arrival_to = fields.Datetime(string="Arrives By", readonly=True)
    reasons = fields.Char(string="Why Not", readonly=True)

    def action_choose(self):
        """Ship the order at this speed."""
        self.ensure_one()
        if not self.fulfillable:
            raise UserError(self.env._("Amazon cannot ship this order at this speed: %(why)s", why=self.reasons or "-"))
        self.preview_id.order_id.amazon_mcf_speed = self.speed
        return {"type": "ir.actions.act_window_close"}
