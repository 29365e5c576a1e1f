from odoo import fields, models


class SaleOrder(models.Model):
    """What Amazon's VAT invoice data report (VAT Calculation Service) says about an
    order, read by the invoices flow before the order is invoiced."""

    _inherit = "sale.order"

    amazon_buyer_vat = fields.Char(
        string="Buyer VAT Number", readonly=True, copy=False, help="The business buyer's VAT number, as Amazon has it."
    )
    amazon_buyer_company = fields.Char(string="Buyer Business Name", readonly=True, copy=False)
    amazon_vcs_invoiced = fields.Boolean(
        string="Invoiced by Amazon",
        readonly=True,
        copy=False,
        help="Amazon's VAT Calculation Service issues this order's invoice: Odoo's is never uploaded.",
    )
    amazon_vcs_invoice_ref = fields.Char(
        string="Amazon Invoice Number", readonly=True, copy=False, help="The number of the invoice Amazon issued."
    )
    amazon_vcs_total = fields.Monetary(
        string="Amazon's Total (VAT incl.)", readonly=True, copy=False, help="Amazon's VAT computation: the total."
    )
    amazon_vcs_vat = fields.Monetary(
        string="Amazon's VAT", readonly=True, copy=False, help="Amazon's VAT computation: the VAT of the order."
    )
    amazon_vcs_refunds = fields.Json(
        readonly=True, copy=False, help="Amazon's refund transactions of the order: transaction id -> amount"
    )
