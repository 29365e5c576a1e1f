import re

from odoo import api, fields, models

from .. import const


def _normalized(text):
    return re.sub(r"\s+", "", text or "").lower()


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    amazon_carrier_code = fields.Selection(
        [(code, code) for code in const.CARRIER_CODES],
        string="Amazon Carrier",
        help="The carrier code Amazon knows this carrier by. Without it, a carrier named like one of "
        "Amazon's codes is sent as that code, any other as 'Other' with the carrier's name.",
    )
    amazon_carrier_name = fields.Char(
        help="Name sent to Amazon with the code (defaults to the carrier's name for Other).",
    )

    @api.model
    def _amazon_code_of_name(self, name):
        wanted = _normalized(name)
        return next((code for code in const.CARRIER_CODES if _normalized(code) == wanted), None)

    def _amazon_carrier_values(self):
        """Amazon's carrier code and name for this carrier.

        :returns: (carrier code, carrier name or None)
        """
        self.ensure_one()
        code = self.amazon_carrier_code or self._amazon_code_of_name(self.name) or const.CARRIER_CODE_OTHER
        name = self.amazon_carrier_name or (self.name if code == const.CARRIER_CODE_OTHER else None)
        return code, name

    def _amazon_has_integration(self):
        """Whether validating a picking asks a shipping integration for the tracking number."""
        self.ensure_one()
        return self.delivery_type not in ("fixed", "base_on_rule")
