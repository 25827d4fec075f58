using System.Globalization;
using MailKit.Search;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Hosting;

/// <summary>send, outbox, status and read-receipt through the reference host, as processes, with the private Postfix as the system relay.</summary>
public sealed class SendCommandTests
{
    [Fact]
    public async Task Send_ThroughTheSystemRelay_QueuesWhileItIsDown_ThenOutboxRunSendsOnce_AndStatusShowsTheDeliveryReport()
    {
        var postfix = await PostfixServer.SharedAsync();
        var server = postfix.Dovecot;
        var user = server.AddUser("host-send");
        var recipient = server.AddUser("host-rcpt");
        var folder = TestEnvironment.NewFolder("host-send");
        await File.WriteAllTextAsync(Path.Combine(folder, "pw"), user.Password);
        await File.WriteAllTextAsync(Path.Combine(folder, "body.txt"), "Your invoice is attached.\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "invoice.csv"), "line,amount\n1,100\n");
        string[] db = ["--db", Path.Combine(folder, "imapmail.db")];
        string[] relay = ["--system-smtp", $"{postfix.Host}:{postfix.RelayPort}"];
        string[] down = ["--system-smtp", $"127.0.0.1:{TestEnvironment.FreePort()}"];

        var add = await DevHostProcess.RunAsync(["account", "add", "--name", "Sales", "--email", PostfixServer.Address(user), "--imap-host", server.Host,
            "--imap-port", server.ImapPort.ToString(CultureInfo.InvariantCulture), "--security", "none", "--user", user.Name,
            "--password-file", Path.Combine(folder, "pw"), "--default", "--json", .. db]);
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);

        var send = await DevHostProcess.RunAsync(["send", "--default", "--to", PostfixServer.Address(recipient), "--subject", "Invoice 42",
            "--body-file", Path.Combine(folder, "body.txt"), "--attach", Path.Combine(folder, "invoice.csv"), "--delivery-receipt", "--json", .. db, .. down]);
        Assert.True(send.ExitCode == 0, send.Stdout + send.Stderr);
        Assert.Equal("retrying", send.Json.GetProperty("status").GetString());
        var messageId = send.Json.GetProperty("messageId").GetString()!;
        var outboxId = send.Json.GetProperty("outboxId").GetInt64().ToString(CultureInfo.InvariantCulture);

        var listed = await DevHostProcess.RunAsync(["outbox", "--json", .. db]);
        var entry = Assert.Single(listed.Json.EnumerateArray());
        Assert.Equal(("retrying", "pending"), (entry.GetProperty("status").GetString(), entry.GetProperty("sentCopy").GetString()));
        Assert.Contains("did not accept a connection", entry.GetProperty("reason").GetString(), StringComparison.Ordinal);

        var retry = await DevHostProcess.RunAsync(["outbox", "retry", outboxId, "--json", .. db, .. relay]);
        Assert.True(retry.ExitCode == 0, retry.Stdout + retry.Stderr);
        Assert.Equal("sent", retry.Json.GetProperty("status").GetString());
        var run = await DevHostProcess.RunAsync(["outbox", "run", "--json", .. db, .. relay]);
        Assert.Equal(0, run.Json.GetProperty("processed").GetInt32());

        var arrived = await SendScenario.WaitForAsync(recipient, "INBOX", SearchQuery.HeaderContains("Message-ID", messageId));
        Assert.Contains(arrived.Attachments, a => a.ContentDisposition?.FileName == "invoice.csv");
        Assert.Single(await SendScenario.FindAsync(recipient, "INBOX", messageId));
        Assert.Single(await SendScenario.FindAsync(user, "Sent", messageId));

        await SendScenario.WaitForAsync(user, "INBOX", SearchQuery.SubjectContains("Successful Mail Delivery Report"), diagnostics: postfix.ReadLog);
        var download = await DevHostProcess.RunAsync(["download", "1", "--json", .. db]);
        Assert.True(download.ExitCode == 0, download.Stdout + download.Stderr);
        var status = await DevHostProcess.RunAsync(["status", messageId, "--json", .. db]);
        Assert.True(status.ExitCode == 0, status.Stdout + status.Stderr);
        Assert.Equal("delivered", status.Json.GetProperty("status").GetString());
        Assert.Equal("filed", status.Json.GetProperty("sentCopy").GetString());
        Assert.Equal("delivered", Assert.Single(status.Json.GetProperty("reports").EnumerateArray()).GetProperty("kind").GetString());

        var plain = await DevHostProcess.RunAsync(["status", messageId, .. db]);
        Assert.Contains("Delivered", plain.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_WithoutADefaultAccount_SaysSo()
    {
        var folder = TestEnvironment.NewFolder("host-nodefault");
        await File.WriteAllTextAsync(Path.Combine(folder, "body.txt"), "x");
        var send = await DevHostProcess.RunAsync(["send", "--default", "--to", "a@example.test", "--subject", "x", "--body-file", Path.Combine(folder, "body.txt"),
            "--json", "--db", Path.Combine(folder, "imapmail.db")]);
        Assert.Equal(2, send.ExitCode);
        Assert.Equal("noDefaultAccount", send.Json.GetProperty("error").GetProperty("kind").GetString());
    }
}
