import math
from datetime import timedelta
from urllib.parse import urlencode

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import float_round

from .. import const
from .amazon_import_cache import cached_ref, import_cache

STOCK_SYNC_STATES = [
    ("to_send", "To Send"),
    ("sent", "Sent"),
    ("done", "Up to Date"),
    ("error", "Error"),
]
# precommit data key: (product, warehouse) pairs whose free quantity changed in the transaction
CHANGED_PRODUCTS = "amazon_sp_connector.stock_changed_products"
# Kits inside kits: how deep the components of a changed product are followed.
MAX_KIT_DEPTH = 5


class AmazonOffer(models.Model):
    """The link between a seller SKU on Amazon and an Odoo product."""

    _name = "amazon.offer"
    _description = "Amazon Offer"
    _order = "account_id, sku"
    _rec_name = "sku"
    _check_company_auto = True

    account_id = fields.Many2one("amazon.account", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    marketplace_id = fields.Many2one("amazon.marketplace", help="Marketplace the offer was first seen on.")
    sku = fields.Char(string="SKU", required=True, help="The seller SKU on Amazon.")
    product_id = fields.Many2one(
        "product.product",
        required=True,
        check_company=True,
        domain="[('company_id', 'in', (False, company_id))]",
        help="Product sold under this SKU. Change it to re-map the SKU.",
    )
    fulfillment_channel = fields.Selection(
        [("fba", "Fulfilled by Amazon"), ("fbm", "Fulfilled by Merchant")],
        string="Fulfillment",
    )
    unmapped_reported = fields.Boolean(
        readonly=True, copy=False, help='The salesperson was told this SKU sells as "Amazon Sale".'
    )
    # ---- stock pushed to Amazon (FBM offers); written by the stock flow (amazon_stock_sync.py)
    sync_stock = fields.Boolean(
        default=True,
        help="Send this SKU's quantity to Amazon when it is fulfilled by the merchant: the product's free "
        "quantity in the account's FBM warehouse, minus the account's safety buffer.",
    )
    product_type = fields.Char(
        string="Amazon Product Type",
        help="Amazon's product type of the listing (e.g. LUGGAGE), sent with its quantity. Leave empty for "
        "Amazon's generic PRODUCT, which Amazon accepts for quantity updates of any listing.",
    )
    stock_sync_state = fields.Selection(
        STOCK_SYNC_STATES,
        string="Stock Sync",
        compute="_compute_stock_sync_state",
        store=True,
        readonly=True,
        copy=False,
        help="To Send: the quantity changed (or was never sent) and goes with the next stock run. "
        "Sent: Amazon is processing it. Up to Date: Amazon accepted the last quantity. "
        "Error: Amazon refused it (see the error); it is sent again when its quantity, product or "
        "product type changes, or with Retry Stock Sync. "
        "Empty: the offer's stock is not pushed (FBA, Sync Stock off, or not a physical product).",
    )
    last_quantity_sent = fields.Integer(readonly=True, copy=False)
    last_stock_sync = fields.Datetime(string="Quantity Sent On", readonly=True, copy=False)
    stock_sync_error = fields.Text(readonly=True, copy=False)
    # "product id:product type:quantity" of the message Amazon refused: not sent again as is
    stock_refused_key = fields.Char(compute="_compute_stock_sync_state", store=True, readonly=True, copy=False)
    stock_feed_id = fields.Many2one(
        "amazon.feed", readonly=True, copy=False, ondelete="set null", index="btree_not_null"
    )

    _sku_unique = models.Constraint("unique(account_id, sku)", "A SKU can only be mapped once per Amazon account.")
    # The stock flow reads only the offers with something to send: 500 of 10,000 in one index scan.
    _stock_pending_idx = models.Index("(account_id) WHERE stock_sync_state IN ('to_send', 'error')")
    _product_idx = models.Index("(product_id)")

    @api.depends(
        "fulfillment_channel", "sync_stock", "product_id", "product_id.type", "product_id.is_storable", "product_type"
    )
    def _compute_stock_sync_state(self):
        """Offers whose stock is pushed start (again) as To Send; the others have no state.
        One that is refused or sent with another product or product type goes again."""
        for offer in self:
            if not offer._amazon_pushes_stock():
                offer.stock_sync_state = False
                offer.stock_refused_key = False
            elif offer.stock_sync_state in (False, "error", "sent"):
                offer.stock_sync_state = "to_send"
                offer.stock_refused_key = False
            else:
                offer.stock_refused_key = offer.stock_refused_key

    def action_view_in_seller_central(self):
        """The SKU in Seller Central's inventory, on its marketplace's host."""
        self.ensure_one()
        base = (self.marketplace_id or self.account_id.base_marketplace_id).seller_central_url or ""
        query = urlencode({"searchField": "all", "searchTerm": self.sku})
        return {
            "type": "ir.actions.act_url",
            "url": f"{base.rstrip('/')}/myinventory/inventory?{query}",
            "target": "new",
        }

    def action_retry_stock_sync(self):
        """Send the quantity of these offers Amazon refused again, soon (the seller fixed the
        listing in Seller Central)."""
        offers = self.filtered(lambda o: o.stock_sync_state == "error")
        offers.write({"stock_sync_state": "to_send", "stock_refused_key": False})
        if offers:
            self._amazon_trigger_stock_push()

    def _amazon_pushes_stock(self):
        """Whether this offer's quantity is sent to Amazon: a merchant-fulfilled offer with
        Sync Stock, of a physical product other than the import's "Amazon Sale" fallback."""
        self.ensure_one()
        fallback = self.env.ref("amazon_sp_connector.product_amazon_sale", raise_if_not_found=False)
        return bool(
            self.sync_stock
            and self.fulfillment_channel == "fbm"
            and self.product_id.type == "consu"
            and self.product_id != fallback
        )

    def write(self, vals):
        remapped = self.filtered(lambda o: o.product_id.id != vals["product_id"]) if "product_id" in vals else None
        previous = {offer.id: offer.product_id for offer in remapped or ()}
        result = super().write(vals)
        if remapped:  # another product: Amazon has the quantity of the previous one
            remapped.filtered(lambda o: o.stock_sync_state in ("done", "sent")).stock_sync_state = "to_send"
            for offer in remapped:
                offer._amazon_remap_open_lines(previous[offer.id])
        return result

    def _amazon_remap_open_lines(self, old_product):
        """The SKU now sells as this offer's product: the open order lines that still carry
        ``old_product`` (nothing delivered or invoiced yet) take it, and their open delivery
        picks it instead.

        The delivery's moves are procured again, as for a new order: Odoo's procurement
        gives the line moves of the new product through its routes (a kit's components,
        exploded by ``mrp``), which join the open delivery; the old product's moves are then
        canceled and removed from it (kept, canceled, in a delivery they would leave empty).

        :returns: the sale order lines remapped
        """
        self.ensure_one()
        Line = self.env["sale.order.line"].sudo()
        lines = Line.search(
            [
                ("amazon_sku", "=", self.sku),
                ("order_id.amazon_account_id", "=", self.account_id.id),
                ("product_id", "=", old_product.id),
                ("state", "=", "sale"),
                ("qty_delivered", "=", 0),
                ("qty_invoiced", "=", 0),
            ]
        ).filtered(lambda line: not line.order_id.locked)
        product = self.product_id
        for line in lines:
            if line.move_ids.filtered(lambda m: m.state == "done"):
                continue  # something moved already: leave it to the user
            old_moves = line.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
            # Amazon's amounts stay as imported (written with the product, so not recomputed).
            # Odoo refuses users a product change on a line with moves (the moves would not
            # follow): here they are procured again, so sale's own check is passed over.
            keep = {
                "name": line.name,
                "price_unit": line.price_unit,
                "discount": line.discount,
                "tax_ids": [fields.Command.set(line.tax_ids.ids)],
                "extra_tax_data": line.extra_tax_data,
                "product_uom_id": product.uom_id.id,
            }
            models.Model.write(line, dict(keep, product_id=product.id))
            if old_moves:
                # The old product's moves are not the new product's: Odoo procures it all.
                line._action_launch_stock_rule()
                old_moves._action_cancel()
                emptied = old_moves.picking_id - (old_moves.picking_id.move_ids - old_moves).picking_id
                (old_moves - emptied.move_ids).unlink()
                line.order_id.picking_ids.filtered(
                    lambda p: p.state in ("confirmed", "waiting", "assigned")
                ).action_assign()
            line.order_id.message_post(
                body=self.env._(
                    "Amazon SKU %(sku)s now sells as %(product)s: its open line and delivery were updated.",
                    sku=self.sku,
                    product=product.display_name,
                )
            )
        return lines

    @api.model
    def _amazon_report_unmapped(self, account):
        """One activity for the account's salesperson listing the SKUs newly sold as "Amazon
        Sale", with a link to map their offers.

        :returns: the offers reported
        """
        fallback = self.env.ref("amazon_sp_connector.product_amazon_sale", raise_if_not_found=False)
        if not fallback:
            return self.browse()
        offers = self.sudo().search(
            [("account_id", "=", account.id), ("product_id", "=", fallback.id), ("unmapped_reported", "=", False)]
        )
        if not offers:
            return offers
        offers.unmapped_reported = True
        action = self.env.ref("amazon_sp_connector.action_amazon_offer")
        _ = account._amazon_salesperson_env()._  # the activity is the salesperson's: in their language
        link = Markup('<a href="/odoo/action-%s?view_type=list">%s</a>') % (action.id, _("map their offers"))
        account.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            summary=_("Amazon SKUs sold without a product"),
            note=Markup("%s<ul>%s</ul>%s")
            % (
                _('These Amazon SKUs were sold as "Amazon Sale": the warehouse cannot tell what to pick.'),
                Markup().join(Markup("<li>%s</li>") % sku for sku in offers.mapped("sku")),
                Markup(_("Open the Amazon offers and %(link)s: their open deliveries follow.", link=link)),
            ),
            user_id=(account.user_id or self.env.user).id,
        )
        return offers

    @api.model
    def _amazon_products(self, account, amazon_order, marketplace, channel):
        """Product of each SKU of an Amazon order: the account's offer, else the company's
        product whose internal reference is the SKU, else "Amazon Sale". Missing offers are
        created.

        :returns: dict SKU -> product.product
        """
        Offer = self.sudo()
        skus = {(item.get("product") or {}).get("sellerSku") or "" for item in amazon_order["orderItems"]}
        cache = import_cache(self.env)
        products = {}
        if cache is not None:  # the run knows the offers of the SKUs it saw
            products = {
                sku: cache.run[("offer", account.id, sku)] for sku in skus if cache.has(("offer", account.id, sku))
            }
        if skus - set(products):
            offers = Offer.search([("account_id", "=", account.id), ("sku", "in", list(skus - set(products)))])
            products.update((offer.sku, offer.product_id) for offer in offers)
        default = cached_ref(self.env, "amazon_sp_connector.product_amazon_sale")
        for sku in skus - set(products):
            if not sku:
                products[sku] = default
                continue
            product = self.env["product.product"].search(
                [("default_code", "=", sku), ("company_id", "in", (False, account.company_id.id))], limit=1
            )
            products[sku] = product or default
            if cache is not None:
                cache.put(("offer", account.id, sku), products[sku])
            Offer.create(
                {
                    "account_id": account.id,
                    "marketplace_id": marketplace.id,
                    "sku": sku,
                    "product_id": products[sku].id,
                    "fulfillment_channel": channel,
                }
            )
        return products

    @api.model
    def _amazon_prefetch_offers(self, account, amazon_orders, cache):
        """The products of a page's SKUs the run has not seen yet, looked up at once into the
        run's ``cache`` (SKUs without an offer are left to :meth:`_amazon_products`)."""
        skus = set()
        for amazon_order in amazon_orders:
            items = amazon_order.get("orderItems")
            for item in items if isinstance(items, list) else ():
                product = item.get("product") if isinstance(item, dict) else None
                sku = product.get("sellerSku") if isinstance(product, dict) else None
                if isinstance(sku, str) and sku and not cache.has(("offer", account.id, sku)):
                    skus.add(sku)
        if skus:
            for offer in self.sudo().search([("account_id", "=", account.id), ("sku", "in", sorted(skus))]):
                cache.put(("offer", account.id, offer.sku), offer.product_id)

    # ------------------------------------------------------------------ stock

    @api.model
    def _amazon_stock_changed(self, products, warehouse):
        """Note that the free quantity of ``products`` in ``warehouse`` changed in this
        transaction: the pushed offers of accounts pushing that warehouse are marked To Send
        at once (once per product and transaction), and again when the transaction commits,
        in case a savepoint rolled the first mark back."""
        if not warehouse:
            return  # no account pushes stock from outside a warehouse
        data = self.env.cr.precommit.data
        changed = data.get(CHANGED_PRODUCTS)
        if changed is None:
            changed = data[CHANGED_PRODUCTS] = set()
            env = self.env
            self.env.cr.precommit.add(lambda: env["amazon.offer"]._amazon_mark_stock_changed(changed))
        new = {(product_id, warehouse.id) for product_id in products.ids} - changed
        if new:
            changed.update(new)
            self._amazon_mark_stock_changed(new)

    @api.model
    def _amazon_mark_stock_changed(self, changes):
        """Mark To Send every pushed offer of these products and of the kits they are part of,
        in the accounts that push stock from the warehouse where it changed, and trigger the
        stock flow soon (:meth:`_amazon_trigger_stock_push`).

        Every such offer row is written, whatever its state: a stock run that computed its
        quantity from an older snapshot then conflicts with this transaction (PostgreSQL's
        repeatable read) and one of the two is retried, so Amazon never keeps a quantity
        older than a committed reservation. An offer Amazon refused is sent again only when
        its quantity changed (the run compares it with the refused message). Offers of other
        warehouses and of accounts that push no stock are not touched.

        :param changes: set of (product id, warehouse id)
        """
        by_warehouse = {}
        for product_id, warehouse_id in changes:
            by_warehouse.setdefault(warehouse_id, set()).add(product_id)
        pushing = self.env["amazon.account"].sudo().search([("sync_stock", "=", True)])
        self.flush_model(["stock_sync_state"])
        ids = []
        for warehouse_id, product_ids in by_warehouse.items():
            accounts = pushing.filtered(lambda a, w=warehouse_id: a._amazon_fbm_warehouse().id == w)
            product_ids = self._amazon_with_kits(product_ids)
            if not accounts or not product_ids:
                continue
            self.env.cr.execute(
                """
                UPDATE amazon_offer
                   SET stock_sync_state = 'to_send'
                 WHERE product_id = ANY(%s) AND account_id = ANY(%s) AND stock_sync_state IS NOT NULL
             RETURNING id
                """,
                [sorted(product_ids), accounts.ids],
            )
            ids += [row[0] for row in self.env.cr.fetchall()]
        if ids:
            self.browse(ids).invalidate_recordset(["stock_sync_state"])
            self._amazon_trigger_stock_push()

    @api.model
    def _amazon_trigger_stock_push(self):
        """Run the stock flow ``STOCK_PUSH_DELAY_SECONDS`` from now, unless it is already
        triggered by then: changes in a burst share one trigger, and one run."""
        cron = self.env.ref("amazon_sp_connector.ir_cron_sync_stock", raise_if_not_found=False)
        if not cron:
            return
        now = fields.Datetime.now()
        at = now + timedelta(seconds=const.STOCK_PUSH_DELAY_SECONDS)
        pending = (
            self.env["ir.cron.trigger"]
            .sudo()
            .search_count([("cron_id", "=", cron.id), ("call_at", ">", now), ("call_at", "<=", at)], limit=1)
        )
        if not pending:
            cron.sudo()._trigger(at=at)

    @api.model
    def _amazon_with_kits(self, product_ids):
        """``product_ids`` and the kits (``mrp`` kit bills of materials, when installed) that
        contain them, at any depth."""
        if "mrp.bom.line" not in self.env or not product_ids:
            return product_ids
        result = set(product_ids)
        todo = set(product_ids)
        for _depth in range(MAX_KIT_DEPTH):
            lines = (
                self.env["mrp.bom.line"]
                .sudo()
                .search(
                    [("product_id", "in", list(todo)), ("bom_id.type", "=", "phantom"), ("bom_id.active", "=", True)]
                )
            )
            kits = set()
            for bom in lines.bom_id:
                kits.update((bom.product_id or bom.product_tmpl_id.product_variant_ids).ids)
            todo = kits - result
            if not todo:
                break
            result |= todo
        return result

    def _amazon_free_quantities(self, warehouse, buffer=0):
        """What each offer tells Amazon it can ship: its product's free quantity (on hand minus
        reserved) in ``warehouse`` in whole units, complete kits for a kit, minus ``buffer``,
        never below 0.

        :returns: dict offer id -> int, and the offers whose product keeps no stock (neither
            storable nor a kit): they have no quantity to send
        """
        products = self.product_id.with_context(warehouse_id=warehouse.id)
        products.invalidate_recordset(["free_qty"])  # a kit's cached count does not follow its components
        tracked = products.filtered("is_storable")
        if "mrp.bom" in self.env:
            kits = self.env["mrp.bom"].sudo()._bom_find(products - tracked, bom_type="phantom")
            tracked |= products.filtered(lambda p: kits.get(p))
        free = {product.id: product.free_qty for product in tracked}
        quantities = {}
        untracked = self.browse()
        for offer in self:
            if offer.product_id.id not in free:
                untracked |= offer
                continue
            units = float_round(free[offer.product_id.id], precision_rounding=offer.product_id.uom_id.rounding)
            quantities[offer.id] = max(0, math.floor(units + 1e-9) - max(0, buffer))
        return quantities, untracked

    def _amazon_product_type(self):
        self.ensure_one()
        return (self.product_type or "").strip() or const.LISTINGS_DEFAULT_PRODUCT_TYPE

    def _amazon_stock_key(self, quantity):
        """What identifies the stock message of this offer: Amazon's answer to it is the same
        as long as it stays the same."""
        self.ensure_one()
        return f"{self.product_id.id}:{self._amazon_product_type()}:{quantity}"
