using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MailKit;
using MimeKit;

namespace Plugin.ImapMail.Tests.Fast;

/// <summary>
/// The mapping from FETCH results to index rows gives the same values however it is computed: fingerprints are stored
/// link keys, so the allocation-free one must equal the formula the index was first filled with, byte for byte.
/// </summary>
public sealed class MessageSummaryMapperTests
{
    /// <summary>The formula as first shipped: SHA-256 of the interpolated text, first 32 hex digits.</summary>
    private static string FirstFingerprint(long? internalDate, long size, string? subject, string? from) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{internalDate}|{size}|{subject}|{from}")))[..32];

    public static IEnumerable<object?[]> FingerprintInputs() =>
    [
        [1_700_000_000_000L, 1234L, "Hello", "kari@acme.no"],
        [null, 0L, null, null],
        [-62_135_596_800_000L, long.MaxValue, "", ""],
        [long.MinValue, long.MinValue, "Årsrapport «Q1» \U0001F600 日本語", "ole@example.test"],
        [1L, 2L, new string('é', 5000), new string('x', 400)],
        [1L, 2L, "lone \uD800 surrogate", null],
    ];

    [Theory]
    [MemberData(nameof(FingerprintInputs))]
    public void Fingerprint_EqualsTheFormulaTheIndexWasFilledWith(long? internalDate, long size, string? subject, string? from)
    {
        Assert.Equal(FirstFingerprint(internalDate, size, subject, from), MessageSummaryMapper.Fingerprint(internalDate, size, subject, from));
    }

    [Fact]
    public void Fingerprint_UnderACultureWithAnotherMinusSign_EqualsTheFormula()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            // Swedish writes a negative number with U+2212, three bytes in UTF-8.
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("sv-SE");
            Assert.Equal(FirstFingerprint(-1, -2, "s", "f"), MessageSummaryMapper.Fingerprint(-1, -2, "s", "f"));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Theory]
    [InlineData("plain text", 100)]
    [InlineData("Årsrapport «Q1» 日本語", 100)]
    public void Clean_SafeTextWithinTheLimit_IsReturnedAsItIs(string text, int max)
    {
        Assert.Same(text, MessageSummaryMapper.Clean(text, max));
    }

    [Theory]
    [InlineData("a\u0085b", 10, "ab")]
    [InlineData("a\u007Fb", 10, "ab")]
    [InlineData("x\U0001F600", 2, "x")]
    [InlineData("\U0001F600y", 10, "\U0001F600y")]
    public void Clean_ControlsSurrogatesAndLength_AreStillHandled(string text, int max, string expected)
    {
        Assert.Equal(expected, MessageSummaryMapper.Clean(text, max));
    }

    [Fact]
    public void Map_Envelope_GivesTheSenderRecipientsAndFingerprintAsBefore()
    {
        var envelope = new Envelope { Subject = "Tilbud\tnr 7", Date = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), MessageId = "a@b" };
        envelope.From.Add(new GroupAddress("Team", [new MailboxAddress("Kari", "Kari@Acme.no")]));
        envelope.To.AddRange([new MailboxAddress("", "Post@Example.test"), new GroupAddress("g", [new MailboxAddress("", "post@example.test"), new MailboxAddress("", "ole@example.test")])]);
        envelope.Cc.Add(new MailboxAddress("Solo", "SOLO@example.test"));
        var summary = new MessageSummary(0)
        {
            Envelope = envelope,
            UniqueId = new UniqueId(42),
            Size = 2048u,
            InternalDate = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_100_000),
            Flags = MessageFlags.Seen | MessageFlags.Recent,
        };

        var row = MessageSummaryMapper.Map(summary, 3, 7);

        Assert.Equal("kari@acme.no", row.FromAddr);
        Assert.Equal("Kari", row.FromName);
        Assert.Equal("post@example.test,ole@example.test", row.ToAddrs);
        Assert.Equal("solo@example.test", row.CcAddrs);
        Assert.Null(row.ReplyTo);
        Assert.Equal("Tilbud nr 7", row.Subject);
        Assert.Equal("", row.Keywords);
        Assert.Equal((long)MessageFlags.Seen, row.Flags);
        Assert.Equal(FirstFingerprint(1_700_000_100_000, 2048, "Tilbud nr 7", "kari@acme.no"), row.Fingerprint);
    }
}
