using System.Diagnostics;
using System.Globalization;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;

// The benchmark's helpers that talk IMAP directly (never through the module):
//   socket HOST PORT USER PASSWORD-FILE     the server's own speed, the lower bound: one plain socket sends the
//                                           Download's FETCH (batches of 1,000 UIDs) for every folder and only frames
//                                           lines and literals; nothing is parsed
//   raw HOST PORT USER PASSWORD-FILE        the same items fetched and parsed by MailKit alone, nothing stored
//   mutate HOST PORT USER PASSWORD-FILE FOLDER NEW FLAGS EXPUNGES
//                                           another client's changes: append NEW messages, flag FLAGS, expunge EXPUNGES
var culture = CultureInfo.InvariantCulture;
var verb = args[0];
var (host, port, user, password) = (args[1], int.Parse(args[2], culture), args[3], File.ReadAllText(args[4]).Trim());
if (verb == "socket")
{
    var (count, bytes, elapsed) = await ImapMail.Bench.SocketBaseline.RunAsync(host, port, user, password, 1000);
    Console.WriteLine($"{{\"messages\": {count}, \"bytes\": {bytes}, \"elapsedMs\": {elapsed}}}");
    return;
}

using var client = new ImapClient();
await client.ConnectAsync(host, port, SecureSocketOptions.None);
await client.AuthenticateAsync(user, password);

if (verb == "raw")
{
    var items = MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.ModSeq | MessageSummaryItems.Size
        | MessageSummaryItems.InternalDate | MessageSummaryItems.Envelope | MessageSummaryItems.BodyStructure
        | MessageSummaryItems.References | MessageSummaryItems.PreviewText;
    var watch = Stopwatch.StartNew();
    var messages = 0;
    foreach (var folder in await client.GetFoldersAsync(client.PersonalNamespaces[0]))
    {
        if (folder.Attributes.HasFlag(FolderAttributes.NoSelect))
        {
            continue;
        }

        await folder.OpenAsync(FolderAccess.ReadOnly);
        if (folder.Count > 0)
        {
            messages += (await folder.FetchAsync(0, -1, items)).Count;
        }

        await folder.CloseAsync();
    }

    Console.WriteLine($"{{\"messages\": {messages}, \"elapsedMs\": {watch.ElapsedMilliseconds}}}");
}
else if (verb == "mutate")
{
    var folder = await client.GetFolderAsync(args[5]);
    var (add, flag, expunge) = (int.Parse(args[6], culture), int.Parse(args[7], culture), int.Parse(args[8], culture));
    await folder.OpenAsync(FolderAccess.ReadWrite);
    var uids = await folder.SearchAsync(SearchQuery.All);
    await folder.AddFlagsAsync(uids.Take(flag).ToList(), MessageFlags.Flagged, silent: true);
    await folder.AddFlagsAsync(uids.Skip(flag).Take(expunge).ToList(), MessageFlags.Deleted, silent: true);
    await folder.ExpungeAsync();
    var requests = Enumerable.Range(0, add)
        .Select(i => (IAppendRequest)new AppendRequest(new MimeKit.MimeMessage(
            [MimeKit.MailboxAddress.Parse("kari@acme.no")], [MimeKit.MailboxAddress.Parse(user + "@example.test")],
            $"Bench {i}", new MimeKit.TextPart("plain") { Text = "Hello " + i }), MessageFlags.None))
        .ToList();
    await folder.AppendAsync(requests);
    Console.WriteLine($"{{\"appended\": {add}, \"flagged\": {flag}, \"expunged\": {expunge}}}");
}

await client.DisconnectAsync(true);
