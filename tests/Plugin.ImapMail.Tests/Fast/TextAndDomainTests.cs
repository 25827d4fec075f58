using Plugin.ImapMail.Crm;
using Plugin.ImapMail.Sending;

namespace Plugin.ImapMail.Tests.Fast;

/// <summary>One text cleaner and one domain reader for the whole module: their edge cases.</summary>
[Trait("Tier", "Fast")]
public sealed class TextAndDomainTests
{
    [Theory]
    [InlineData(" Invoice\r\nBcc: x@example.org\n", "Invoice  Bcc: x@example.org")]
    [InlineData("\t Tilbud \t", "Tilbud")]
    [InlineData("a\0b\u0007c", "abc")]
    [InlineData("Svar\u0085 nå", "Svar nå")]
    [InlineData("", "")]
    public void AHeaderValue_IsCleanedAsStoredTextIs_AndTrimmed(string value, string expected)
    {
        Assert.Equal(expected, MessageComposer.Clean(value));
        Assert.Equal(MessageSummaryMapper.Clean(value, int.MaxValue)!.Trim(), MessageComposer.Clean(value));
        Assert.DoesNotContain(MessageComposer.Clean(value), c => c is '\r' or '\n' or '\0');
    }

    [Fact]
    public void AHeaderValue_KeepsSurrogatePairs_AndReplacesLoneOnes()
    {
        // Built in code: an attribute argument cannot hold a lone surrogate.
        Assert.Equal("x\U0001F600\uFFFD", MessageComposer.Clean("x\U0001F600" + '\uD800'));
        Assert.Equal("\uFFFD lone low", MessageComposer.Clean('\uDC00' + " lone low"));
    }

    [Theory]
    [InlineData("kari@ACME.no", "acme.no")]
    [InlineData("\"a@b\"@acme.no", "acme.no")]
    [InlineData("<kari@acme.no>", "acme.no")]
    [InlineData(" kari@acme.no. ", "acme.no")]
    [InlineData("kari", null)]
    [InlineData("kari@", null)]
    [InlineData("kari@ >", null)]
    [InlineData(null, null)]
    public void TheDomainOfAnAddress_IsAfterTheLastAt_InLowerCase_OrNone(string? address, string? expected)
    {
        Assert.Equal(expected, MailDomains.Of(address));
    }

    [Fact]
    public void AMessageIdDomain_FallsBackToLocalhost_ForAnAddressWithoutOne()
    {
        Assert.Equal("acme.no", MessageComposer.IdDomain("Post@Acme.NO"));
        Assert.Equal("localhost", MessageComposer.IdDomain("post"));
    }

    [Fact]
    public void Exclusions_MatchTheAddressOrItsDomain_InAnyCase_AndAnAddressWithoutDomainOnlyByItself()
    {
        var settings = new CrmSettings { Exclusions = ["@acme.no", "ola@beta.no", "gamma.no"] };

        Assert.True(settings.IsExcluded("Kari@ACME.no"));
        Assert.True(settings.IsExcluded("x@gamma.no"));
        Assert.True(settings.IsExcluded("OLA@beta.no"));
        Assert.False(settings.IsExcluded("kari@beta.no"));
        Assert.False(settings.IsExcluded("acme.no"));
        Assert.True(settings.IsExcluded("gamma.no"));
    }
}
