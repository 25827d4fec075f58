namespace Plugin.ImapMail.Service;

/// <summary>The account's health as read-only lines on its General tab.</summary>
internal static class HealthNotices
{
    public static async Task<IReadOnlyList<string>> ForAsync(HealthStore store, Account? account, CultureInfo culture, CancellationToken cancellationToken)
    {
        if (account is null || await store.GetAsync(account.Id, cancellationToken) is not { } row)
        {
            return [];
        }

        var state = Strings.Get("Health_" + row.State switch
        {
            Contracts.Service.AccountHealthState.NeedsNewPassword => "needsNewPassword",
            Contracts.Service.AccountHealthState.CertificateChanged => "certificateChanged",
            Contracts.Service.AccountHealthState.SignInAgain => "signInAgain",
            var other => other.ToString().ToLowerInvariant(),
        }, culture);
        var notices = new List<string> { Strings.Format("Health_notice", culture, state, row.LastSyncAt is { } at ? Time(at, culture) : Strings.Get("Health_never", culture)) };
        if (row.LastError is { } error && row.State != AccountHealthState.Healthy)
        {
            notices.Add(Strings.Format("Health_noticeError", culture, row.LastErrorAt is { } when ? Time(when, culture) : "", error));
        }

        if (row.NextAttemptAt is { } next)
        {
            notices.Add(Strings.Format("Health_noticeNext", culture, Time(next, culture)));
        }

        return notices;
    }

    private static string Time(long ms, CultureInfo culture) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd HH:mm:ss 'UTC'", culture);
}
