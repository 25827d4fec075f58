using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>A second, independent IMAP client on a test user's mailbox: to put mail there and to check what the server holds.</summary>
internal static class Mailbox
{
    public static async Task<ImapClient> ConnectAsync(TestUser user)
    {
        var client = new ImapClient();
        await client.ConnectAsync(user.Server.Host, user.Server.ImapPort, SecureSocketOptions.None);
        await client.AuthenticateAsync(user.Name, user.Password);
        return client;
    }

    /// <summary>Appends corpus messages to a folder (created if missing) with MULTIAPPEND, in chunks; returns how many.</summary>
    public static async Task<int> AppendCorpusAsync(TestUser user, string folder, int count, int skip = 0)
    {
        var files = (await Corpus.FilesAsync()).Skip(skip).Take(count).ToList();
        using var client = await ConnectAsync(user);
        var target = await GetOrCreateFolderAsync(client, folder);
        foreach (var chunk in files.Chunk(200))
        {
            var requests = chunk.Select(f => (IAppendRequest)new AppendRequest(Corpus.Parse(f), MessageFlags.None)).ToList();
            await target.AppendAsync(requests);
        }

        await client.DisconnectAsync(true);
        return files.Count;
    }

    public static async Task<IMailFolder> GetOrCreateFolderAsync(ImapClient client, string path)
    {
        if (string.Equals(path, "INBOX", StringComparison.OrdinalIgnoreCase))
        {
            return client.Inbox;
        }

        try
        {
            return await client.GetFolderAsync(path) ?? throw new FolderNotFoundException(path);
        }
        catch (FolderNotFoundException)
        {
            var root = client.GetFolder(client.PersonalNamespaces[0]);
            return await root!.CreateAsync(path, isMessageFolder: true) ?? throw new InvalidOperationException($"Could not create {path}.");
        }
    }

    /// <summary>The UIDs in a folder, as the server has them.</summary>
    public static async Task<IReadOnlyList<uint>> UidsAsync(TestUser user, string folder)
    {
        using var client = await ConnectAsync(user);
        var target = await GetOrCreateFolderAsync(client, folder);
        await target.OpenAsync(FolderAccess.ReadOnly);
        var uids = await target.SearchAsync(MailKit.Search.SearchQuery.All);
        await client.DisconnectAsync(true);
        return uids.Select(u => u.Id).ToList();
    }

    public static MimeMessage Simple(string from, string to, string subject, string body = "Hello") =>
        new(new[] { MailboxAddress.Parse(from) }, new[] { MailboxAddress.Parse(to) }, subject, new TextPart("plain") { Text = body });
}
