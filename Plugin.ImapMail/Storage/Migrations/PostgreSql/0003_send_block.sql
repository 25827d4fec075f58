-- Sending (issue 12): a refused login or an untrusted certificate is not retried. The route waits here, with what a
-- person must fix, until the account's outgoing server settings change (own SMTP) or a person retries (the host's
-- transport). route: 'own' (account_id set) or 'system' (the tenant's "Use default" route, account_id 0).
CREATE TABLE imapmail_send_block (
    tenant_id   BIGINT  NOT NULL,
    account_id  BIGINT  NOT NULL,
    route       TEXT    NOT NULL,
    settings    TEXT    NOT NULL,          -- a hash of the outgoing server settings the refusal was for
    reason      TEXT    NOT NULL,          -- the administrator's words with the server's reply
    blocked_at  BIGINT  NOT NULL,
    PRIMARY KEY (tenant_id, route, account_id)
);
