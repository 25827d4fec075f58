using System.Globalization;

namespace Plugin.ImapMail.Contracts.Service;

/// <summary>
/// Timings of the always-on service. The defaults suit production; a host may register its own instance (a singleton)
/// before the module's <c>ConfigureServices</c>, e.g. tests with short intervals.
/// </summary>
public sealed class MailServiceOptions
{
    /// <summary>How often the list of accounts is read again (added, changed, removed accounts take effect within this).</summary>
    public TimeSpan RescanInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one IDLE lasts before it is renewed (RFC 2177 asks for less than 30 minutes).</summary>
    public TimeSpan IdleRenewal { get; init; } = TimeSpan.FromMinutes(28);

    /// <summary>How often a watching connection is proven alive with a NOOP (answered within the account's timeout, or replaced).</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>The first wait after a connection fault; it doubles per fault up to <see cref="BackoffMax"/>, and each wait is drawn between a tenth and all of it (accounts cut off together by a server restart come back spread over that window).</summary>
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait between attempts.</summary>
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Consecutive connection faults after which an account is shown as unreachable rather than retrying.</summary>
    public int UnreachableAfter { get; init; } = 4;

    /// <summary>The first connection of each account at start is spread over 20 ms per account, at most this window (not every account in the same second).</summary>
    public TimeSpan StartSpread { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Replaces every account's "Check for new mail every N minutes" (tests); null uses the account's setting.</summary>
    public TimeSpan? CheckIntervalOverride { get; init; }

    /// <summary>How often each tenant's due outbox entries are processed.</summary>
    public TimeSpan OutboxInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The language of the health texts the service stores (the errors an administrator reads).</summary>
    public CultureInfo Culture { get; init; } = CultureInfo.GetCultureInfo("en");

    /// <summary>
    /// How long the service lease on an account lasts; it is renewed at a third of this while held, so a lease whose
    /// holder stopped renewing (a process killed on another machine) is taken over after at most this long. A holder
    /// on this machine that is gone is taken over at once.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(30);
}
