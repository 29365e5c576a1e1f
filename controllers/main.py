from markupsafe import Markup, escape

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

from .. import const


class AmazonOAuth(http.Controller):
    """Where Seller Central sends the sales admin back after Connect with Amazon."""

    @http.route(const.OAUTH_CALLBACK_PATH, type="http", auth="user", methods=["GET"])
    def oauth_callback(self, **params):
        Account = request.env["amazon.account"]
        try:
            account = Account._amazon_oauth_complete(params)
        except (UserError, AccessError) as exc:
            return self._page(str(exc.args[0] if exc.args else exc))
        # The seller's refresh token is kept whatever happens next: reading the marketplaces
        # may fail (Amazon down), and the authorization code cannot be exchanged twice.
        request.env.cr.commit()  # pylint: disable=invalid-commit
        account._amazon_oauth_read_marketplaces()
        action = request.env.ref("amazon_sp_connector.action_amazon_account")
        return request.redirect(f"/odoo/action-{action.id}/{account.id}")

    def _page(self, message):
        """A plain page saying why the connection was refused, with the way back."""
        action = request.env.ref("amazon_sp_connector.action_amazon_account")
        body = Markup(
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>%s</title></head>"
            "<body style='font-family: sans-serif; margin: 3em'><h1>%s</h1><p class='o_amazon_oauth_error'>%s</p>"
            "<p><a href='/odoo/action-%s'>%s</a></p></body></html>"
        ) % (
            request.env._("Amazon connection refused"),
            request.env._("Amazon connection refused"),
            escape(message),
            action.id,
            request.env._("Back to the Amazon accounts"),
        )
        return request.make_response(str(body), headers=[("Content-Type", "text/html; charset=utf-8")], status=400)
