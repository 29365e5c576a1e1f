import hashlib
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, escape_psql

from .amazon_import_cache import cached, import_cache

ANONYMOUS_KEY = "anonymous"

# what an anonymous order's address keeps: where it went, nothing that names the buyer
DESTINATION_FIELDS = ("city", "zip", "state_id", "country_id")

# what anonymizing a buyer erases (their address keeps DESTINATION_FIELDS)
PERSONAL_FIELDS = ("street", "street2", "phone", "email")
# buyers examined per transaction of the daily job
ANONYMIZE_BATCH = 200
# where the daily job's walk over the buyers resumes: the last buyer (res.partner id) examined
ANONYMIZE_RESUME_PARAM = "amazon_sp_connector.anonymize_resume_after"

# ref of the partner "Amazon" that bills the fees of payouts
AMAZON_VENDOR_REF = "AMAZON-PAYOUTS"
# ref of a marketplace's "Amazon customers" (+ "-" + marketplace id): the customer of summary invoices
AMAZON_CUSTOMERS_REF = "AMAZON-CUSTOMERS"


class ResPartner(models.Model):
    _inherit = "res.partner"

    amazon_customer_key = fields.Char(
        index="btree_not_null",
        copy=False,
        help="Identifies the Amazon buyer this contact was created for, so returning buyers are reused.",
    )

    amazon_anonymized = fields.Boolean(
        readonly=True,
        copy=False,
        help="An Amazon buyer whose personal data was erased once their orders were delivered and invoiced.",
    )

    # ------------------------------------------------------------------ mapping (pure)

    @api.model
    def _amazon_buyer_key(self, amazon_order):
        """A stable key of the buyer, when Amazon gives something that identifies them.

        * the buyer's email (Amazon's per-seller relay address): a returning buyer is reused;
        * a name but no email (FBA orders of Orders v2026): a name identifies nobody, two
          "John Smith" are two people, so the key is the order's own;
        * nothing: :data:`ANONYMOUS_KEY`, the shared "Amazon Customer".
        """
        buyer = amazon_order.get("buyer") or {}
        email = (buyer.get("buyerEmail") or "").strip().lower()
        name = (buyer.get("buyerName") or self._amazon_address(amazon_order).get("name") or "").strip().lower()
        if email:
            return hashlib.sha256(f"{email}|{name}".encode()).hexdigest()[:32]
        if name:
            return f"order:{amazon_order['orderId']}"
        return ANONYMOUS_KEY

    @api.model
    def _amazon_address(self, amazon_order):
        return ((amazon_order.get("recipient") or {}).get("deliveryAddress")) or {}

    @api.model
    def _amazon_prepare_address_values(self, address):
        """Odoo address values of an Amazon ``CustomerAddress`` dict.

        :returns: (values dict, unknown state text or None)
        """
        code = (address.get("countryCode") or "").upper()
        country = cached(
            self.env, ("country", code), lambda: self.env["res.country"].search([("code", "=", code)], limit=1)
        )
        values = {
            "street": address.get("addressLine1") or False,
            "street2": ", ".join(filter(None, (address.get("addressLine2"), address.get("addressLine3")))) or False,
            "city": address.get("city") or address.get("municipality") or False,
            "zip": address.get("postalCode") or False,
            "country_id": country.id or False,
            "phone": address.get("phone") or False,
        }
        unknown_state = None
        state_text = (address.get("stateOrRegion") or "").strip()
        if state_text and country:
            state = cached(
                self.env,
                ("state", country.id, state_text.lower()),
                lambda: self.env["res.country.state"].search(
                    [
                        ("country_id", "=", country.id),
                        "|",
                        ("code", "=ilike", escape_psql(state_text)),
                        ("name", "=ilike", escape_psql(state_text)),
                    ],
                    limit=1,
                ),
            )
            if state:
                values["state_id"] = state.id
            elif country.state_ids:
                unknown_state = state_text
        return values, unknown_state

    @api.model
    def _amazon_prepare_buyer_values(self, account, amazon_order, key, address_values):
        """Values of the buyer's contact (address = the delivery address).

        :param key: the buyer key (:meth:`_amazon_buyer_key`)
        :param address_values: the delivery address (:meth:`_amazon_prepare_address_values`)
        """
        buyer = amazon_order.get("buyer") or {}
        return dict(
            address_values,
            # Amazon's model allows a buyer with an email and no name
            name=buyer.get("buyerName")
            or self._amazon_address(amazon_order).get("name")
            or self.env._("Amazon Customer"),
            email=buyer.get("buyerEmail") or False,
            company_id=account.company_id.id,
            amazon_customer_key=key,
            lang=False,
        )

    # ------------------------------------------------------------------ business

    @api.model
    def _amazon_find_or_create_customer(self, account, amazon_order):
        """The customer, invoice and delivery partners of an Amazon order.

        :returns: dict with ``partner``, ``invoice``, ``shipping`` records and
            ``unknown_state`` (text Amazon gave that matched no state, or None)
        """
        Partner = self.sudo().with_context(tracking_disable=True)
        company = account.company_id
        key = self._amazon_buyer_key(amazon_order)
        address = self._amazon_address(amazon_order)
        address_values, unknown_state = self._amazon_prepare_address_values(address)
        if key == ANONYMOUS_KEY:
            anonymous = cached(self.env, ("anonymous", company.id), lambda: Partner._amazon_anonymous_customer(company))
            # no name, street or phone; where it went (city, postal code, state, country) stays,
            # so that fiscal positions follow the destination and reports show it
            destination = {f: address_values.get(f) or False for f in DESTINATION_FIELDS}
            shipping = anonymous
            if any(destination.values()):
                shipping = self._amazon_find_or_create_destination(anonymous, destination)
            return {"partner": anonymous, "invoice": shipping, "shipping": shipping, "unknown_state": unknown_state}

        commercial = self._amazon_find_or_create_business(account, amazon_order)
        cache = import_cache(self.env)
        if cache is not None and cache.has(("buyer", company.id, key), page=True):
            contact = cache.page[("buyer", company.id, key)]
        else:
            contact = Partner._amazon_find_buyers(company, [key]).get(key, Partner)
        if not contact:
            values = self._amazon_prepare_buyer_values(account, amazon_order, key, address_values)
            if commercial:
                values["parent_id"] = commercial.id
            contact = Partner.create(values)
            # its computed fields (commercial partner, display name, share...) in one UPDATE now,
            # not in pieces as the order's creation reads them
            contact.flush_recordset()
            if cache is not None:
                cache.put(("buyer", company.id, key), contact, page=True)
        elif commercial and contact.parent_id != commercial:
            contact.parent_id = commercial
        shipping = contact
        if address and not self._amazon_same_address(contact, address_values, address.get("name")):
            shipping = self._amazon_find_or_create_delivery(contact, address_values, address.get("name"))
        return {
            "partner": contact,
            "invoice": commercial or contact,
            "shipping": shipping,
            "unknown_state": unknown_state,
        }

    @api.model
    def _amazon_anonymous_customer(self, company):
        """The company's shared "Amazon Customer" of orders that name no buyer."""
        Partner = self.sudo().with_context(tracking_disable=True)
        anonymous = Partner.search(
            [("amazon_customer_key", "=", ANONYMOUS_KEY), ("company_id", "=", company.id)], limit=1
        )
        if not anonymous:
            anonymous = Partner.create(
                {
                    "name": self.env._("Amazon Customer"),
                    "amazon_customer_key": ANONYMOUS_KEY,
                    "company_id": company.id,
                }
            )
        return anonymous

    @api.model
    def _amazon_find_buyers(self, company, keys):
        """The buyers' contacts of ``company`` by buyer key, in one query.

        :returns: dict key -> res.partner (keys without a contact are left out)
        """
        found = {}
        Partner = self.sudo().with_context(tracking_disable=True)
        for partner in Partner.search(
            [("amazon_customer_key", "in", list(keys)), ("company_id", "=", company.id), ("type", "=", "contact")]
        ):
            found.setdefault(partner.amazon_customer_key, partner)
        return found

    @api.model
    def _amazon_prefetch_buyers(self, account, amazon_orders, cache):
        """The contacts of a page's buyers, looked up at once into the run's ``cache``."""
        keys = set()
        for amazon_order in amazon_orders:
            try:
                keys.add(self._amazon_buyer_key(amazon_order))
            except (AttributeError, TypeError):  # malformed: its own import says why
                continue
        keys.discard(ANONYMOUS_KEY)
        if not keys:
            return
        company = account.company_id
        found = self._amazon_find_buyers(company, keys)
        empty = self.sudo().with_context(tracking_disable=True)
        for key in keys:
            cache.put(("buyer", company.id, key), found.get(key, empty), page=True)

    @api.model
    def _amazon_find_or_create_business(self, account, amazon_order):
        """The company partner of a business order (VAT from the buyer's tax registration)."""
        buyer = amazon_order.get("buyer") or {}
        registrations = ((amazon_order.get("tax") or {}).get("taxRegistrations")) or []
        registration = next((r for r in registrations if r.get("entityType", "BUYER") == "BUYER"), None)
        company_name = buyer.get("buyerCompanyName") or (registration or {}).get("legalName")
        if not company_name and not registration:
            return self.browse()
        Partner = self.sudo().with_context(tracking_disable=True)
        vat = (registration or {}).get("taxRegistrationNumber")
        domain = [("is_company", "=", True), ("company_id", "=", account.company_id.id)]
        domain += [("vat", "=", vat)] if vat else [("name", "=", company_name)]
        business = Partner.search(domain, limit=1)
        if not business:
            values, _unknown = self._amazon_prepare_address_values(
                (registration or {}).get("taxRegistrationAddress") or self._amazon_address(amazon_order)
            )
            values.update(
                {
                    "name": company_name or vat or self.env._("Amazon Business Customer"),
                    "is_company": True,
                    "company_id": account.company_id.id,
                    "phone": False,
                }
            )
            business = Partner.create(values)
            if vat:
                # VAT numbers are not always valid for Odoo's checks; keep Amazon's text anyway.
                business.with_context(no_vat_validation=True).write({"vat": vat})
        return business

    def _amazon_same_address(self, partner, address_values, name):
        fields_to_compare = ("street", "street2", "city", "zip", "country_id")
        same_name = not name or (name or "").strip().lower() == (partner.name or "").strip().lower()
        return same_name and all(
            (partner[field].id if field == "country_id" else partner[field] or False) == address_values.get(field)
            for field in fields_to_compare
        )

    def _amazon_find_or_create_destination(self, anonymous, destination):
        """The anonymous customer's address for one destination (no personal data: orders
        to the same city and postal code share it)."""
        for child in anonymous.child_ids:
            if child.type == "delivery" and all(
                (child[f].id if f.endswith("_id") else child[f]) == destination[f] for f in DESTINATION_FIELDS
            ):
                return child
        return anonymous.create(
            dict(destination, type="delivery", parent_id=anonymous.id, company_id=anonymous.company_id.id)
        )

    def _amazon_find_or_create_delivery(self, contact, address_values, name):
        for child in contact.child_ids.filtered(lambda c: c.type == "delivery"):
            if self._amazon_same_address(child, address_values, name):
                return child
        return contact.create(
            dict(
                address_values,
                type="delivery",
                parent_id=contact.id,
                name=name or contact.name,
                company_id=contact.company_id.id,
            )
        )

    @api.model
    def _amazon_partner(self):
        """Amazon itself, the vendor of the fee bills of payouts (created on demand)."""
        Partner = self.sudo().with_context(active_test=False)
        partner = Partner.search([("ref", "=", AMAZON_VENDOR_REF)], limit=1)
        if not partner:
            partner = Partner.create({"name": "Amazon", "is_company": True, "ref": AMAZON_VENDOR_REF})
        return partner

    @api.model
    def _amazon_customers(self, company, marketplace):
        """The marketplace's "Amazon customers" of ``company``, the customer of its summary
        invoices (created on demand; no email: nothing is ever sent to it).

        :returns: res.partner
        """
        ref = f"{AMAZON_CUSTOMERS_REF}-{marketplace.api_ref}"
        Partner = self.sudo().with_context(active_test=False)
        partner = Partner.search([("ref", "=", ref), ("company_id", "=", company.id)], limit=1)
        if not partner:
            partner = Partner.create(
                {
                    "name": self.env._("Amazon customers (%(marketplace)s)", marketplace=marketplace.name),
                    "ref": ref,
                    "is_company": True,
                    "company_id": company.id,
                    "country_id": marketplace.country_id.id,
                    "customer_rank": 1,
                }
            )
        return partner

    def _amazon_customers_delivery(self, company, marketplace, country):
        """The delivery address in ``country`` of the marketplace's "Amazon customers" of
        ``company`` (:meth:`_amazon_customers`): the destination of its summary invoices of the
        orders shipped there (created on demand; no email).

        :returns: res.partner
        """
        customers = self._amazon_customers(company, marketplace)
        Partner = self.sudo().with_context(active_test=False)
        domain = [
            ("parent_id", "=", customers.id),
            ("type", "=", "delivery"),
            ("country_id", "=", country.id),
            ("company_id", "=", company.id),
        ]
        address = Partner.search(domain, limit=1)
        if not address:
            address = Partner.create(
                {
                    "name": country.name,  # shown "Amazon customers (Amazon.de), France"
                    "parent_id": customers.id,
                    "type": "delivery",
                    "company_id": company.id,
                    "country_id": country.id,
                }
            )
        return address

    # ------------------------------------------------------------------ data protection

    @api.model
    def _amazon_anonymize_buyers(self):
        """Erase the personal data of the Amazon buyers whose orders are all finished
        (delivered or canceled, and invoiced) for longer than their accounts' *Anonymize
        Buyers After* days. A buyer with an order of an account without the option is kept.

        The buyers with an order old enough are walked by id, :data:`ANONYMIZE_BATCH` at a
        time, each one examined once per walk. In the scheduled action every batch is
        committed with the place the walk reached (system parameter
        :data:`ANONYMIZE_RESUME_PARAM`) and the buyers not examined yet reported as remaining:
        Odoo calls the action again at once and the walk goes on from there; it ends when
        every candidate was examined, and the next run starts over from the first buyer.

        :returns: the buyers anonymized
        """
        accounts = self.env["amazon.account"].sudo().with_context(active_test=False).search([])
        days = {account.id: account.anonymize_after_days for account in accounts}
        in_cron = bool(self.env.context.get("cron_id"))
        Params = self.env["ir.config_parameter"].sudo()
        after = int(Params.get_param(ANONYMIZE_RESUME_PARAM) or 0) if in_cron else 0
        if not any(days.values()):
            if after:
                Params.set_param(ANONYMIZE_RESUME_PARAM, False)
            return self.browse()
        now = fields.Datetime.now()
        Partner = self.sudo().with_context(active_test=False)
        Order = self.env["sale.order"].sudo()
        candidates = [
            ("amazon_customer_key", "not in", [False, ANONYMOUS_KEY]),
            ("amazon_anonymized", "=", False),
            (
                "sale_order_ids",
                "any",
                [
                    ("amazon_account_id", "in", [account_id for account_id, value in days.items() if value]),
                    ("date_order", "<", now - timedelta(days=min(value for value in days.values() if value))),
                ],
            ),
        ]
        done = self.browse()
        while batch := Partner.search([*candidates, ("id", ">", after)], order="id", limit=ANONYMIZE_BATCH):
            by_partner = dict.fromkeys(batch, Order)
            for order in Order.search([("partner_id", "in", batch.ids)]):
                by_partner[order.partner_id] |= order
            ready = self.browse(
                partner.id
                for partner, partner_orders in by_partner.items()
                if all(order._amazon_finished_before(now, days) for order in partner_orders)
            )
            ready._amazon_anonymize()
            done |= ready
            after = batch[-1].id
            if in_cron:
                remaining = Partner.search_count([*candidates, ("id", ">", after)])
                Params.set_param(ANONYMIZE_RESUME_PARAM, str(after) if remaining else False)
                time_left = self.env["ir.cron"]._commit_progress(len(batch), remaining=remaining)
                if not remaining or not time_left:
                    # the walk is over, or Odoo calls again at once and the walk resumes
                    return done
        if in_cron and after:
            Params.set_param(ANONYMIZE_RESUME_PARAM, False)  # the walk resumed past the last buyer
        return done

    def _amazon_anonymize(self):
        """Erase name, street, phone and email of these buyers and of their addresses, and
        the gift messages of their orders; the city, postal code, state and country stay
        (taxes, reports). Never reused again."""
        if not self:
            return
        Partner = self.sudo().with_context(tracking_disable=True, mail_notrack=True)
        erase = dict.fromkeys(PERSONAL_FIELDS, False)
        Partner.browse(self.ids).write(
            dict(erase, name=self.env._("Amazon Customer"), amazon_customer_key=False, amazon_anonymized=True)
        )
        addresses = Partner.browse(self.child_ids.filtered(lambda c: c.type != "contact").ids)
        addresses.write(dict(erase, name=False, amazon_anonymized=True))
        self._amazon_erase_gift_messages()

    def _amazon_erase_gift_messages(self):
        """Replace the gift messages of these buyers' orders (note lines of the import) and
        their copies on invoices by a line saying a message was erased. An invoice sealed by
        the journal's inalterability hash keeps its copy: changing it would break the seal."""
        lines = (
            self.env["sale.order.line"]
            .sudo()
            .search([("order_id.partner_id", "in", self.ids), ("amazon_gift_message", "=", True)])
        )
        if not lines:
            return
        erased = self.env._("Gift message erased with the buyer's personal data")
        # a locked order refuses to change a line's description: the order's own text, erased
        # as the law asks, goes straight to the table
        self.env.cr.execute(SQL("UPDATE sale_order_line SET name = %s WHERE id IN %s", erased, tuple(lines.ids)))
        lines.invalidate_recordset(["name"])
        lines.invoice_lines.filtered(lambda line: not line.move_id.inalterable_hash).write({"name": erased})
