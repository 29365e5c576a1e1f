from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const


class AmazonCarrier(models.Model):
    """One of Amazon's carrier codes (``const.CARRIER_CODES``): what a delivery carrier is
    confirmed to Amazon as."""

    _name = "amazon.carrier"
    _description = "Amazon Carrier Code"
    _order = "name"

    name = fields.Char(string="Amazon Carrier Code", required=True, readonly=True)
    active = fields.Boolean(default=True)

    _name_unique = models.Constraint("unique(name)", "Each Amazon carrier code exists once.")

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Amazon carrier codes are reference data: archive one instead."))

    @api.model
    def _load_from_const(self):
        """Create the codes of ``const.CARRIER_CODES`` that are missing (called from the
        module's data file: the code list has one source, ``const.py``)."""
        known = set(self.with_context(active_test=False).search([]).mapped("name"))
        self.create([{"name": code} for code in const.CARRIER_CODES if code not in known])
        self.env["delivery.carrier"]._amazon_migrate_carrier_codes()

    @api.model
    def _amazon_by_code(self, code):
        return self.search([("name", "=", code)], limit=1)
