namespace Plugin.ImapMail.Storage;

/// <summary>The folders of the current tenant's accounts.</summary>
internal sealed class FolderStore(IHostDatabase database, ITenantContext tenant)
{
    /// <summary>
    /// The server's and the synced <see cref="FolderMarks"/>, last in a folder query: <see cref="ReadAsync"/> splits
    /// the row at each <c>uidvalidity</c>.
    /// </summary>
    private const string Marks = """
        f.uidvalidity, f.uidnext, f.server_messages AS messages, f.highestmodseq,
        f.synced_uidvalidity AS uidvalidity, f.synced_uidnext AS uidnext, f.synced_messages AS messages, f.synced_modseq AS highestmodseq
        """;

    private const string SelectWithCounts = $"""
        SELECT f.*, f.state AS stored_state,
               {Marks},
               COALESCE(c.local_messages, 0) AS messages,
               COALESCE(c.local_unseen, 0)   AS unseen,
               COALESCE(c.local_deleted, 0)  AS deleted
          FROM imapmail_folder f
          LEFT JOIN (SELECT folder_id,
                            COUNT(*) AS local_messages,
                            SUM(CASE WHEN (flags & 1) = 0 THEN 1 ELSE 0 END) AS local_unseen,
                            SUM(CASE WHEN (flags & 8) <> 0 THEN 1 ELSE 0 END) AS local_deleted
                       FROM imapmail_message
                      WHERE tenant_id = @tenant AND account_id = @accountId
                      GROUP BY folder_id) c ON c.folder_id = f.id
         WHERE f.tenant_id = @tenant AND f.account_id = @accountId
        """;

    /// <summary>The account's folders in tree order (by path), with counts from the local index.</summary>
    public async Task<IReadOnlyList<StoredFolder>> ListAsync(long accountId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await ReadCountedAsync(connection, new CommandDefinition(
            SelectWithCounts + " ORDER BY f.path",
            new { tenant = tenant.TenantId, accountId },
            cancellationToken: cancellationToken));
        return StoredFolder.ResolveRoles(rows.ToList());
    }

