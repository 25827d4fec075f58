using System.Collections.Concurrent;
using System.Globalization;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Sync;

namespace WebHost;

/// <summary>Downloads running in the background while the page shows their progress; each belongs to the tenant that started it.</summary>
internal sealed class DownloadJobs(ModuleHost module, IHostApplicationLifetime lifetime)
{
    private readonly ConcurrentDictionary<string, DownloadJob> jobs = new(StringComparer.Ordinal);

    public DownloadJob Start(WebUser user, long accountId, DownloadOptions options)
    {
        var job = new DownloadJob(Guid.NewGuid().ToString("N"), user.TenantId, accountId);
        jobs[job.Id] = job;
        // Note: the request's user flows into the task (the tenant context is an AsyncLocal), so the module works for that tenant only.
        _ = Task.Run(async () =>
        {
            try
            {
                await using var scope = module.Scope();
                var download = scope.ServiceProvider.GetRequiredService<IMailDownloadService>();
                job.Summary = await download.DownloadAsync(accountId, options, new Progress(job), lifetime.ApplicationStopping);
            }
            catch (ImapMailException ex)
            {
                job.Error = $"{ex.Kind}: {ex.Message}";
            }
            catch (OperationCanceledException)
            {
                job.Error = "cancelled";
            }
            finally
            {
                job.Done = true;
            }
        });
        return job;
    }

    /// <summary>The job, if it exists and belongs to <paramref name="user"/>'s tenant.</summary>
    public DownloadJob? Find(WebUser user, string id) =>
        jobs.TryGetValue(id, out var job) && job.TenantId == user.TenantId ? job : null;

    // Note: IProgress<T>'s own Progress<T> posts to a synchronization context; this one records synchronously.
    private sealed class Progress(DownloadJob job) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value) => job.Last = value;
    }
}

/// <summary>One download: its last progress report, then its summary or error.</summary>
internal sealed class DownloadJob(string id, long tenantId, long accountId)
{
    public string Id { get; } = id;

    public long TenantId { get; } = tenantId;

    public long AccountId { get; } = accountId;

    public SyncProgress? Last { get; set; }

    public DownloadSummary? Summary { get; set; }

    public string? Error { get; set; }

    public bool Done { get; set; }

    public string Describe(CultureInfo culture) =>
        Summary is { } s ? culture.T("DownloadDone", s.New, s.Updated, s.Vanished, s.Folders)
        : Error is { } e ? culture.T("DownloadFailed", e)
        : Last is { } p ? culture.T("ProgressFolder", p.FolderIndex, p.FolderCount, Plugin.ImapMail.Contracts.Folders.DisplayText.Of(p.FolderPath), p.MessagesDone, p.MessagesTotal)
        : culture.T("Progress");
}
