namespace Plugin.ImapMail.Storage;

/// <summary>An account as the always-on service's scan of every tenant sees it.</summary>
internal sealed record ScannedAccount(long TenantId, long AccountId, string Version, int CheckIntervalMinutes);
