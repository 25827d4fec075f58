namespace Plugin.ImapMail.Core;

/// <summary>Everything the five settings tabs hold for one account, except its secrets.</summary>
internal sealed record AccountSettings
{
    // General
    public string Name { get; init; } = "";
    public string Kind { get; init; } = AccountKinds.Imap;
    public string Email { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public bool IsDefault { get; init; }
    public bool LinkToCrm { get; init; } = true;

    // Servers
    public string ImapHost { get; init; } = "";
    public string ImapUser { get; init; } = "";
    public OutgoingMode SmtpMode { get; init; } = OutgoingMode.SystemDefault;
    public string SmtpHost { get; init; } = "";
    public bool SmtpSameLogin { get; init; } = true;
    public string SmtpUser { get; init; } = "";

    // Receipts
    public bool RequestReadReceipt { get; init; }
    public bool RequestDeliveryReceipt { get; init; }
    public ReadReceiptReply ReadReceiptReply { get; init; } = ReadReceiptReply.Never;
    public bool ReadReceiptOutsideDomains { get; init; }

    // Advanced
    public int? ImapPort { get; init; }
    public TransportSecurity? ImapSecurity { get; init; }
    public int? SmtpPort { get; init; }
    public TransportSecurity? SmtpSecurity { get; init; }
    public bool AcceptPlaintext { get; init; }
    public string AuthMechanism { get; init; } = AuthMechanisms.Automatic;
    public int TimeoutSeconds { get; init; } = 60;
    public int CheckIntervalMinutes { get; init; } = 5;
    public string PinnedCertificate { get; init; } = "";
    public DeleteBehaviour DeleteBehaviour { get; init; } = DeleteBehaviour.MarkDeleted;
    public BodyCachePolicy BodyCache { get; init; } = BodyCachePolicy.LinkedToCrm;
    public SentCopyMode SentCopy { get; init; } = SentCopyMode.Auto;
    public bool ProtocolLog { get; init; }

    // Kept by the module, not shown on a tab: the SASL mechanism each server last accepted a login with under
    // "automatic", so a later offer of only weaker ones is refused rather than silently used.
    public string? ImapLoginMechanism { get; init; }
    public string? SmtpLoginMechanism { get; init; }
}
