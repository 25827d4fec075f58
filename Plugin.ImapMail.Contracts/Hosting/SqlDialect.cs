namespace Plugin.ImapMail.Contracts.Hosting;

/// <summary>The SQL dialects of host databases the module supports.</summary>
public enum SqlDialect
{
    /// <summary>SQLite 3.35 or newer (the embedded default database).</summary>
    Sqlite,

    /// <summary>PostgreSQL 13 or newer.</summary>
    PostgreSql,
}
