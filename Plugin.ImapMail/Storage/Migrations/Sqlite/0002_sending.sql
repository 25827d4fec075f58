-- Sending (issue 7): what the outbox needs to send once, file one Sent copy and match delivery and read reports.
ALTER TABLE imapmail_outbox ADD COLUMN subject TEXT NULL;
-- 'mail' (sent for a user or the host) or 'mdn' (a read receipt this module answered with).
ALTER TABLE imapmail_outbox ADD COLUMN purpose TEXT NOT NULL DEFAULT 'mail';
-- The DSN envelope id (RFC 3461 ENVID), by which delivery reports are matched.
ALTER TABLE imapmail_outbox ADD COLUMN envelope_id TEXT NULL;
ALTER TABLE imapmail_outbox ADD COLUMN notify_success INTEGER NOT NULL DEFAULT 0;
ALTER TABLE imapmail_outbox ADD COLUMN notify_failure INTEGER NOT NULL DEFAULT 0;
ALTER TABLE imapmail_outbox ADD COLUMN read_receipt INTEGER NOT NULL DEFAULT 0;
-- Who is working on the row and until when: one sender at a time, and a stale claim tells a crash apart.
ALTER TABLE imapmail_outbox ADD COLUMN claimed_by TEXT NULL;
ALTER TABLE imapmail_outbox ADD COLUMN claimed_until INTEGER NULL;
ALTER TABLE imapmail_outbox ADD COLUMN sent_at INTEGER NULL;
ALTER TABLE imapmail_outbox ADD COLUMN sent_copy_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE imapmail_outbox ADD COLUMN sent_copy_uid INTEGER NULL;
ALTER TABLE imapmail_outbox ADD COLUMN sent_copy_error TEXT NULL;
CREATE INDEX ix_imapmail_outbox_envelope ON imapmail_outbox (tenant_id, envelope_id);
CREATE INDEX ix_imapmail_outbox_copy ON imapmail_outbox (tenant_id, sent_copy);

-- Delivery, failure and read reports found in the mailbox, one row per report and recipient.
CREATE TABLE imapmail_outbox_report (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL,
    outbox_id   INTEGER NOT NULL REFERENCES imapmail_outbox (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    recipient   TEXT    NOT NULL DEFAULT '',
    detail      TEXT    NULL,
    source      TEXT    NOT NULL,
    reported_at INTEGER NOT NULL,
    UNIQUE (outbox_id, source, recipient)
);
CREATE INDEX ix_imapmail_outbox_report_tenant ON imapmail_outbox_report (tenant_id, outbox_id);
