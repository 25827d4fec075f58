using Moq;
using Plugin.ImapMail.Contracts.Hosting;

namespace Plugin.ImapMail.Tests.OAuth;

/// <summary>
/// The host's token provider as the tests drive it (a Moq stand-in for the host interface): <see cref="Current"/> is
/// what an ordinary request returns; a forced refresh returns <see cref="Refreshed"/> and makes it current, as a host
/// that used its refresh token would. Counts the forced refreshes.
/// </summary>
internal sealed class HostTokens
{
    private int forced;

    public HostTokens(string? current = null, string? refreshed = null)
    {
        Current = current;
        Refreshed = refreshed;
        Mock.Setup(p => p.GetAccessTokenAsync(It.IsAny<long>(), It.IsAny<long>(), It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() => Current);
        Mock.Setup(p => p.GetAccessTokenAsync(It.IsAny<long>(), It.IsAny<long>(), It.IsAny<string>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((long _, long _, string _, bool force, CancellationToken _) =>
            {
                if (force)
                {
                    Interlocked.Increment(ref forced);
                    Current = Refreshed;
                }

                return Current;
            });
        Mock.Setup(p => p.GetConsentAsync(It.IsAny<long>(), It.IsAny<long>(), It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((long _, long _, string u, CancellationToken _) => Current is not null ? new OAuthConsent("Test provider", u) : null);
    }

    public Mock<IOAuthTokenProvider> Mock { get; } = new();

    public IOAuthTokenProvider Provider => Mock.Object;

    /// <summary>The token an ordinary request returns.</summary>
    public string? Current { get; set; }

    /// <summary>The token the next forced refresh returns (and makes current).</summary>
    public string? Refreshed { get; set; }

    public int ForcedRefreshes => Volatile.Read(ref forced);
}
