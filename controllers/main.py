import logging
import re

from markupsafe import Markup, escape

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

from .. import const

# Query parameters of the callback that must not reach the access log: the single-use
# authorization code and the signed state (``code`` as well, OAuth's usual name).
_SECRET_PARAMS = re.compile(r"([?&](?:spapi_oauth_code|code|state)=)[^&\s\"'#]*")


class OAuthCallbackLogFilter(logging.Filter):
    """Masks the callback's code and state in werkzeug's request lines ("GET
    /amazon_sp_connector/oauth/callback?state=...&spapi_oauth_code=... HTTP/1.1")."""

    def filter(self, record):
        if isinstance(record.msg, str) and const.OAUTH_CALLBACK_PATH in record.msg:
            record.msg = self.redact(record.msg)
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(
                self.redact(arg) if isinstance(arg, str) and const.OAUTH_CALLBACK_PATH in arg else arg
                for arg in record.args
            )
        return True

    @staticmethod
    def redact(text):
        return _SECRET_PARAMS.sub(r"\1***", text)


def _install_log_filter():
    werkzeug_logger = logging.getLogger("werkzeug")
    if not any(type(f).__name__ == OAuthCallbackLogFilter.__name__ for f in werkzeug_logger.filters):
        werkzeug_logger.addFilter(OAuthCallbackLogFilter())


_install_log_filter()


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
