import difflib
import re

from odoo import api, fields, models
from odoo.tools.sql import column_exists

from .. import const


def _normalized(text):
    return re.sub(r"\s+", "", text or "").lower()


# How close a carrier's name must be to an Amazon code to be taken for a typo of it.
TYPO_CUTOFF = 0.8


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    amazon_carrier_id = fields.Many2one(
        "amazon.carrier",
        help="The carrier code Amazon knows this carrier by (Amazon's list; 'Other' with a name for a carrier "
        "Amazon does not list). Without it: the code of the shipping integration (FedEx, UPS, DHL...), else a "
        "carrier named exactly like an Amazon code is that code, any other is 'Other' with the carrier's name.",
    )
    amazon_carrier_name = fields.Char(
        help="Name sent to Amazon with the code (defaults to the carrier's name for Other).",
    )

    # ------------------------------------------------------------------ mapping

    @api.model
    def _amazon_code_of_name(self, name):
        wanted = _normalized(name)
        return next((code for code in const.CARRIER_CODES if _normalized(code) == wanted), None)

    @api.model
    def _amazon_code_of_delivery_type(self, delivery_type):
        """Amazon's code of an Odoo shipping integration (``fedex_rest`` -> ``FedEx``)."""
        if not delivery_type or delivery_type in ("fixed", "base_on_rule"):
            return None
        codes = const.DELIVERY_TYPE_CARRIER_CODES
        return codes.get(delivery_type) or codes.get(delivery_type.split("_")[0])

    @api.model
    def _amazon_close_codes(self, name):
        """Amazon codes close to ``name`` but not equal: a typo ("Royal Mial")."""
        by_normal = {_normalized(code): code for code in const.CARRIER_CODES if code != const.CARRIER_CODE_OTHER}
        close = difflib.get_close_matches(_normalized(name), list(by_normal), n=3, cutoff=TYPO_CUTOFF)
        return [by_normal[normal] for normal in close]

    def _amazon_carrier_values(self):
        """Amazon's carrier code and name for this carrier.

        :returns: (carrier code, carrier name or None)
        """
        self.ensure_one()
        code = (
            self.amazon_carrier_id.name
            or self._amazon_code_of_delivery_type(self.delivery_type)
            or ("Mondial Relay" if getattr(self, "is_mondialrelay", False) else None)
            or self._amazon_code_of_name(self.name)
            or const.CARRIER_CODE_OTHER
        )
        name = self.amazon_carrier_name or (self.name if code == const.CARRIER_CODE_OTHER else None)
        return code, name

    def _amazon_carrier_problem(self):
        """Why Amazon would not recognize this carrier, or None: a name that is close to an
        Amazon code but not equal would go out as 'Other' and never be tracked."""
        self.ensure_one()
        code, _name = self._amazon_carrier_values()
        if code != const.CARRIER_CODE_OTHER or self.amazon_carrier_id:
            return None
        close = self._amazon_close_codes(self.name)
        if not close:
            return None
        return self.env._(
            'carrier "%(name)s" is not an Amazon carrier name: did you mean %(close)s? Fix its name, or choose its '
            "Amazon Carrier (Amazon tab of the shipping method; 'Other' to send it under its own name)",
            name=self.name,
            close=", ".join(f'"{code}"' for code in close),
        )

    @api.model
    def _amazon_migrate_carrier_codes(self):
        """Carriers set up before the code list became records kept their code in the column
        of the former selection field ``amazon_carrier_code``: link them to that code."""
        if not column_exists(self.env.cr, "delivery_carrier", "amazon_carrier_code"):
            return
        self.env.cr.execute(
            "SELECT id, amazon_carrier_code FROM delivery_carrier "
            "WHERE amazon_carrier_code IS NOT NULL AND amazon_carrier_id IS NULL"
        )
        Code = self.env["amazon.carrier"].with_context(active_test=False)
        for carrier_id, code in self.env.cr.fetchall():
            found = Code.search([("name", "=", code)], limit=1)
            if found:
                self.browse(carrier_id).amazon_carrier_id = found

    def _amazon_has_integration(self):
        """Whether validating a picking asks a shipping integration for the tracking number."""
        self.ensure_one()
        return self.delivery_type not in ("fixed", "base_on_rule")