    public async Task<StoredFolder?> GetAsync(long accountId, string path, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var folder = (await ReadCountedAsync(connection, new CommandDefinition(
            SelectWithCounts + " AND f.path = @path",
            new { tenant = tenant.TenantId, accountId, path },
            cancellationToken: cancellationToken))).SingleOrDefault();
        if (folder is { AdminRole: null } && FolderRoles.Parse(folder.DetectedRole) != FolderRole.None)
        {
            var taken = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM imapmail_folder WHERE tenant_id = @tenant AND account_id = @accountId AND admin_role = @role AND state <> @deleted",
                States(new { tenant = tenant.TenantId, accountId, role = folder.DetectedRole }, FolderState.Deleted),
                cancellationToken: cancellationToken));
            folder.DetectedRoleTaken = taken > 0;
        }

        return folder;
    }

    /// <summary>
    /// Records a folder as the server listed it. A new folder is ticked for sync when <paramref name="tickIfNew"/>;
    /// an existing folder keeps its tick, its administrator's role and its sync bookkeeping.
    /// </summary>
    private Task<long> UpsertAsync(DbConnection connection, DbTransaction? transaction, long accountId, ServerFolder folder, bool tickIfNew, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO imapmail_folder
                (tenant_id, account_id, path, name, parent_path, delimiter, attributes, special_use, detected_role, detected_source,
                 selectable, sync_enabled, state, uidvalidity, uidnext, highestmodseq, server_messages, server_unseen)
            VALUES
                (@tenant, @accountId, @Path, @Name, @ParentPath, @Delimiter, @Attributes, @SpecialUse, @DetectedRole, @DetectedSource,
                 @Selectable, @tick, @new, @Uidvalidity, @Uidnext, @Highestmodseq, @Messages, @Unseen)
            ON CONFLICT (account_id, path) DO UPDATE SET
                name = excluded.name, parent_path = excluded.parent_path, delimiter = excluded.delimiter,
                attributes = excluded.attributes, special_use = excluded.special_use,
                detected_role = excluded.detected_role, detected_source = excluded.detected_source,
                selectable = excluded.selectable,
                uidvalidity = COALESCE(excluded.uidvalidity, imapmail_folder.uidvalidity),
                uidnext = COALESCE(excluded.uidnext, imapmail_folder.uidnext),
                highestmodseq = COALESCE(excluded.highestmodseq, imapmail_folder.highestmodseq),
                server_messages = COALESCE(excluded.server_messages, imapmail_folder.server_messages),
                server_unseen = COALESCE(excluded.server_unseen, imapmail_folder.server_unseen),
                state = CASE WHEN imapmail_folder.state = @deleted THEN @new ELSE imapmail_folder.state END
            RETURNING id
            """,
            States(new
            {
                tenant = tenant.TenantId,
                accountId,
                folder.Path,
                folder.Name,
                folder.ParentPath,
                folder.Delimiter,
                folder.Attributes,
                folder.SpecialUse,
                folder.DetectedRole,
                folder.DetectedSource,
                folder.Selectable,
                tick = tickIfNew && folder.Selectable,
                folder.Uidvalidity,
                folder.Uidnext,
                folder.Highestmodseq,
                folder.Messages,
                folder.Unseen,
            }, FolderState.New, FolderState.Deleted),
            transaction,
            cancellationToken: cancellationToken));

    /// <summary>Ticks or unticks a folder for "Download"; returns false when there is no such folder.</summary>
    public async Task<bool> SetSyncEnabledAsync(long accountId, string path, bool enabled, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE imapmail_folder
               SET sync_enabled = @enabled,
                   state = CASE WHEN @enabled THEN (CASE WHEN state = @not_kept_up_to_date THEN @current ELSE state END)
                                ELSE (CASE WHEN state IN (@current, @new) AND synced_at IS NOT NULL THEN @not_kept_up_to_date ELSE state END) END
             WHERE tenant_id = @tenant AND account_id = @accountId AND path = @path
            """,
            States(new { tenant = tenant.TenantId, accountId, path, enabled }, FolderState.NotKeptUpToDate, FolderState.Current, FolderState.New),
            cancellationToken: cancellationToken));
        return changed == 1;
    }

    /// <summary>
    /// Gives a folder a role chosen by an administrator ("Use as …"), or clears the choice with null. The choice takes
    /// the role from a folder that only had it by detection; it is refused while another folder holds the role by an
    /// administrator's choice (two folders never hold one role).
    /// </summary>
    /// <returns>The path of the folder that holds the role, when it conflicts; null when the choice was stored.</returns>
    public async Task<string?> SetAdminRoleAsync(long accountId, string path, FolderRole? role, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (role is { } wanted && wanted != FolderRole.None)
        {
            var folders = await ReadAsync(connection, new CommandDefinition(
                $"SELECT f.*, f.state AS stored_state, {Marks} FROM imapmail_folder f WHERE tenant_id = @tenant AND account_id = @accountId AND path <> @path AND state <> @deleted AND admin_role IS NOT NULL",
                States(new { tenant = tenant.TenantId, accountId, path }, FolderState.Deleted),
                transaction,
                cancellationToken: cancellationToken));
            var holder = folders.FirstOrDefault(f => f.AdminRole == FolderRoles.ToStored(wanted));
            if (holder is not null)
            {
                return holder.Path;
            }
        }

        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE imapmail_folder SET admin_role = @role WHERE tenant_id = @tenant AND account_id = @accountId AND path = @path",
            new { tenant = tenant.TenantId, accountId, path, role = role is { } r ? FolderRoles.ToStored(r) : null },
            transaction,
            cancellationToken: cancellationToken));
        if (changed != 1)
        {
            throw Guards.FolderNotFound(path, tenant.UiCulture);
        }

        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>
    /// Records the folder tree as the server listed it, in one transaction: listed folders are upserted; folders no longer
    /// listed are marked deleted and their messages leave the index (their CRM links, keyed by message identity, stay).
    /// On an account's first listing, the Inbox and Sent folders are ticked for Download.
    /// </summary>
    public async Task<IReadOnlyList<StoredFolder>> ApplyTreeAsync(long accountId, IReadOnlyList<ServerFolder> listed, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var known = (await ListPlainAsync(connection, null, accountId, cancellationToken)).ToDictionary(f => f.Path, StringComparer.Ordinal);
        var firstListing = known.Count == 0;
        var changed = listed.Where(f => !known.TryGetValue(f.Path, out var had) || !SameAsListed(had, f)).ToList();
        var listedPaths = listed.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var gone = known.Values.Where(f => f.State != FolderState.Deleted && !listedPaths.Contains(f.Path)).Select(f => f.Path).ToList();
        if (changed.Count == 0 && gone.Count == 0)
        {
            // A quiet tree costs one read and no write.
            return known.Values.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // A folder renamed on the server keeps its UIDVALIDITY: move the row (tick, administrator's role, index) to the
        // new path instead of deleting it and importing its messages again.
        foreach (var (from, to) in Renames(known, gone, changed))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE imapmail_folder SET path = @path, name = @name, parent_path = @parent WHERE tenant_id = @tenant AND id = @id",
                new { tenant = tenant.TenantId, id = from.Id, path = to.Path, name = to.Name, parent = to.ParentPath },
                transaction,
                cancellationToken: cancellationToken));
            gone.Remove(from.Path);
        }

        foreach (var folder in changed)
        {
            var tick = firstListing && FolderRoles.Parse(folder.DetectedRole) is FolderRole.Inbox or FolderRole.Sent;
            await UpsertAsync(connection, transaction, accountId, folder, tick, cancellationToken);
        }

        if (gone.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                DELETE FROM imapmail_message
                 WHERE tenant_id = @tenant AND account_id = @accountId
                   AND folder_id IN (SELECT id FROM imapmail_folder WHERE tenant_id = @tenant AND account_id = @accountId AND path = @path)
                """,
                gone.Select(path => new { tenant = tenant.TenantId, accountId, path }), transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE imapmail_folder SET state = @deleted, synced_uidvalidity = NULL, synced_uidnext = NULL, synced_modseq = NULL, synced_messages = NULL
                 WHERE tenant_id = @tenant AND account_id = @accountId AND path = @path
                """,
                gone.Select(path => States(new { tenant = tenant.TenantId, accountId, path }, FolderState.Deleted)), transaction, cancellationToken: cancellationToken));
        }

        var result = await ListPlainAsync(connection, transaction, accountId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private static List<(StoredFolder From, ServerFolder To)> Renames(Dictionary<string, StoredFolder> known, List<string> gone, List<ServerFolder> changed)
    {
        var goneByValidity = gone.Select(p => known[p]).Where(f => f.Server is not null)
            .GroupBy(f => f.Server!.Uidvalidity).Where(g => g.Count() == 1).ToDictionary(g => g.Key, g => g.Single());
        return changed.Where(f => !known.ContainsKey(f.Path) && f.Uidvalidity is not null)
            .GroupBy(f => f.Uidvalidity!.Value).Where(g => g.Count() == 1 && goneByValidity.ContainsKey(g.Key))
            .Select(g => (goneByValidity[g.Key], g.Single()))
            .ToList();
    }

    /// <summary>Whether the stored row already says what the server listed (so nothing needs writing).</summary>
    private static bool SameAsListed(StoredFolder had, ServerFolder listed) =>
        had.State != FolderState.Deleted
        && had.Name == listed.Name && had.ParentPath == listed.ParentPath && had.Delimiter == listed.Delimiter
        && had.Attributes == listed.Attributes && had.SpecialUse == listed.SpecialUse
        && had.DetectedRole == listed.DetectedRole && had.DetectedSource == listed.DetectedSource && had.Selectable == listed.Selectable
        && (listed.Uidvalidity is null || had.Server?.Uidvalidity == listed.Uidvalidity)
        && (listed.Uidnext is null || had.Server?.Uidnext == listed.Uidnext)
        && (listed.Highestmodseq is null || had.Server?.Highestmodseq == listed.Highestmodseq)
        && (listed.Messages is null || had.Server?.Messages == listed.Messages)
        && (listed.Unseen is null || had.ServerUnseen == listed.Unseen);

    private async Task<List<StoredFolder>> ListPlainAsync(DbConnection connection, DbTransaction? transaction, long accountId, CancellationToken cancellationToken)
    {
        var rows = (await ReadAsync(connection, new CommandDefinition(
            $"SELECT f.*, f.state AS stored_state, {Marks} FROM imapmail_folder f WHERE tenant_id = @tenant AND account_id = @accountId ORDER BY path",
            new { tenant = tenant.TenantId, accountId },
            transaction,
            cancellationToken: cancellationToken))).ToList();
        StoredFolder.ResolveRoles(rows);
        return rows;
    }

    /// <summary>Records the server's status after a folder was made equal to it, so an unchanged folder can be skipped next time.</summary>
    public Task MarkSyncedAsync(long folderId, long uidvalidity, long? uidnext, long? modseq, long messages, long syncedAt, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync(
            """
            UPDATE imapmail_folder
               SET synced_uidvalidity = @uidvalidity, synced_uidnext = @uidnext, synced_modseq = @modseq, synced_messages = @messages,
                   uidvalidity = @uidvalidity, uidnext = @uidnext, highestmodseq = @modseq, server_messages = @messages,
                   synced_at = @syncedAt,
                   state = CASE WHEN sync_enabled THEN @current ELSE @not_kept_up_to_date END
             WHERE tenant_id = @tenant AND id = @folderId
            """,
            States(new { tenant = tenant.TenantId, folderId, uidvalidity, uidnext, modseq, messages, syncedAt }, FolderState.Current, FolderState.NotKeptUpToDate),
            cancellationToken);

    /// <summary>Sets a folder's state (for example "reindex pending" before its content is removed).</summary>
    public Task SetStateAsync(long folderId, FolderState state, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync(
            "UPDATE imapmail_folder SET state = @state, synced_uidvalidity = CASE WHEN @forget THEN NULL ELSE synced_uidvalidity END WHERE tenant_id = @tenant AND id = @folderId",
            new { tenant = tenant.TenantId, folderId, state = FolderStates.Names[state], forget = state == FolderState.ReindexPending },
            cancellationToken);

    /// <summary>Folder rows whose query ends in <see cref="Marks"/>, with their two marks read into them.</summary>
    private static async Task<List<StoredFolder>> ReadAsync(DbConnection connection, CommandDefinition command) =>
        (await connection.QueryAsync<StoredFolder, FolderMarks?, FolderMarks?, StoredFolder>(
            command,
            (folder, server, synced) =>
            {
                folder.Server = server;
                folder.Synced = synced;
                return folder;
            },
            splitOn: "uidvalidity,uidvalidity")).ToList();

    /// <summary>Folder rows whose query ends in <see cref="Marks"/> and the index's counts (see <see cref="SelectWithCounts"/>).</summary>
    private static async Task<List<StoredFolder>> ReadCountedAsync(DbConnection connection, CommandDefinition command) =>
        (await connection.QueryAsync<StoredFolder, FolderMarks?, FolderMarks?, FolderCounts, StoredFolder>(
            command,
            (folder, server, synced, local) =>
            {
                folder.Server = server;
                folder.Synced = synced;
                folder.Local = local;
                return folder;
            },
            splitOn: "uidvalidity,uidvalidity,messages")).ToList();

    /// <summary>The values, with the folder states the statement names.</summary>
    private static DynamicParameters States(object values, params FolderState[] states) => SqlArgs.Of(values).States(FolderStates.Names, states);
}
