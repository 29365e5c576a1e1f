"""Errors the connector raises about one Amazon record (an order, a shipment...)."""

from odoo.exceptions import UserError


class AmazonRecordError(UserError):
    """Amazon's data for one record cannot be used, or the configuration lacks something
    that record needs.

    Its message is written by this addon to name what to fix without any personal data
    (references, SKUs, codes, field names only): it is the only error text, besides
    Amazon's own, that reaches failure lists, chatter, mails and logs.
    """
