from odoo import api, models

# Amazon's buyer-seller messaging relay: mail sent there is not an invoice delivery
AMAZON_RELAY_DOMAIN = "marketplace.amazon."


class AccountMoveSend(models.AbstractModel):
    """Invoices of Amazon customers are uploaded to Seller Central, never emailed: Amazon
    shares no buyer email, only a relay address that must not receive invoices."""

    _inherit = "account.move.send"

    @api.model
    def _amazon_customer_invoice(self, move):
        partner = move.commercial_partner_id
        email = (partner.email or "").lower()
        return bool(partner.amazon_customer_key) or bool(
            move.amazon_order_ref and (not email or AMAZON_RELAY_DOMAIN in email)
        )

    @api.model
    def _get_default_sending_methods(self, move):
        if self._amazon_customer_invoice(move):
            return {"manual"}
        return super()._get_default_sending_methods(move)

    @api.model
    def _get_default_mail_partner_ids(self, move, mail_template, mail_lang):
        partners = super()._get_default_mail_partner_ids(move, mail_template, mail_lang)
        return partners.filtered(lambda p: not (p.email and AMAZON_RELAY_DOMAIN in p.email.lower()))

    @api.model
    def _is_applicable_to_move(self, method, move, **move_data):
        if method == "email" and self._amazon_customer_invoice(move):
            recipients = move_data.get("mail_partner_ids") or self.env["res.partner"]
            if not recipients.filtered(lambda p: p.email and AMAZON_RELAY_DOMAIN not in p.email.lower()):
                return False
        return super()._is_applicable_to_move(method, move, **move_data)

    def _get_alerts(self, moves, moves_data):
        alerts = super()._get_alerts(moves, moves_data)
        amazon = moves.filtered(self._amazon_customer_invoice)
        if amazon:
            alerts.pop("account_missing_email", None)
            alerts["amazon_no_email"] = {
                "level": "info",
                "message": self.env._(
                    "Amazon shares no buyer email: invoices of Amazon customers are not emailed (never to Amazon's "
                    "relay address). Download the PDF and upload it to the order in Seller Central."
                ),
            }
        return alerts
