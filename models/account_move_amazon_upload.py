import hashlib
import json

from odoo import api, fields, models
from odoo.exceptions import UserError

from .. import const
from ..spapi.vat_invoice import VatDocument

UPLOAD_STATES = [
    ("to_upload", "To Upload"),
    ("sent", "Sent"),
    ("uploaded", "Uploaded"),
    ("error", "Upload Failed"),
]


class AccountMove(models.Model):
    """An invoice or credit note of an Amazon order, uploaded to Amazon (the invoices flow,
    ``amazon.invoice.sync``): its own upload state, the feed that carried it, Amazon's
    message, and the fingerprint of what was sent (a refused document goes again only once
    it changed, or when a user retries it)."""

    _inherit = "account.move"

    amazon_upload_state = fields.Selection(
        UPLOAD_STATES,
        string="Amazon Upload",
        readonly=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="To Upload: waits for the invoices flow. Sent: Amazon is processing it. Uploaded: Amazon accepted it. "
        "Upload Failed: Amazon refused it (see Amazon's message); it goes again once it changed, or with Retry.",
    )
    amazon_upload_error = fields.Text(string="Amazon's Message", readonly=True, copy=False)
    amazon_upload_feed_id = fields.Many2one("amazon.feed", string="Amazon Feed", readonly=True, copy=False)
    amazon_upload_key = fields.Char(readonly=True, copy=False, help="Fingerprint of the document last sent")
    amazon_upload_date = fields.Datetime(string="Uploaded to Amazon", readonly=True, copy=False)
    amazon_sale_order_id = fields.Many2one(
        "sale.order", string="Amazon Order", readonly=True, copy=False, index="btree_not_null"
    )
    amazon_upload_business = fields.Boolean(
        readonly=True, copy=False, help="An Amazon Business order: uploaded before the others."
    )
    amazon_transaction_ref = fields.Char(
        string="Amazon Refund Transaction",
        copy=False,
        help="The transaction id of the refund this credit note is for, sent to Amazon with it when known.",
    )

    # ------------------------------------------------------------------ CRUD

    def _post(self, soft=True):
        posted = super()._post(soft)
        documents = posted.filtered(lambda m: m.amazon_order_ref and m.move_type in ("out_invoice", "out_refund"))
        documents._amazon_queue_upload()
        return posted

    def button_draft(self):
        """A document set back to draft waits for its next posting (to_upload is only sent
        while posted); one already sent keeps its state."""
        res = super().button_draft()
        self.filtered(lambda m: m.amazon_upload_state == "to_upload").write({"amazon_upload_state": False})
        return res

    # ------------------------------------------------------------------ actions

    def action_amazon_upload_retry(self):
        """Upload these refused documents to Amazon again, as they are."""
        for move in self:
            if move.amazon_upload_state != "error":
                raise UserError(self.env._("%(move)s was not refused by Amazon.", move=move.display_name))
            if move.state != "posted":
                raise UserError(self.env._("Post %(move)s before it goes to Amazon.", move=move.display_name))
        self.write({"amazon_upload_state": "to_upload"})
        self._amazon_trigger_upload()
        return True

    # ------------------------------------------------------------------ business methods

    def _amazon_upload_order(self):
        """The Amazon sale order of this document: its lines' order, else the company's
        order of its Amazon reference."""
        self.ensure_one()
        order = self.invoice_line_ids.sale_line_ids.order_id.filtered("amazon_account_id")[:1]
        if not order and self.amazon_order_ref:
            order = (
                self.env["sale.order"]
                .sudo()
                .search(
                    [("amazon_order_ref", "=", self.amazon_order_ref), ("company_id", "=", self.company_id.id)],
                    order="id",
                    limit=1,
                )
            )
        return order

    def _amazon_upload_excluded(self, order):
        """Why this document must not go to Amazon (a short text), or None."""
        self.ensure_one()
        _ = self.env._
        if self.move_type not in ("out_invoice", "out_refund") or not self.amazon_order_ref:
            return _("not an invoice or credit note of an Amazon order")
        if self.state != "posted":
            return _("not posted")
        if not order or not order.amazon_account_id:
            return _("its Amazon order is not in Odoo")
        if order.amazon_marketplace_id.api_ref not in const.VAT_INVOICE_MARKETPLACES:
            return _("Amazon takes no invoice upload on %(marketplace)s", marketplace=order.amazon_marketplace_id.name)
        setting = order.amazon_account_id.sudo().marketplace_setting_ids.filtered(
            lambda s: s.marketplace_id == order.amazon_marketplace_id
        )
        if not setting.upload_invoices:
            marketplace = order.amazon_marketplace_id.name
            return _("Upload Invoices to Amazon is off for %(marketplace)s", marketplace=marketplace)
        if order.amazon_vcs_invoiced:
            return _("Amazon's VAT Calculation Service invoices this order")
        return None

    def _amazon_upload_key(self):
        """A fingerprint of what Amazon would receive: the document's number, date, amounts,
        customer, lines and Amazon data. Equal fingerprints: nothing changed."""
        self.ensure_one()
        partner = self.commercial_partner_id
        data = [
            self.name,
            str(self.invoice_date),
            self.currency_id.name,
            str(self.amount_total),
            str(self.amount_tax),
            partner.name,
            partner.vat,
            self.amazon_order_ref,
            self.amazon_transaction_ref,
            [
                (line.product_id.id, line.name, line.quantity, line.price_unit, line.discount, line.tax_ids.ids)
                for line in self.invoice_line_ids
            ],
        ]
        return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()

    def _amazon_vat_document(self):
        """The plain values Amazon receives with the PDF."""
        self.ensure_one()
        return VatDocument(
            order_ref=self.amazon_order_ref,
            number=self.name,
            credit_note=self.move_type == "out_refund",
            total=self.amount_total,
            vat=self.amount_tax,
            transaction_ref=self.amazon_transaction_ref or "",
        )

    def _amazon_upload_pdf(self):
        """Odoo's own invoice PDF: the one sent to the customer when there is one, else the
        invoice report rendered now (wkhtmltopdf)."""
        self.ensure_one()
        if self.invoice_pdf_report_id.raw:
            return self.invoice_pdf_report_id.raw
        content, _kind = (
            self.env["ir.actions.report"]
            .sudo()
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("account.report_invoice", self.ids)
        )
        return content

    def _amazon_queue_upload(self):
        """Queue the documents that must go to Amazon; leave alone those that must not and
        those Amazon already has (or refused) unchanged."""
        queued = self.env["account.move"]
        for move in self:
            order = move._amazon_upload_order()
            if move._amazon_upload_excluded(order):
                continue
            key = move._amazon_upload_key()
            if move.amazon_upload_state in ("uploaded", "error", "sent") and move.amazon_upload_key == key:
                continue  # Amazon has (or refused, or is reading) this very document
            move.sudo().write(
                {
                    "amazon_upload_state": "to_upload",
                    "amazon_sale_order_id": order.id,
                    "amazon_upload_business": order.amazon_business,
                }
            )
            queued |= move
        if queued:
            queued._amazon_trigger_upload()

    @api.model
    def _amazon_trigger_upload(self):
        """Wake the invoices flow (after this transaction commits)."""
        cron = self.env.ref("amazon_sp_connector.ir_cron_sync_invoices", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()
