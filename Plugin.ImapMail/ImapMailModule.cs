using System.ComponentModel.Composition;
using Plugin.ImapMail.Accounts;
using Plugin.ImapMail.Crm;
using Plugin.ImapMail.Folders;
using Plugin.ImapMail.Messages;
using Plugin.ImapMail.Sending;
using Plugin.ImapMail.Service;
using Plugin.ImapMail.Storage;
using Plugin.ImapMail.Sync;

namespace Plugin.ImapMail;

/// <summary>The module's MEF export and composition root: one registration call per feature, nothing else.</summary>
[ExportMailModule(ModuleInfo.Id, ModuleInfo.Version)]
[PartCreationPolicy(CreationPolicy.NonShared)]
public sealed class ImapMailModule : IMailModule
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services)
    {
        services
            .AddImapMailStorage()
            .AddImapMailConnection()
            .AddImapMailAccounts()
            .AddImapMailFolders()
            .AddImapMailMessages()
            .AddImapMailSync()
            .AddImapMailCrm()
            .AddImapMailSending()
            .AddImapMailService();
    }

    /// <inheritdoc />
    public async Task StartAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        using var scope = services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<MigrationRunner>().MigrateAsync(cancellationToken);
    }
}
