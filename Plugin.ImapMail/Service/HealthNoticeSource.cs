namespace Plugin.ImapMail.Service;

/// <summary>The account's health as notices of the General tab (see <see cref="HealthNotices"/>).</summary>
internal sealed class HealthNoticeSource(HealthStore health) : IAccountNotices
{
    public Task<IReadOnlyList<string>> ForAsync(Account? account, CultureInfo culture, CancellationToken cancellationToken) =>
        HealthNotices.ForAsync(health, account, culture, cancellationToken);
}
