"""The Amazon import's builders and lookups (sale.order, continued): what an Amazon order
becomes in Odoo, a customer, a confirmed sale order with Amazon's exact amounts, its FBM
delivery or FBA moves. The orders flow (``amazon_order_sync.py``) calls :meth:`_amazon_import`
for each order.
"""

import logging
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from odoo import api, fields, models
from odoo.tools import escape_psql, html_escape

from .. import const
from ..exceptions import AmazonRecordError
from ..spapi import SpApiSession
from .amazon_import_cache import CONTEXT_KEY, cached, cached_ref, import_cache

_logger = logging.getLogger(__name__)

# Categories of Amazon's proceeds breakdowns, as the import groups them.
ITEM, SHIPPING, GIFT_WRAP, PROMOTION, SHIPPING_DISCOUNT, OTHER = (
    "ITEM",
    "SHIPPING",
    "GIFT_WRAP",
    "PROMOTION",
    "SHIPPING_DISCOUNT",
    "OTHER",
)
TAX_SUBTYPE_CATEGORY = {
    "ITEM": ITEM,
    "SHIPPING": SHIPPING,
    "GIFT_WRAP": GIFT_WRAP,
    "DISCOUNT": PROMOTION,
    "COD_FEE": OTHER,
    "OTHER": OTHER,
}


def money(value):
    """Amazon's decimal string -> Decimal (never float)."""
    if isinstance(value, dict):
        value = value.get("amount")
    if value in (None, ""):
        return Decimal(0)
    return Decimal(str(value))


