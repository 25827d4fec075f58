using System.Diagnostics;
using System.Globalization;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;

// The benchmark's helpers that talk IMAP directly (never through the module):
//   link ACCOUNT-ID SQLITE-DB KEY-FILE CRM-FILE [ROUNDS]
//                                           CRM linking alone (no IMAP): the index's messages after a Download, their
//                                           links deleted and made again per batch by CrmLinker, ROUNDS times (3);
//                                           prints time and bytes allocated per message of the last round
//   socket HOST PORT USER PASSWORD-FILE     the server's own speed, the lower bound: one plain socket sends the
//                                           Download's FETCH (batches of 1,000 UIDs) for every folder and only frames
//                                           lines and literals; nothing is parsed
//   raw HOST PORT USER PASSWORD-FILE        the same items fetched and parsed by MailKit alone, nothing stored
//   map HOST PORT USER PASSWORD-FILE FOLDER [ROUNDS]
//                                           the module's mapping alone: FOLDER's messages fetched once with the
//                                           Download's items, then mapped to index rows ROUNDS times (default 20);
//                                           prints the allocated bytes and time per message of the mapping
//   store HOST PORT USER PASSWORD-FILE FOLDER sqlite PATH-PREFIX|postgresql CONNECTION-STRING WAY...
//                                           the inserts alone: FOLDER's messages mapped once and stored ten times
//                                           over (60,460 rows for a corpus copy) into a fresh database per WAY:
//                                           dapper (the row-at-a-time upsert of before), storeN (MessageStore, N rows
//                                           per prepared INSERT on SQLite; COPY on PostgreSQL)
//   mutate HOST PORT USER PASSWORD-FILE FOLDER NEW FLAGS EXPUNGES
//                                           another client's changes: append NEW messages, flag FLAGS, expunge EXPUNGES
//   push HOST PORT USER PASSWORD-FILE ACCOUNT-ID SQLITE-DB KEY-FILE CRM-FILE WARM-FOLDER FOLDER
//                                           the always-on service's push path: the module wired in this process as the
//                                           reference host wires it; 100 new, 1,000 flagged, 100 expunged in
//                                           WARM-FOLDER and its sync (warm-up), then the same in FOLDER and the sync of
//                                           that folder alone (IChangedFolderDownload, skipTree), timed
var culture = CultureInfo.InvariantCulture;
var verb = args[0];
if (verb == "link")
{
    await ImapMail.Bench.LinkBench.RunAsync(long.Parse(args[1], culture), args[2], args[3], args[4], args.Length > 5 ? int.Parse(args[5], culture) : 3);
    return;
}

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
else if (verb == "map")
{
    var folder = await client.GetFolderAsync(args[5]);
    var rounds = args.Length > 6 ? int.Parse(args[6], culture) : 20;
    await folder.OpenAsync(FolderAccess.ReadOnly);
    var summaries = await folder.FetchAsync(0, -1, Plugin.ImapMail.Core.MessageSummaryMapper.NewMessageItems);
    await folder.CloseAsync();
    // One round first, so that JIT and first-use caches are not counted.
    var sink = summaries.Select(s => Plugin.ImapMail.Core.MessageSummaryMapper.Map(s, 1, 1)).Count();
    var before = GC.GetAllocatedBytesForCurrentThread();
    var watch = Stopwatch.StartNew();
    for (var round = 0; round < rounds; round++)
    {
        foreach (var summary in summaries)
        {
            sink += Plugin.ImapMail.Core.MessageSummaryMapper.Map(summary, 1, 1).Fingerprint.Length;
        }
    }

    var perMessage = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / (rounds * summaries.Count);
    var micros = watch.Elapsed.TotalMicroseconds / (rounds * summaries.Count);
    // A digest of every column of every row, to show that two builds map alike.
    using var digest = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
    foreach (var m in summaries.Select(s => Plugin.ImapMail.Core.MessageSummaryMapper.Map(s, 1, 1)))
    {
        digest.AppendData(System.Text.Encoding.UTF8.GetBytes(string.Join("\u0001", m.Uid, m.Modseq, m.Flags, m.Keywords, m.MessageId, m.InReplyTo, m.Refs,
            m.Subject, m.FromAddr, m.FromName, m.ToAddrs, m.CcAddrs, m.ReplyTo, m.SentAt, m.InternalDate, m.Size, m.HasAttachments, m.Preview,
            m.Fingerprint, m.ReportCandidate)));
    }

    Console.WriteLine($"{{\"messages\": {summaries.Count}, \"rounds\": {rounds}, \"allocatedBytesPerMessage\": {perMessage:F0}, \"microsecondsPerMessage\": {micros:F2}, \"rows\": \"{Convert.ToHexString(digest.GetHashAndReset())[..16]}\", \"sink\": {sink}}}");
}
else if (verb == "store")
{
    var folder = await client.GetFolderAsync(args[5]);
    await folder.OpenAsync(FolderAccess.ReadOnly);
    var summaries = await folder.FetchAsync(0, -1, Plugin.ImapMail.Core.MessageSummaryMapper.NewMessageItems);
    await folder.CloseAsync();
    await ImapMail.Bench.StoreBench.RunAsync(summaries, args[6], args[7], args[8..]);
}
else if (verb == "mutate")
{
    var (add, flag, expunge) = (int.Parse(args[6], culture), int.Parse(args[7], culture), int.Parse(args[8], culture));
    await MutateAsync(args[5], add, flag, expunge);
    Console.WriteLine($"{{\"appended\": {add}, \"flagged\": {flag}, \"expunged\": {expunge}}}");
}
else if (verb == "push")
{
    var accountId = long.Parse(args[5], culture);
    await ImapMail.Bench.PushBench.RunAsync(accountId, args[6], args[7], args[8], args[9], args[10], f => MutateAsync(f, 100, 1000, 100));
}

await client.DisconnectAsync(true);

async Task MutateAsync(string path, int add, int flag, int expunge)
{
    var folder = await client.GetFolderAsync(path);
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
    await folder.CloseAsync();
}
await client.DisconnectAsync(true);
