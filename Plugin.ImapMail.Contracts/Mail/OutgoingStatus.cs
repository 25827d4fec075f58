namespace Plugin.ImapMail.Contracts.Mail;

/// <summary>Where an outgoing message is.</summary>
public enum OutgoingStatus
{
    /// <summary>In the outbox, not yet accepted by a server.</summary>
    Queued,

    /// <summary>A server failed for now; it will be tried again.</summary>
    Retrying,

    /// <summary>The connection was lost after the message was handed over: it may or may not have been sent. A person decides.</summary>
    DeliveryUnknown,

    /// <summary>Accepted by the outgoing server.</summary>
    Sent,

    /// <summary>Refused for good; see the reason.</summary>
    Failed,

    /// <summary>A delivery receipt said it was delivered.</summary>
    Delivered,

    /// <summary>A read receipt said it was read.</summary>
    Read,

    /// <summary>
    /// The outgoing server refused the login, or its certificate is not trusted: the reason says what a person must
    /// fix, with the server's reply. Nothing more is sent through that server (and no login is tried) until then: an
    /// account's own server resumes by itself once its outgoing server settings change; the host's transport ("Use
    /// default") resumes when a person retries a waiting message (<see cref="IOutbox.RetryAsync"/>).
    /// </summary>
    ActionRequired,
}
