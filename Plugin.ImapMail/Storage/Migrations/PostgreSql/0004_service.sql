-- The always-on service (issue 14): each account's health and the service lease a worker holds on it.
-- One row per account the service has worked on; deleted with the account. Times are Unix milliseconds (UTC).
CREATE TABLE imapmail_account_health (
    tenant_id       BIGINT NOT NULL,
    account_id      BIGINT NOT NULL,
    -- healthy | retrying | needs_new_password | certificate_changed | unreachable | disabled
    state           TEXT NOT NULL,
    -- how new mail is noticed: notify | idle | poll, or NULL when not connected
    watching        TEXT NULL,
    last_sync_at    BIGINT NULL,
    last_error      TEXT NULL,
    last_error_at   BIGINT NULL,
    next_attempt_at BIGINT NULL,
    -- consecutive connection faults (the backoff's exponent)
    failures        BIGINT NOT NULL DEFAULT 0,
    -- the account's login settings when the server refused them or the pin no longer matched: nothing is tried
    -- again until they differ (a hash, never the secret)
    blocked_stamp   TEXT NULL,
    -- the service worker holding the account, and until when (renewed while held)
    owner           TEXT NULL,
    lease_until     BIGINT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, account_id)
);
