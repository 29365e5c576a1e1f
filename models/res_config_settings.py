from odoo import fields, models

from .. import const


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    amazon_account_count = fields.Integer(compute="_compute_amazon_account_count")
    amazon_payout_month_cutoff = fields.Boolean(related="company_id.amazon_payout_month_cutoff", readonly=False)
    # the integrator's SP-API application, for Connect with Amazon (administrators only)
    amazon_application_id = fields.Char(
        string="SP-API Application ID", config_parameter=const.PARAM_APPLICATION_ID, groups="base.group_system"
    )
    amazon_lwa_client_id = fields.Char(
        string="LWA Client ID", config_parameter=const.PARAM_LWA_CLIENT_ID, groups="base.group_system"
    )
    amazon_lwa_client_secret = fields.Char(
        string="LWA Client Secret", config_parameter=const.PARAM_LWA_CLIENT_SECRET, groups="base.group_system"
    )
    amazon_application_draft = fields.Boolean(
        string="Draft Application",
        config_parameter=const.PARAM_APPLICATION_DRAFT,
        groups="base.group_system",
        help="The application is still a draft in Amazon's Solution Provider Portal (not published on the "
        "Appstore): Connect with Amazon asks for its beta version (version=beta), as Amazon requires to "
        "authorize a draft. Untick it once the application is published.",
    )

    def _compute_amazon_account_count(self):
        count = self.env["amazon.account"].search_count([("company_id", "=", self.env.company.id)])
        for settings in self:
            settings.amazon_account_count = count
