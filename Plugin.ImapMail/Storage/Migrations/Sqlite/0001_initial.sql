-- Plugin.ImapMail schema, step 1 (SQLite). Forward-only: never edit once shipped; add a new step instead.
-- Times are Unix milliseconds (UTC). Every table carries tenant_id; every query filters on it.

CREATE TABLE imapmail_account (
    id                INTEGER PRIMARY KEY,
    tenant_id         INTEGER NOT NULL,
    name              TEXT    NOT NULL,
    kind              TEXT    NOT NULL DEFAULT 'imap',
    email             TEXT    NOT NULL,
    is_default        INTEGER NOT NULL DEFAULT 0,
    link_crm          INTEGER NOT NULL DEFAULT 1,
    imap_host         TEXT    NOT NULL,
    settings          TEXT    NOT NULL,          -- the tab fields other than secrets, as JSON
    imap_secret       TEXT    NULL,              -- protected by the host's ISecretProtector
    smtp_secret       TEXT    NULL,              -- protected by the host's ISecretProtector
    needs_credentials INTEGER NOT NULL DEFAULT 0,
    sync_owner        TEXT    NULL,              -- the download holding the account's lease
    sync_until        INTEGER NULL,              -- when that lease lapses (a crashed run's lease expires)
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX ix_imapmail_account_tenant ON imapmail_account (tenant_id);
CREATE UNIQUE INDEX ux_imapmail_account_default ON imapmail_account (tenant_id) WHERE is_default = 1;

CREATE TABLE imapmail_folder (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL,
    account_id      INTEGER NOT NULL REFERENCES imapmail_account (id) ON DELETE CASCADE,
    path            TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    parent_path     TEXT    NULL,
    delimiter       TEXT    NULL,
    attributes      TEXT    NOT NULL DEFAULT '',
    special_use     TEXT    NULL,
    detected_role   TEXT    NOT NULL DEFAULT 'none',
    detected_source TEXT    NOT NULL DEFAULT 'none',
    admin_role      TEXT    NULL,
    selectable      INTEGER NOT NULL DEFAULT 1,
    sync_enabled    INTEGER NOT NULL DEFAULT 0,
    state           TEXT    NOT NULL DEFAULT 'new',
    uidvalidity     INTEGER NULL,
    uidnext         INTEGER NULL,
    highestmodseq   INTEGER NULL,
    server_messages INTEGER NULL,
    server_unseen   INTEGER NULL,
    synced_uidvalidity INTEGER NULL,
    synced_messages INTEGER NULL,
    synced_modseq   INTEGER NULL,
    synced_uidnext  INTEGER NULL,
    synced_at       INTEGER NULL,
    UNIQUE (account_id, path)
);
CREATE INDEX ix_imapmail_folder_tenant ON imapmail_folder (tenant_id, account_id);

CREATE TABLE imapmail_message (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL,
    account_id      INTEGER NOT NULL,
    folder_id       INTEGER NOT NULL REFERENCES imapmail_folder (id) ON DELETE CASCADE,
    uidvalidity     INTEGER NOT NULL,
    uid             INTEGER NOT NULL,
    modseq          INTEGER NULL,
    flags           INTEGER NOT NULL DEFAULT 0,
    keywords        TEXT    NOT NULL DEFAULT '',
    message_id      TEXT    NULL,
    in_reply_to     TEXT    NULL,
    refs            TEXT    NULL,
    subject         TEXT    NULL,
    from_addr       TEXT    NULL,
    from_name       TEXT    NULL,
    to_addrs        TEXT    NULL,
    cc_addrs        TEXT    NULL,
    reply_to        TEXT    NULL,
    sent_at         INTEGER NULL,
    internal_date   INTEGER NULL,
    size            INTEGER NOT NULL DEFAULT 0,
    has_attachments INTEGER NOT NULL DEFAULT 0,
    preview         TEXT    NULL,
    fingerprint     TEXT    NOT NULL,
    UNIQUE (tenant_id, folder_id, uidvalidity, uid)
);
CREATE INDEX ix_imapmail_message_tenant_msgid ON imapmail_message (tenant_id, message_id);
CREATE INDEX ix_imapmail_message_tenant_fingerprint ON imapmail_message (tenant_id, fingerprint);
-- Every index leads with tenant_id and then narrows to the folder, so any plan reads only one folder's rows.
CREATE INDEX ix_imapmail_message_account ON imapmail_message (tenant_id, account_id, folder_id, uid);

CREATE TABLE imapmail_crm_link (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL,
    account_id   INTEGER NOT NULL REFERENCES imapmail_account (id) ON DELETE CASCADE,
    message_key  TEXT    NOT NULL,                 -- Message-ID, or a content fingerprint when there is none
    customer_id  TEXT    NOT NULL,
    contact_id   TEXT    NULL,
    reason       TEXT    NOT NULL,                 -- thread | address | domain | manual
    manual_state TEXT    NULL,                     -- null: automatic; 'linked' / 'unlinked': a person's choice
    notified     INTEGER NOT NULL DEFAULT 0,       -- the host's listeners have been told
    created_at   INTEGER NOT NULL,
    UNIQUE (account_id, message_key, customer_id)
);
CREATE INDEX ix_imapmail_crm_link_customer ON imapmail_crm_link (tenant_id, customer_id);

CREATE TABLE imapmail_outbox (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL,
    account_id      INTEGER NOT NULL REFERENCES imapmail_account (id) ON DELETE CASCADE,
    message_id      TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NULL,
    last_error      TEXT    NULL,
    rejected        TEXT    NULL,
    envelope_from   TEXT    NOT NULL,
    recipients      TEXT    NOT NULL,
    mime            BLOB    NOT NULL,
    sent_copy       TEXT    NOT NULL DEFAULT 'pending',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (tenant_id, message_id)
);
CREATE INDEX ix_imapmail_outbox_due ON imapmail_outbox (tenant_id, status, next_attempt_at);

CREATE TABLE imapmail_body_cache (
    tenant_id   INTEGER NOT NULL,
    account_id  INTEGER NOT NULL REFERENCES imapmail_account (id) ON DELETE CASCADE,
    message_key TEXT    NOT NULL,
    content     BLOB    NOT NULL,
    cached_at   INTEGER NOT NULL,
    PRIMARY KEY (account_id, message_key)
);

-- Tenant-wide settings of the module (CRM linking policy, free-mail domains, exclusions), as JSON.
CREATE TABLE imapmail_tenant_settings (
    tenant_id  INTEGER NOT NULL PRIMARY KEY,
    settings   TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
