using System.Data.Common;

namespace Plugin.ImapMail.Contracts.Hosting;

/// <summary>The host database in which the module keeps its own tables (all prefixed <c>imapmail_</c>).</summary>
public interface IHostDatabase
{
    /// <summary>The SQL dialect of the database.</summary>
    SqlDialect Dialect { get; }

    /// <summary>Opens a new connection. The caller disposes it.</summary>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>An open connection.</returns>
    /// <exception cref="DbException">The database cannot be reached.</exception>
    Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default);
}
