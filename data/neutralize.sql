-- A neutralized copy of a production database (staging, test) must never reach Amazon:
-- forget the authorizations (nothing can be sent without them) and archive the accounts.
UPDATE amazon_account
   SET refresh_token = NULL,
       lwa_client_secret = NULL,
       active = false;