def split_item_proceeds(item, free=False):
    """Amounts and taxes of one Amazon order item, per category.

    :param free: the item of a replacement or exchange order: no price at all means 0
    :returns: (amounts, taxes): two dicts category -> Decimal. Discounts are negative.
    :raises AmazonRecordError: when the item carries no price at all (and is not free)
    """
    amounts, taxes = defaultdict(Decimal), defaultdict(Decimal)
    breakdowns = (item.get("proceeds") or {}).get("breakdowns")
    if breakdowns is None:
        unit = ((item.get("product") or {}).get("price") or {}).get("unitPrice")
        if not unit and free:
            return {ITEM: Decimal(0)}, {}
        if not unit:
            raise AmazonRecordError(
                f"Order item {str(item.get('orderItemId'))[:40]} has neither proceeds nor a unit price"
            )
        amounts[ITEM] = money(unit) * int(item["quantityOrdered"])
        return dict(amounts), dict(taxes)
    for breakdown in breakdowns:
        kind = breakdown["type"]
        subtotal = money(breakdown["subtotal"])
        details = breakdown.get("detailedBreakdowns") or []
        if kind == "TAX":
            if details:
                for detail in details:
                    taxes[TAX_SUBTYPE_CATEGORY.get(detail.get("subtype"), OTHER)] += money(detail["value"])
            else:
                taxes[ITEM] += subtotal
        elif kind == "DISCOUNT":
            parts = [(d.get("subtype"), money(d["value"])) for d in details] or [("ITEM", subtotal)]
            for subtype, value in parts:
                category = SHIPPING_DISCOUNT if subtype == "SHIPPING" else PROMOTION
                amounts[category] -= abs(value)
        elif kind in (ITEM, SHIPPING, GIFT_WRAP):
            amounts[kind] += subtotal
        else:  # COD_FEE, OTHER
            amounts[OTHER] += subtotal
    amounts.setdefault(ITEM, Decimal(0))
    return dict(amounts), dict(taxes)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------------ mapping (pure)

    @api.model
    def _amazon_prepare_order_values(
        self, account, amazon_order, marketplace, partners, products, pricelist, fiscal_position
    ):
        """Values of the sale order for an Amazon order (nothing is written).

        :param marketplace: the order's amazon.marketplace
        :param partners: result of ``res.partner._amazon_find_or_create_customer``
        :param products: dict SKU -> product.product
        :param pricelist: product.pricelist in the order's currency
        :param fiscal_position: account.fiscal.position (maybe empty)
        :returns: dict for ``sale.order.create``
        """
        fulfillment = amazon_order.get("fulfillment") or {}
        channel = const.FULFILLED_BY_TO_CHANNEL.get(fulfillment.get("fulfilledBy"), "fbm")
        lines = self._amazon_prepare_lines_values(
            account,
            amazon_order,
            products,
            fiscal_position,
            pricelist.currency_id or account.company_id.currency_id,
            marketplace,
        )
        return {
            "partner_id": partners["partner"].id,
            "partner_invoice_id": partners["invoice"].id,
            "partner_shipping_id": partners["shipping"].id,
            "company_id": account.company_id.id,
            "team_id": self._amazon_team(account, marketplace).id,
            "user_id": account.user_id.id,
            "date_order": SpApiSession.parse_time(amazon_order["createdTime"]),
            "pricelist_id": pricelist.id,
            "fiscal_position_id": fiscal_position.id,
            "warehouse_id": (
                (channel == "fba" and self._amazon_fba_location(account, marketplace).warehouse_id)
                or self._amazon_warehouse(account, marketplace)
            ).id,
            "client_order_ref": amazon_order["orderId"],
            "origin": self.env._("Amazon %(ref)s", ref=amazon_order["orderId"]),
            "require_signature": False,
            "require_payment": False,
            "amazon_account_id": account.id,
            "amazon_order_ref": amazon_order["orderId"],
            "amazon_marketplace_id": marketplace.id,
            "amazon_channel": channel,
            "amazon_status": fulfillment.get("fulfillmentStatus"),
            **self._amazon_prepare_promise_values(amazon_order),
            "order_line": [fields.Command.create(values) for values in lines],
        }

    @api.model
    def _amazon_prepare_promise_values(self, amazon_order):
        """The buyer's promise of an Amazon order: ship-by and deliver-by windows, service
        level and programs (nothing is written).

        What Amazon leaves out (a window, an unknown service level) is left out, so that
        an update never erases what an earlier answer gave; programs are always given.

        :returns: dict of sale.order values (``commitment_date`` = end of the deliver-by window)
        """
        fulfillment = amazon_order.get("fulfillment") or {}
        values = {}
        ship_start, ship_end = self._amazon_window(fulfillment.get("shipByWindow"))
        if ship_end:
            values["amazon_ship_by"] = ship_end
            values["amazon_ship_by_start"] = ship_start or False
        _deliver_start, deliver_end = self._amazon_window(fulfillment.get("deliverByWindow"))
        if deliver_end:
            values["commitment_date"] = deliver_end
        level = fulfillment.get("fulfillmentServiceLevel")
        if level in dict(const.SERVICE_LEVELS):
            values["amazon_service_level"] = level
        programs = amazon_order.get("programs")
        programs = set(programs) if isinstance(programs, list) else set()
        values.update(
            amazon_prime=const.PROGRAM_PRIME in programs,
            amazon_premium=const.PROGRAM_PREMIUM in programs,
            amazon_business=const.PROGRAM_BUSINESS in programs,
        )
        return values

    @api.model
    def _amazon_window(self, window):
        """Amazon's ``DateTimeRange`` -> (start, end) as naive UTC datetimes, None for a
        bound it does not give or gives unreadable (a promise is never worth a failed import)."""
        bounds = []
        for key in ("earliestDateTime", "latestDateTime"):
            value = window.get(key) if isinstance(window, dict) else None
            try:
                bounds.append(SpApiSession.parse_time(value) if isinstance(value, str) else None)
            except ValueError:
                bounds.append(None)
        return tuple(bounds)

    def _amazon_ship_from(self):
        """When the delivery is scheduled: the start of Amazon's ship-by window, or now when
        that is later (an order imported inside its window)."""
        self.ensure_one()
        return max(self.amazon_ship_by_start or fields.Datetime.now(), fields.Datetime.now())

    @api.model
    def _amazon_prepare_lines_values(self, account, amazon_order, products, fiscal_position, currency, marketplace):
        """Sale order lines of an Amazon order: one per item, then aggregated charges.

        Money rule (README, "Amounts"): each line carries Amazon's exact untaxed amount and
        tax amount through ``extra_tax_data``, so that the order's untaxed amount and total
        equal Amazon's to the cent.
        """
        company = account.company_id
        fulfillment = amazon_order.get("fulfillment") or {}
        zero = Decimal(0)
        lines = []
        totals = {}  # category -> {"amount", "tax", "taxed"}: order-level charges
        promotion_ids = []
        notes = []
        gift_messages = []  # the buyer's words: erased when the buyer is anonymized

        # Amazon the deemed supplier (EU/UK) or the facilitator: its tax, not the seller's output VAT
        collected = any(
            tax.get("model") == "MARKETPLACE_FACILITATOR"
            for item in amazon_order["orderItems"]
            for tax in ((item.get("tax") or {}).get("taxCollections") or [])
        )

        def priced(product, quantity, category, amounts, taxes):
            return self._amazon_prepare_priced_line(
                product,
                quantity,
                amounts.get(category, zero),
                taxes.get(category, zero),
                category in taxes,
                fiscal_position,
                currency,
                marketplace,
                company,
                collected_by_amazon=collected,
            )

        free = bool(self._amazon_association(amazon_order)[0])  # a replacement's items may carry no price
        for item in amazon_order["orderItems"]:
            sku = (item.get("product") or {}).get("sellerSku") or ""
            if int(item["quantityOrdered"]) <= 0:  # canceled out of a partially canceled order
                notes.append(
                    self.env._("Canceled on Amazon: %(item)s", item=self._amazon_item_description(item).split("\n")[0])
                )
                continue
            amounts, taxes = split_item_proceeds(item, free=free)
            lines.append(
                dict(
                    priced(products[sku], int(item["quantityOrdered"]), ITEM, amounts, taxes),
                    name=self._amazon_item_description(item),
                    amazon_item_ref=item["orderItemId"],
                    amazon_sku=sku or False,
                    amazon_quantity=int(item["quantityOrdered"]),
                )
            )
            gift_option = (((item.get("fulfillment") or {}).get("packing") or {}).get("giftOption")) or {}
            if GIFT_WRAP in amounts or GIFT_WRAP in taxes:
                level = gift_option.get("giftWrapLevel")
                lines.append(
                    dict(
                        priced(
                            cached_ref(self.env, "amazon_sp_connector.product_amazon_gift_wrap"),
                            1,
                            GIFT_WRAP,
                            amounts,
                            taxes,
                        ),
                        name=self.env._(
                            "Gift wrapping %(level)s[%(sku)s]", level=f"{level} " if level else "", sku=sku
                        ),
                        amazon_charge=f"{GIFT_WRAP}:{item['orderItemId']}",
                    )
                )
            for category in (SHIPPING, PROMOTION, SHIPPING_DISCOUNT, OTHER):
                if category in amounts or category in taxes:
                    total = totals.setdefault(category, {"amount": zero, "tax": zero, "taxed": False})
                    total["amount"] += amounts.get(category, zero)
                    total["tax"] += taxes.get(category, zero)
                    total["taxed"] |= category in taxes
            promotion_ids += [
                p["promotionId"]
                for p in ((item.get("promotion") or {}).get("breakdowns") or [])
                if p.get("promotionId")
            ]
            if gift_option.get("giftMessage"):
                gift_messages.append(
                    self.env._("Gift message for %(sku)s: %(message)s", sku=sku, message=gift_option["giftMessage"])
                )

        shipping_product = self._amazon_shipping_product(account, fulfillment.get("fulfillmentServiceLevel"))
        promotion_product = cached_ref(self.env, "amazon_sp_connector.product_amazon_promotion")
        labels = {
            SHIPPING: (shipping_product, shipping_product.name),
            PROMOTION: (
                promotion_product,
                self.env._("Promotion discount")
                + (f" ({', '.join(sorted(set(promotion_ids)))})" if promotion_ids else ""),
            ),
            SHIPPING_DISCOUNT: (promotion_product, self.env._("Shipping discount")),
            OTHER: (shipping_product, self.env._("Other charges")),
        }
        for category, (product, label) in labels.items():
            total = totals.get(category)
            if not total or (not total["amount"] and not total["tax"]):
                continue
            amounts, taxes = {category: total["amount"]}, ({category: total["tax"]} if total["taxed"] else {})
            lines.append(dict(priced(product, 1, category, amounts, taxes), name=label, amazon_charge=category))
        for values in lines:  # given, not computed after the insert: one UPDATE less per order
            values.setdefault("amazon_quantity", 0)
        for note in notes:
            lines.append({"display_type": "line_note", "name": note})
        for message in gift_messages:
            lines.append({"display_type": "line_note", "name": message, "amazon_gift_message": True})
        return lines

    @api.model
    def _amazon_prepare_priced_line(
        self,
        product,
        quantity,
        amount,
        amazon_tax,
        tax_given,
        fiscal_position,
        currency,
        marketplace,
        company,
        collected_by_amazon=False,
        taxes=None,
    ):
        """Price, taxes and exact amounts of one line.

        * Marketplaces where tax is added on top (US, CA): the amount is untaxed and the
          line gets the company's "Amazon Tax" carrying Amazon's tax amount (0 if none).
        * Marketplaces with tax-included prices (EU, UK, JP, ...): the line gets the
          product's taxes mapped by the fiscal position. When Amazon reports the tax (a
          TAX breakdown), the amount is untaxed and Amazon's tax is used; otherwise the
          amount is tax-included and the tax is taken out of it at the taxes' rate.
        * Tax Amazon collects and remits (``collected_by_amazon``: the items' tax collection
          model is MARKETPLACE_FACILITATOR, e.g. Amazon the deemed supplier in the EU/UK):
          the "Amazon Tax", never the seller's output VAT.
        * ``taxes`` given (a credit note at its invoice's taxes): those.

        :returns: dict with ``product_id``, ``product_uom_qty``, ``price_unit``, ``tax_ids``,
            ``extra_tax_data``
        """
        if taxes is None:
            taxes = self.env["account.tax"]
            if marketplace.tax_included and not collected_by_amazon:
                taxes = fiscal_position.map_tax(product.taxes_id._filter_taxes_by_company(company))
        if not taxes:
            taxes = self._amazon_tax(company)
        digits = Decimal(1).scaleb(-currency.decimal_places)
        if tax_given or not marketplace.tax_included:
            base, tax = amount, amazon_tax
        else:
            rate = sum(Decimal(str(t.amount)) for t in taxes if t.amount_type in ("percent", "division"))
            tax = (amount * rate / (100 + rate)).quantize(digits, rounding=ROUND_HALF_UP) if rate else Decimal(0)
            base = amount - tax
        price_digits = self.env["decimal.precision"].precision_get("Product Price")
        price_unit = float((base / quantity).quantize(Decimal(1).scaleb(-price_digits), rounding=ROUND_HALF_UP))
        manual = {}
        for index, tax_record in enumerate(taxes):
            manual[str(tax_record.id)] = {
                "base_amount_currency": float(base),
                "tax_amount_currency": float(tax) if index == 0 else 0.0,
            }
        return {
            "product_id": product.id,
            "product_uom_qty": quantity,
            "price_unit": price_unit,
            "discount": 0.0,
            "tax_ids": [fields.Command.set(taxes.ids)],
            "extra_tax_data": {
                "currency_id": currency.id,
                "price_unit": price_unit,
                "discount": 0.0,
                "quantity": float(quantity),
                "manual_total_excluded_currency": float(base),
                "manual_tax_amounts": manual,
            },
        }

    @api.model
    def _amazon_item_description(self, item):
        product = item.get("product") or {}
        description = f"[{product.get('sellerSku') or ''}] {product.get('title') or ''}".strip()
        condition = product.get("condition") or {}
        if condition.get("conditionType") and condition["conditionType"].upper() != "NEW":
            subtype = condition.get("conditionSubtype")
            text = condition["conditionType"].replace("_", " ").title()
            if subtype and subtype.upper() != condition["conditionType"].upper():
                text += " - " + subtype.replace("_", " ").title()
            description += "\n" + self.env._("Condition: %(condition)s", condition=text)
        return description

    @api.model
    def _amazon_marketplace(self, amazon_order):
        ref = (amazon_order.get("salesChannel") or {}).get("marketplaceId")
        marketplace = cached(
            self.env,
            ("marketplace", str(ref)),
            lambda: self.env["amazon.marketplace"].search([("api_ref", "=", ref)], limit=1),
        )
        if not marketplace:
            raise AmazonRecordError(self.env._("Unknown Amazon marketplace %(ref)s", ref=str(ref)[:40]))
        return marketplace

    @api.model
    def _amazon_order_currency(self, amazon_order, marketplace, original=None):
        """The currency Amazon gives the order's amounts in; else (a replacement without any
        amount) the original order's; else the marketplace's."""
        for item in amazon_order["orderItems"]:
            total = ((item.get("proceeds") or {}).get("proceedsTotal")) or {}
            if total.get("currencyCode"):
                return total["currencyCode"]
            unit = (((item.get("product") or {}).get("price") or {}).get("unitPrice")) or {}
            if unit.get("currencyCode"):
                return unit["currencyCode"]
        grand = ((amazon_order.get("proceeds") or {}).get("grandTotal")) or {}
        return grand.get("currencyCode") or (original and original.currency_id.name) or marketplace.currency_id.name

    @api.model
    def _amazon_association(self, amazon_order):
        """The order this one replaces or exchanges, as Amazon says.

        :returns: (association, original Amazon order ref) or (False, False)
        """
        for associated in amazon_order.get("associatedOrders") or []:
            kind = const.ASSOCIATION_TYPES.get((associated or {}).get("associationType"))
            if kind and associated.get("orderId"):
                return kind, associated["orderId"]
        return False, False

    @api.model
    def _amazon_grand_total(self, amazon_order):
        """Amazon's total of the order: the sum of its items' proceeds."""
        return sum(
            (money((i.get("proceeds") or {}).get("proceedsTotal")) for i in amazon_order["orderItems"]), Decimal(0)
        )

    # ------------------------------------------------------------------ helpers with lookups

    @api.model
    def _amazon_tax(self, company):
        """The company's 0% "Amazon Tax": carries Amazon's exact tax amounts on a line."""
        return cached(self.env, ("amazon_tax", company.id), lambda: self._amazon_find_or_create_tax(company))

    @api.model
    def _amazon_find_or_create_tax(self, company):
        Tax = self.env["account.tax"].sudo().with_company(company)
        tax = Tax.search(
            [("company_id", "=", company.id), ("type_tax_use", "=", "sale"), ("name", "=", "Amazon Tax")], limit=1
        )
        if not tax:
            country = company.account_fiscal_country_id or company.country_id
            if not country:
                raise AmazonRecordError(
                    self.env._("Set the country of company %(company)s: its taxes need one.", company=company.name)
                )
            # its own group, so that order and invoice totals say "Amazon Tax", not another tax's name
            Group = self.env["account.tax.group"].sudo().with_company(company)
            group = Group.search([("company_id", "=", company.id), ("name", "=", "Amazon Tax")], limit=1)
            if not group:
                group = Group.create({"name": "Amazon Tax", "company_id": company.id, "country_id": country.id})
            # the tax Amazon collects and remits is not the seller's revenue: a clearing account
            # that the settlement's withheld tax clears (README, "Accountants")
            collected = self.env["amazon.payout.mapping"]._default_account(company, "tax")
            repartition = [
                fields.Command.create({"repartition_type": "base"}),
                fields.Command.create({"repartition_type": "tax", "account_id": collected.id}),
            ]
            tax = Tax.create(
                {
                    "name": "Amazon Tax",
                    "invoice_repartition_line_ids": repartition,
                    "refund_repartition_line_ids": repartition,
                    "tax_group_id": group.id,
                    "country_id": country.id,
                    "description": "Tax amount as computed by Amazon",
                    "amount_type": "percent",
                    "amount": 0.0,
                    "type_tax_use": "sale",
                    "company_id": company.id,
                }
            )
        return tax

    @api.model
    def _amazon_shipping_product(self, account, service_level):
        return cached(
            self.env,
            ("shipping_product", account.company_id.id, service_level),
            lambda: self._amazon_find_shipping_product(account, service_level),
        )

    @api.model
    def _amazon_find_shipping_product(self, account, service_level):
        if service_level:
            product = self.env["product.product"].search(
                [
                    ("default_code", "=ilike", escape_psql(service_level)),
                    ("type", "=", "service"),
                    ("company_id", "in", (False, account.company_id.id)),
                ],
                limit=1,
            )
            if product:
                return product
        return cached_ref(self.env, "amazon_sp_connector.product_amazon_shipping")

    @api.model
    def _amazon_pricelist(self, company, currency_code):
        """The pricelist giving an order Amazon's currency.

        None for the company's currency (an order without pricelist is in it). For another
        currency: the company's pricelist in it, created if needed; the currency and the
        Pricelists feature are activated (without the feature, saving the settings would
        archive every pricelist).
        """
        return cached(
            self.env,
            ("pricelist", company.id, str(currency_code)),
            lambda: self._amazon_find_or_create_pricelist(company, currency_code),
        )

    @api.model
    def _amazon_find_or_create_pricelist(self, company, currency_code):
        currency = (
            self.env["res.currency"].with_context(active_test=False).search([("name", "=", currency_code)], limit=1)
        )
        if not currency:
            raise AmazonRecordError(self.env._("Unknown currency %(code)s", code=str(currency_code)[:10]))
        if currency == company.currency_id:
            return self.env["product.pricelist"]
        if not currency.active:
            currency.sudo().active = True
        group_user, group_pricelist = self.env.ref("base.group_user"), self.env.ref("product.group_product_pricelist")
        if group_pricelist not in group_user.sudo().implied_ids:  # applying it again flushes every worker's caches
            group_user.sudo()._apply_group(group_pricelist)
        Pricelist = self.env["product.pricelist"].sudo()
        pricelist = Pricelist.search(
            [("currency_id", "=", currency.id), ("company_id", "in", (False, company.id))],
            order="company_id desc, sequence, id",
            limit=1,
        )
        if not pricelist:
            pricelist = Pricelist.create(
                {"name": f"Amazon {currency.name}", "currency_id": currency.id, "company_id": company.id}
            )
        return pricelist

    @api.model
    def _amazon_fiscal_position(self, company, invoice, shipping):
        """Odoo's fiscal position of an order billed to ``invoice`` and shipped to
        ``shipping``; within a run, once per combination of what Odoo decides it on (the
        partners' VAT numbers, countries, states, postal codes and fiscal positions set by
        hand)."""

        def compute():
            Position = self.env["account.fiscal.position"].with_company(company)
            return Position._get_fiscal_position(invoice, delivery=shipping)

        invoice, shipping = invoice.with_company(company), shipping.with_company(company)
        key = (
            "fiscal_position",
            company.id,
            *(
                (
                    partner.vat or "",
                    partner.country_id.id,
                    partner.state_id.id,
                    partner.zip or "",
                    partner.property_account_position_id.id,
                )
                for partner in (invoice, shipping)
            ),
        )
        return cached(self.env, key, compute)

    @api.model
    def _amazon_marketplace_setup(self, account, marketplace):
        """(team, FBM warehouse, FBA location) of the marketplace's orders on ``account``."""
        return cached(
            self.env,
            ("setup", account.id, marketplace.id),
            lambda: (
                account._amazon_team_for(marketplace),
                account._amazon_warehouse_for(marketplace),
                account._amazon_fba_location_for(marketplace),
            ),
        )

    @api.model
    def _amazon_team(self, account, marketplace):
        return self._amazon_marketplace_setup(account, marketplace)[0]

    @api.model
    def _amazon_warehouse(self, account, marketplace):
        return self._amazon_marketplace_setup(account, marketplace)[1]

    @api.model
    def _amazon_fba_location(self, account, marketplace):
        return self._amazon_marketplace_setup(account, marketplace)[2]

    # ------------------------------------------------------------------ business

    @api.model
    def _amazon_import(self, account, amazon_order, cache=None):
        """Create, cancel or update the sale order of one Amazon order.

        :param cache: the run's :class:`~.amazon_import_cache.ImportCache`, if any
        :returns: ``created``, ``canceled``, ``return_needed``, ``shipped``, ``updated``,
            ``unchanged`` or ``ignored``
        :raises AmazonRecordError: when the order cannot be imported (safe reason)
        """
        if cache is not None:  # the run's lookups go along with the order's import
            return self.with_context(**{CONTEXT_KEY: cache})._amazon_import(account, amazon_order)
        ref = amazon_order["orderId"]
        fulfillment = amazon_order.get("fulfillment") or {}
        if not isinstance(fulfillment, dict) or not isinstance(amazon_order.get("orderItems"), list):
            raise AmazonRecordError(self.env._("Amazon order %(ref)s has no usable fulfillment or items.", ref=ref))
        status = fulfillment.get("fulfillmentStatus")
        channel = const.FULFILLED_BY_TO_CHANNEL.get(fulfillment.get("fulfilledBy"))
        if status not in const.FULFILLMENT_STATUSES or not channel:
            raise AmazonRecordError(
                self.env._("Amazon order %(ref)s has no known fulfillment status and channel.", ref=ref)
            )
        order = self._amazon_find_order(account, ref)
        if order:
            promise_changed = order._amazon_apply_promise(amazon_order)
            outcome = order._amazon_apply_status(status)
            items_changed = order._amazon_apply_items(amazon_order)
            if (promise_changed or items_changed) and outcome == "unchanged":
                outcome = "updated"
            return outcome
        if status in const.CREATING_STATUSES.get(channel, ()):
            self._amazon_create(account, amazon_order, channel)
            return "created"
        return "ignored"

    @api.model
    def _amazon_find_order(self, account, ref):
        """The sale order of Amazon order ``ref``, whichever account of the seller imported it:
        a marketplace moved from one account to another (or a second registration of the
        seller) never gives an Amazon order a second sale order. Within a run, the page's
        orders were looked up at once (:meth:`_amazon_prefetch_page`)."""
        cache = import_cache(self.env)
        if cache is not None and cache.has(("order", account.id, ref), page=True):
            return cache.page[("order", account.id, ref)]
        return self._amazon_find_orders(account, [ref]).get(ref, self.browse())

    @api.model
    def _amazon_find_orders(self, account, refs):
        """:meth:`_amazon_find_order` of many references, in one query.

        :returns: dict reference -> sale.order (references without one are left out)
        """
        same = [("amazon_account_id", "=", account.id)]
        if account.seller_id:
            same = ["|", *same, ("amazon_seller_ref", "=", account.seller_id)]
        found = {}
        for order in self.search([("amazon_order_ref", "in", list(refs)), *same], order="id"):
            first = found.get(order.amazon_order_ref)
            if not first or (first.amazon_account_id != account and order.amazon_account_id == account):
                found[order.amazon_order_ref] = order
        return found

    @api.model
    def _amazon_prefetch_page(self, account, amazon_orders, cache):
        """Look up what a page of orders needs with one query each, into the run's ``cache``:
        the page's sale orders across the seller's accounts, its buyers, and the offers of
        its SKUs not seen earlier in the run.

        :param amazon_orders: the page's orders (dicts; malformed ones are skipped)
        """
        cache.new_page()
        orders = [o for o in amazon_orders if isinstance(o, dict) and isinstance(o.get("orderId"), str)]
        refs = [o["orderId"] for o in orders]
        if not refs:
            return
        found = self._amazon_find_orders(account, refs)
        for ref in refs:
            cache.put(("order", account.id, ref), found.get(ref, self.browse()), page=True)
        new = [o for o in orders if o["orderId"] not in found]
        self.env["res.partner"]._amazon_prefetch_buyers(account, new, cache)
        self.env["amazon.offer"]._amazon_prefetch_offers(account, new, cache)

    def _amazon_create(self, account, amazon_order, channel):
        """Customer, confirmed sale order and FBM picking or FBA moves of an Amazon order."""
        company = account.company_id
        SaleOrder = self.with_company(company).with_context(mail_create_nolog=True)
        marketplace = SaleOrder._amazon_marketplace(amazon_order)
        cached(self.env, "fallback_products", self.env["product.product"]._amazon_restore_fallbacks)
        partners = self.env["res.partner"]._amazon_find_or_create_customer(account, amazon_order)
        products = self.env["amazon.offer"]._amazon_products(account, amazon_order, marketplace, channel)
        association, original_ref = SaleOrder._amazon_association(amazon_order)
        original = SaleOrder._amazon_find_order(account, original_ref) if original_ref else SaleOrder
        pricelist = SaleOrder._amazon_pricelist(
            company, SaleOrder._amazon_order_currency(amazon_order, marketplace, original)
        )
        fiscal_position = SaleOrder._amazon_fiscal_position(company, partners["invoice"], partners["shipping"])
        values = SaleOrder._amazon_prepare_order_values(
            account, amazon_order, marketplace, partners, products, pricelist, fiscal_position
        )
        if association:
            values.update(
                amazon_association=association,
                amazon_original_order_ref=original_ref,
                amazon_original_order_id=original.id,
            )
        if channel == "fba":  # services go with the goods Amazon shipped: delivered from the start
            for _command, _id, line in values["order_line"]:
                if line.get("product_id") and self.env["product.product"].browse(line["product_id"]).type != "consu":
                    line["qty_delivered"] = line["product_uom_qty"]
        order = SaleOrder.create(values)
        cache = import_cache(self.env)
        if cache is not None:
            cache.put(("order", account.id, order.amazon_order_ref), order, page=True)
        order.with_context(skip_procurement=channel == "fba").action_confirm()
        if channel == "fba":
            order._amazon_create_fba_moves()
        if association:
            order._amazon_link_original(original)
        if partners["unknown_state"]:
            _ = account._amazon_salesperson_env()._
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                summary=_("Check the customer's state"),
                note=_(
                    "Amazon gave the state or region %(state)s, which matches no state of %(country)s.",
                    state=html_escape(partners["unknown_state"]),
                    country=partners["shipping"].country_id.name,
                ),
                user_id=(account.user_id or self.env.user).id,
            )
        expected = SaleOrder._amazon_grand_total(amazon_order)
        if order.currency_id.compare_amounts(order.amount_total, float(expected)):
            _logger.warning(
                "Amazon order %s: total %s differs from Amazon's %s",
                order.amazon_order_ref,
                order.amount_total,
                expected,
            )
            order.message_post(
                body=self.env._(
                    "The order total %(total)s differs from Amazon's %(amazon)s.",
                    total=order.amount_total,
                    amazon=expected,
                )
            )
        return order

    def _amazon_link_original(self, original):
        """Say on both orders that this one replaces (or exchanges) ``original``."""
        self.ensure_one()
        kind = dict(self._fields["amazon_association"]._description_selection(self.env))[self.amazon_association]
        if original:
            self.message_post(
                body=self.env._(
                    "%(kind)s of Amazon order %(ref)s (%(order)s).",
                    kind=kind,
                    ref=self.amazon_original_order_ref,
                    order=original._get_html_link(),
                )
            )
            original.message_post(
                body=self.env._(
                    "Amazon sent order %(ref)s (%(order)s) for this order: %(kind)s.",
                    kind=kind,
                    ref=self.amazon_order_ref,
                    order=self._get_html_link(),
                )
            )
        else:
            self.message_post(
                body=self.env._(
                    "%(kind)s of Amazon order %(ref)s, which is not in Odoo.",
                    kind=kind,
                    ref=self.amazon_original_order_ref,
                )
            )

    def _amazon_create_fba_moves(self):
        """FBA: goods left Amazon's warehouse. One done move per goods line, from the
        account's FBA location to Customers, linked to the sale line; services are marked
        delivered, so the whole order can be invoiced."""
        customers = cached_ref(self.env, "stock.stock_location_customers")
        moves_values = []
        for order in self:
            location = self._amazon_fba_location(order.amazon_account_id, order.amazon_marketplace_id)
            if not location:
                raise AmazonRecordError(
                    self.env._(
                        "Amazon account %(account)s has no FBA stock location.", account=order.amazon_account_id.name
                    )
                )
            for line in order.order_line.filtered(lambda line: not line.display_type):
                if line.product_id.type != "consu":
                    if line.qty_delivered != line.product_uom_qty:  # given at creation by the import
                        line.qty_delivered = line.product_uom_qty
                    continue
                moves_values.append(
                    {
                        "product_id": line.product_id.id,
                        "product_uom_qty": line.product_uom_qty,
                        "product_uom": line.product_uom_id.id,
                        "location_id": location.id,
                        "location_dest_id": customers.id,
                        "sale_line_id": line.id,
                        "company_id": order.company_id.id,
                        "origin": order.name,
                        "reference_ids": [fields.Command.set(order.stock_reference_ids.ids)],
                        "partner_id": order.partner_shipping_id.id,
                    }
                )
        moves = self.env["stock.move"].create(moves_values).sudo()._action_confirm(merge=False)
        for move in moves:
            move.quantity = move.product_uom_qty
        moves.picked = True
        moves._action_done()
        return moves
