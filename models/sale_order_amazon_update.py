"""An imported Amazon order whose items Amazon changes afterwards (sale.order, continued).

Amazon cancels an item out of an order that goes on by setting its ``quantityOrdered`` to 0
(and its proceeds with it); the import brings the order's lines, delivery and amounts back
in line with Amazon's.
"""

from markupsafe import Markup

from odoo import fields, models

from .. import const

# What the import writes on a line to give it Amazon's quantity and exact amounts.
PRICING_FIELDS = ("product_uom_qty", "price_unit", "discount", "tax_ids", "extra_tax_data")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _amazon_apply_items(self, amazon_order):
        """Amazon changed the quantity of items of this open FBM order (a buyer canceled an
        item; rarely, a quantity went up): the lines take Amazon's quantity and amounts, and
        Odoo's procurement takes the difference out of (or adds it to) the open delivery. The
        order's charges (shipping, promotions, gift wrap) follow Amazon's, and the chatter
        says what changed.

        A line never goes below what was delivered: shipped units stay, and the note asks
        for a return. Only a change of Amazon's quantity since the last import moves a line,
        so a line edited in Odoo is not reset by every resync. A canceled order is the
        cancellation's (``_amazon_apply_status``); FBA orders are imported shipped.

        :returns: whether Amazon changed an item's quantity
        """
        self.ensure_one()
        status = (amazon_order.get("fulfillment") or {}).get("fulfillmentStatus")
        if self.amazon_channel != "fbm" or self.state != "sale" or status == const.STATUS_CANCELLED:
            return False
        items = {item["orderItemId"]: item for item in amazon_order["orderItems"]}
        changed = self.order_line.filtered(
            lambda line: (
                line.amazon_item_ref in items
                and int(items[line.amazon_item_ref]["quantityOrdered"]) != line.amazon_quantity
            )
        )
        if not changed:
            return False
        desired = self._amazon_desired_lines(amazon_order)
        locked = self.locked
        if locked:  # Odoo neither changes nor procures the lines of a locked order
            self.locked = False
        notes = [self._amazon_apply_item(line, items[line.amazon_item_ref], desired) for line in changed]
        self._amazon_apply_charges(desired)
        if locked:
            self.locked = True
        expected = self._amazon_grand_total(amazon_order)
        if self.currency_id.compare_amounts(self.amount_total, float(expected)):
            notes.append(
                self.env._(
                    "The order total %(total)s differs from Amazon's %(amazon)s.",
                    total=self.amount_total,
                    amazon=expected,
                )
            )
        self.message_post(body=Markup("<br/>").join(notes))
        return True

    def _amazon_desired_lines(self, amazon_order):
        """The lines the import would give this order today, by Amazon item or charge.

        :returns: dict ``amazon_item_ref`` or ``amazon_charge`` -> line values
        """
        products = {line.amazon_sku or "": line.product_id for line in self.order_line.filtered("amazon_item_ref")}
        fallback = self.env.ref("amazon_sp_connector.product_amazon_sale")
        for item in amazon_order["orderItems"]:  # an item Amazon added is not added here
            products.setdefault((item.get("product") or {}).get("sellerSku") or "", fallback)
        values = self.with_company(self.company_id)._amazon_prepare_lines_values(
            self.amazon_account_id,
            amazon_order,
            products,
            self.fiscal_position_id,
            self.currency_id,
            self.amazon_marketplace_id,
        )
        return {v.get("amazon_item_ref") or v.get("amazon_charge"): v for v in values if not v.get("display_type")}

    def _amazon_apply_item(self, line, item, desired):
        """Give ``line`` the quantity Amazon now has for ``item``, never below what was
        delivered, with Amazon's amounts.

        :returns: the chatter note saying what changed
        """
        old, new = line.amazon_quantity, int(item["quantityOrdered"])
        sku = line.amazon_sku or line.product_id.display_name
        values = {"amazon_quantity": new}
        if line.product_uom_id.compare(line.qty_delivered, new) > 0:
            # shipped beyond what Amazon keeps: the line keeps what shipped, and its amounts
            values["product_uom_qty"] = line.qty_delivered
            note = self.env._(
                "Amazon lowered the quantity of %(sku)s from %(old)s to %(new)s, but %(shipped)s already shipped: "
                "the order keeps them. Create a return for what comes back.",
                sku=sku,
                old=old,
                new=new,
                shipped=f"{line.qty_delivered:g}",
            )
        else:
            pricing = desired.get(line.amazon_item_ref)
            values.update({name: pricing[name] for name in PRICING_FIELDS} if pricing else {"product_uom_qty": new})
            note = self.env._(
                "Amazon changed the quantity of %(sku)s from %(old)s to %(new)s: the order and its delivery follow.",
                sku=sku,
                old=old,
                new=new,
            )
        if line.product_uom_id.compare(values["product_uom_qty"], line.product_uom_qty) == 0:
            values.pop("product_uom_qty")
        else:
            # Odoo takes a lowered quantity off the open moves whose deadline is its own
            # procurement's (else it returns it); orders imported before their confirmation kept
            # Amazon's date had moves with the confirmation's.
            deadline = line._prepare_procurement_values().get("date_deadline")
            line.move_ids.filtered(
                lambda move: move.state not in ("done", "cancel") and move.location_dest_usage == "customer"
            ).date_deadline = deadline
        line.write(values)
        return note

    def _amazon_apply_charges(self, desired):
        """The order's charge lines (shipping, promotions, gift wrap) take Amazon's amounts:
        a charge Amazon no longer has becomes 0, a new one is added. Invoiced charges stay
        as invoiced. An order imported before charges were marked is left as it is."""
        charges = self.order_line.filtered("amazon_charge")
        unmarked = self.order_line.filtered(
            lambda line: not line.display_type and not line.amazon_item_ref and not line.amazon_charge
        )
        if unmarked and not charges:
            return
        wanted = {key: values for key, values in desired.items() if values.get("amazon_charge")}
        for line in charges.filtered(lambda line: not line.qty_invoiced):
            values = wanted.pop(line.amazon_charge, None)
            if values:
                line.write({name: values[name] for name in PRICING_FIELDS if name != "product_uom_qty"})
            else:
                line.write({"price_unit": 0.0, "discount": 0.0, "extra_tax_data": False})
        for key in set(wanted) - set(charges.mapped("amazon_charge")):
            self.order_line = [fields.Command.create(wanted[key])]
