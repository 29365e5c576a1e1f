"""Connect with Amazon: the website authorization workflow of an account (its Connect and
Disconnect buttons, the signed ``state`` and Amazon's redirect back). Kept apart from
amazon_account.py: one concern per file."""

import hmac as py_hmac
import logging
import secrets
import time
from urllib.parse import urlencode

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import hmac as hmac_sign

from .. import const
from ..spapi import AmazonError, Credentials, SpApiSession

_logger = logging.getLogger(__name__)


class AmazonAccount(models.Model):
    """The account's Connect with Amazon (OAuth) workflow."""

    _inherit = "amazon.account"

    # ------------------------------------------------------------------ fields

    oauth_nonce = fields.Char(groups="base.group_system", copy=False, readonly=True)

    # ------------------------------------------------------------------ Connect with Amazon

    def action_connect(self):
        """Send the sales admin to Seller Central's consent page for the integrator's
        application (website authorization workflow); Amazon comes back to
        :data:`const.OAUTH_CALLBACK_PATH` (see :meth:`_amazon_oauth_complete`).

        :returns: the URL action to the consent page
        :raises UserError: no application is registered in Settings
        :raises AccessError: the user may not change this account (group, company)
        """
        self.ensure_one()
        self._amazon_check_group("sales_team.group_sale_manager")
        self.check_access("write")
        params = self.env["ir.config_parameter"].sudo()
        application_id = params.get_param(const.PARAM_APPLICATION_ID)
        if not (application_id and params.get_param(const.PARAM_LWA_CLIENT_ID)):
            raise UserError(
                self.env._(
                    "Connect with Amazon needs the SP-API application registered by your integrator: an "
                    "administrator enters its application ID and LWA credentials in Settings › Sales › Amazon Sync. "
                    "Or type the credentials of your own private application in the account."
                )
            )
        nonce = secrets.token_urlsafe(16)
        self.sudo().oauth_nonce = nonce
        state = self._amazon_sign_state(nonce, int(time.time()) + const.OAUTH_STATE_TTL)
        # Seller Central's host comes from const.py only (the endpoint override is an administrator's)
        seller_central = const.SELLER_CENTRAL_URLS.get(self.base_marketplace_id.api_ref, "")
        base = (self.sudo().sp_api_endpoint or seller_central).rstrip("/")
        query = {"application_id": application_id, "state": state, "redirect_uri": self._amazon_redirect_uri()}
        if params.get_param(const.PARAM_APPLICATION_DRAFT):
            query["version"] = const.CONSENT_DRAFT_VERSION
        query = urlencode(query)
        return {"type": "ir.actions.act_url", "url": f"{base}{const.CONSENT_PATH}?{query}", "target": "self"}

    def action_disconnect(self):
        """Forget the refresh token: nothing is synchronized until connected again.

        :raises AccessError: the user may not change these accounts (group, company)
        """
        self._amazon_check_group("sales_team.group_sale_manager")
        self.check_access("write")
        self.sudo().write({"refresh_token": False, "oauth_nonce": False})
        for account in self:
            account.message_post(body=self.env._("Disconnected from Amazon: the refresh token was forgotten."))
        return True

    def _amazon_redirect_uri(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        return f"{base}{const.OAUTH_CALLBACK_PATH}"

    def _amazon_state_message(self, account_id, user_id, expires, nonce):
        return f"{self.env.cr.dbname}|{account_id}|{user_id}|{expires}|{nonce}"

    def _amazon_sign_state(self, nonce, expires):
        """``state``: account, user, expiry and a single-use nonce, signed with the
        database's secret (bound to this database)."""
        self.ensure_one()
        payload = f"{self.id}.{self.env.uid}.{expires}.{nonce}"
        message = self._amazon_state_message(self.id, self.env.uid, expires, nonce)
        signature = hmac_sign(self.env(su=True), "amazon_sp_connector.oauth", message)
        return f"{payload}.{signature}"

    @api.model
    def _amazon_oauth_account(self, state):
        """The account a ``state`` was issued for, when it is ours, intact, this user's, in
        time and not used yet (the nonce is then spent).

        :raises UserError: anything else, saying why; nothing is changed
        """
        refused = self.env._("This Amazon authorization link is not valid")
        parts = (state or "").split(".")
        if len(parts) != 5 or not all(parts[:3]) or not parts[0].isdigit() or not parts[1].isdigit():
            raise UserError(refused + self.env._(": it was not issued by this database."))
        account_id, user_id, expires, nonce, signature = parts
        message = self._amazon_state_message(int(account_id), int(user_id), expires, nonce)
        expected = hmac_sign(self.env(su=True), "amazon_sp_connector.oauth", message)
        if not py_hmac.compare_digest(expected, signature):
            raise UserError(refused + self.env._(": it was not issued by this database."))
        if int(user_id) != self.env.uid:
            raise UserError(refused + self.env._(": it was started by another user. Click Connect with Amazon again."))
        if not expires.isdigit() or int(expires) < time.time():
            raise UserError(refused + self.env._(": it expired. Click Connect with Amazon again."))
        account = self.browse(int(account_id)).exists()
        if not account or not nonce or account.sudo().oauth_nonce != nonce:
            raise UserError(refused + self.env._(": it was used already. Click Connect with Amazon again."))
        return account

    @api.model
    def _amazon_oauth_complete(self, params):
        """Amazon's redirect after the seller's consent: check ``state`` and the user's
        right to change the account, exchange the authorization code for the refresh
        token and fill the seller id. The caller commits that, then reads the
        marketplaces (:meth:`_amazon_oauth_read_marketplaces`).

        :param params: the callback's query (``state``, ``selling_partner_id``,
            ``spapi_oauth_code``, or ``error``)
        :returns: the connected account
        :raises UserError: the link is refused or Amazon refused; nothing is changed
        :raises AccessError: the user may not change the account; nothing is changed
            and no code is exchanged
        """
        account = self._amazon_oauth_account(params.get("state"))
        account._amazon_check_group("sales_team.group_sale_manager")
        account.check_access("write")
        account.sudo().oauth_nonce = False  # single use, whatever happens next
        with self.env.cr.savepoint():  # a refusal below changes nothing else
            account._amazon_oauth_finish(params)
        return account

    def _amazon_oauth_finish(self, params):
        account = self
        if params.get("error"):
            raise UserError(
                self.env._(
                    "Amazon did not authorize the connection (%(error)s). Nothing was changed.",
                    error=params.get("error_description") or params["error"],
                )
            )
        seller = (params.get("selling_partner_id") or "").strip()
        code = (params.get("spapi_oauth_code") or "").strip()
        if not seller or not code:
            raise UserError(
                self.env._("Amazon's answer lacks the seller or the authorization code. Nothing was changed.")
            )
        if account.seller_id and account.seller_id != seller:
            raise UserError(
                self.env._(
                    "Amazon authorized seller %(seller)s, but account %(account)s belongs to seller %(own)s. "
                    "Sign in to Seller Central as that seller, or create another account.",
                    seller=seller,
                    account=account.name,
                    own=account.seller_id,
                )
            )
        params_model = self.env["ir.config_parameter"].sudo()
        client_id = params_model.get_param(const.PARAM_LWA_CLIENT_ID)
        client_secret = params_model.get_param(const.PARAM_LWA_CLIENT_SECRET)
        credentials = Credentials(
            seller_id=seller,
            lwa_client_id=client_id or "",
            lwa_client_secret=client_secret or "",
            refresh_token=code,
            region=account.region or "",
            sp_api_endpoint=account.sudo().sp_api_endpoint or "",
            lwa_endpoint=account.sudo().lwa_endpoint or "",
        )
        try:
            with SpApiSession(credentials, **self._INTERACTIVE) as session:
                refresh_token = session.exchange_authorization_code(account._amazon_redirect_uri())
        except AmazonError as exc:
            raise UserError(
                self.env._("Amazon refused the authorization: %(error)s. Nothing was changed.", error=exc)
            ) from None
        account.sudo().write(
            {
                "seller_id": seller,
                "lwa_client_id": client_id,
                "lwa_client_secret": client_secret,
                "refresh_token": refresh_token,
            }
        )
        account.message_post(body=self.env._("Connected with Amazon as seller %(seller)s.", seller=seller))

    def _amazon_oauth_read_marketplaces(self):
        """Right after Connect with Amazon (its credentials committed): read the seller's
        marketplaces, best effort. A failure is said on the account, which stays connected:
        *Update Marketplaces* reads them later, the seller need not consent again."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self.action_update_marketplaces()
        except UserError as exc:
            error = exc.args[0] if exc.args else str(exc)
            _logger.warning("Amazon account %s: marketplaces not read after Connect with Amazon: %s", self.id, error)
            self.message_post(
                body=self.env._(
                    "Connected, but the marketplaces could not be read: %(error)s "
                    "Click Update Marketplaces to read them again.",
                    error=error,
                )
            )
