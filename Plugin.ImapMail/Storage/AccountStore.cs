using System.Text.Json;
using System.Text.Json.Serialization;

namespace Plugin.ImapMail.Storage;

/// <summary>The accounts of the current tenant. Every statement filters on the tenant: no call reaches another tenant's rows.</summary>
internal sealed class AccountStore(IHostDatabase database, ITenantContext tenant, TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    private const string Columns =
        "id, tenant_id, name, email, is_default, link_crm, settings, imap_secret, smtp_secret, needs_credentials";

    public async Task<IReadOnlyList<Account>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM imapmail_account WHERE tenant_id = @tenant ORDER BY name, id",
            new { tenant = tenant.TenantId },
            cancellationToken: cancellationToken));
        return rows.Select(ToAccount).ToList();
    }

    public async Task<Account?> GetAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await GetAsync(connection, null, id, cancellationToken);
    }

    public async Task<Account?> GetDefaultAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM imapmail_account WHERE tenant_id = @tenant AND is_default = @yes",
            new { tenant = tenant.TenantId, yes = true },
            cancellationToken: cancellationToken));
        return row is null ? null : ToAccount(row);
    }

    /// <summary>Inserts an account; when it is the default, the tenant's previous default is unticked in the same transaction.</summary>
    public async Task<long> InsertAsync(AccountSettings settings, string? protectedImapSecret, string? protectedSmtpSecret, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (settings.IsDefault)
        {
            await ClearDefaultAsync(connection, transaction, exceptId: 0, cancellationToken);
        }

        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO imapmail_account
                (tenant_id, name, kind, email, is_default, link_crm, imap_host, settings, imap_secret, smtp_secret, needs_credentials, created_at, updated_at)
            VALUES
                (@tenant, @name, @kind, @email, @isDefault, @linkCrm, @imapHost, @settings, @imapSecret, @smtpSecret, @no, @now, @now)
            RETURNING id
            """,
            new
            {
                tenant = tenant.TenantId,
                name = settings.Name,
                kind = settings.Kind,
                email = settings.Email,
                isDefault = settings.IsDefault,
                linkCrm = settings.LinkToCrm,
                imapHost = settings.ImapHost,
                settings = JsonSerializer.Serialize(settings, Json),
                imapSecret = protectedImapSecret,
                smtpSecret = protectedSmtpSecret,
                no = false,
                now,
            },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return id;
    }

    /// <summary>Replaces an account's settings and secrets; returns false when the tenant has no such account.</summary>
    public async Task<bool> UpdateAsync(long id, AccountSettings settings, string? protectedImapSecret, string? protectedSmtpSecret, bool needsNewCredentials, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (settings.IsDefault)
        {
            await ClearDefaultAsync(connection, transaction, exceptId: id, cancellationToken);
        }

        var changed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE imapmail_account
               SET name = @name, kind = @kind, email = @email, is_default = @isDefault, link_crm = @linkCrm,
                   imap_host = @imapHost, settings = @settings, imap_secret = @imapSecret, smtp_secret = @smtpSecret,
                   needs_credentials = @needsNewCredentials, updated_at = @now
             WHERE tenant_id = @tenant AND id = @id
            """,
            new
            {
                tenant = tenant.TenantId,
                id,
                name = settings.Name,
                kind = settings.Kind,
                email = settings.Email,
                isDefault = settings.IsDefault,
                linkCrm = settings.LinkToCrm,
                imapHost = settings.ImapHost,
                settings = JsonSerializer.Serialize(settings, Json),
                imapSecret = protectedImapSecret,
                smtpSecret = protectedSmtpSecret,
                needsNewCredentials,
                now = clock.GetUtcNow().ToUnixTimeMilliseconds(),
            },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return changed == 1;
    }

    /// <summary>Records the SASL mechanism a server last accepted a login with, in the settings JSON (no migration).</summary>
    public async Task RememberLoginMechanismAsync(long id, bool smtp, string mechanism, CancellationToken cancellationToken = default)
    {
        if (await GetAsync(id, cancellationToken) is not { } current)
        {
            return;
        }

        var updated = smtp ? current.Settings with { SmtpLoginMechanism = mechanism } : current.Settings with { ImapLoginMechanism = mechanism };
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE imapmail_account SET settings = @settings WHERE tenant_id = @tenant AND id = @id",
            new { tenant = tenant.TenantId, id, settings = JsonSerializer.Serialize(updated, Json) },
            cancellationToken: cancellationToken));
    }

    public async Task SetNeedsNewCredentialsAsync(long id, bool value, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE imapmail_account SET needs_credentials = @value WHERE tenant_id = @tenant AND id = @id",
            new { tenant = tenant.TenantId, id, value },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Deletes an account and every row of it in every module table; returns false when the tenant has no such account.
    /// Nothing relies on foreign keys (SQLite applies ON DELETE CASCADE only when the host enabled them): rows that name
    /// the account only through a parent (an outbox entry's reports) go first, then every module table with an
    /// <c>account_id</c> column, found in the database's own catalog so a table added later is covered too.
    /// </summary>
    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var parameters = new { tenant = tenant.TenantId, id };
        var exists = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT id FROM imapmail_account WHERE tenant_id = @tenant AND id = @id", parameters, transaction, cancellationToken: cancellationToken));
        if (exists is null)
        {
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM imapmail_outbox_report
             WHERE tenant_id = @tenant AND outbox_id IN (SELECT id FROM imapmail_outbox WHERE tenant_id = @tenant AND account_id = @id)
            """,
            parameters, transaction, cancellationToken: cancellationToken));
        var tables = await AccountTablesAsync(connection, transaction, cancellationToken);
        // Children before parents, for hosts whose foreign keys are on (messages name their folder).
        foreach (var table in tables.OrderBy(t => t == "imapmail_message" ? 0 : 1).ThenBy(t => t, StringComparer.Ordinal))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM {table} WHERE tenant_id = @tenant AND account_id = @id", parameters, transaction, cancellationToken: cancellationToken));
        }

        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM imapmail_account WHERE tenant_id = @tenant AND id = @id", parameters, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return deleted == 1;
    }

    /// <summary>The module's tables (prefix <c>imapmail_</c>) with an <c>account_id</c> column, as the database lists them.</summary>
    private async Task<IReadOnlyList<string>> AccountTablesAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var sql = database.Dialect == SqlDialect.PostgreSql
            ? """
              SELECT table_name FROM information_schema.columns
               WHERE table_schema = current_schema() AND column_name = 'account_id' AND table_name LIKE 'imapmail\_%'
              """
            : """
              SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
               WHERE m.type = 'table' AND c.name = 'account_id' AND m.name LIKE 'imapmail\_%' ESCAPE '\'
              """;
        var names = await connection.QueryAsync<string>(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
        // Note: the names come from the catalog, not from input; this check keeps them plain identifiers all the same.
        return names.Where(n => n.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')).Distinct().ToList();
    }

    private async Task<Account?> GetAsync(DbConnection connection, DbTransaction? transaction, long id, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM imapmail_account WHERE tenant_id = @tenant AND id = @id",
            new { tenant = tenant.TenantId, id },
            transaction,
            cancellationToken: cancellationToken));
        return row is null ? null : ToAccount(row);
    }

    private Task<int> ClearDefaultAsync(DbConnection connection, DbTransaction transaction, long exceptId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE imapmail_account SET is_default = @no WHERE tenant_id = @tenant AND id <> @exceptId AND is_default = @yes",
            new { tenant = tenant.TenantId, exceptId, no = false, yes = true },
            transaction,
            cancellationToken: cancellationToken));

    private static Account ToAccount(Row row)
    {
        var settings = JsonSerializer.Deserialize<AccountSettings>(row.Settings, Json) ?? new AccountSettings();
        // The columns are the truth for what other statements change (the default tick moves between accounts).
        settings = settings with { Name = row.Name, Email = row.Email, IsDefault = row.IsDefault, LinkToCrm = row.LinkCrm };
        return new Account(row.Id, row.TenantId, settings, row.ImapSecret, row.SmtpSecret, row.NeedsCredentials);
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public long TenantId { get; init; }
        public string Name { get; init; } = "";
        public string Email { get; init; } = "";
        public bool IsDefault { get; init; }
        public bool LinkCrm { get; init; }
        public string Settings { get; init; } = "{}";
        public string? ImapSecret { get; init; }
        public string? SmtpSecret { get; init; }
        public bool NeedsCredentials { get; init; }
    }
}
