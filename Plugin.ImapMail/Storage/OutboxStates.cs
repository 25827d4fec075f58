namespace Plugin.ImapMail.Storage;

/// <summary>The states of an outbox row. <see cref="Claimed"/> and <see cref="Sending"/> are the outbox's own bookkeeping.</summary>
internal enum OutboxState
{
    Queued,
    Retrying,

    /// <summary>A process took the row and is connecting; nothing handed over yet. A stale claim is simply retried.</summary>
    Claimed,

    /// <summary>The message is being handed to the server; a stale row in this state means a crash mid-send: delivery unknown.</summary>
    Sending,
    DeliveryUnknown,
    Sent,
    Failed,
    Delivered,
    Read,

    /// <summary>Its server refused the login or certificate: waits, without logging in, until a person fixes it (see the send block store).</summary>
    Blocked,
}

/// <summary>The states of a row's Sent copy. <see cref="Appending"/> means an APPEND was started: search before trying again.</summary>
internal enum SentCopyStage
{
    Pending,
    Appending,
    Filed,
    Server,
    Off,
    NoFolder,
    Failed,
}

/// <summary>What an outbox row is.</summary>
internal enum OutboxPurpose
{
    Mail,

    /// <summary>A read receipt (MDN) this module answered with.</summary>
    Mdn,
}

/// <summary>The stored names of <see cref="OutboxState"/> (<c>imapmail_outbox.status</c>) and what the host sees of them.</summary>
internal static class OutboxStates
{
    public static readonly StateNames<OutboxState> Names = StateNames<OutboxState>.SnakeCase();

    /// <summary>The states a row waits in to be sent.</summary>
    public static readonly OutboxState[] Waiting = [OutboxState.Queued, OutboxState.Retrying];

    /// <summary>The states after a server accepted the message.</summary>
    public static readonly OutboxState[] Accepted = [OutboxState.Sent, OutboxState.Delivered, OutboxState.Read];

    public static OutgoingStatus ToStatus(OutboxState state) => state switch
    {
        OutboxState.Queued or OutboxState.Claimed or OutboxState.Sending => OutgoingStatus.Queued,
        OutboxState.Retrying => OutgoingStatus.Retrying,
        OutboxState.DeliveryUnknown => OutgoingStatus.DeliveryUnknown,
        OutboxState.Sent => OutgoingStatus.Sent,
        OutboxState.Failed => OutgoingStatus.Failed,
        OutboxState.Delivered => OutgoingStatus.Delivered,
        OutboxState.Read => OutgoingStatus.Read,
        OutboxState.Blocked => OutgoingStatus.ActionRequired,
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    /// <summary>The states a report may move a row from to <paramref name="reported"/> (never back: failed and read stay).</summary>
    public static OutboxState[] ReportableFrom(OutboxState reported) => reported switch
    {
        OutboxState.Delivered => [OutboxState.Sent, OutboxState.DeliveryUnknown],
        OutboxState.Read or OutboxState.Failed => [OutboxState.Sent, OutboxState.Delivered, OutboxState.DeliveryUnknown],
        _ => throw new ArgumentOutOfRangeException(nameof(reported)),
    };
}

/// <summary>The stored names of <see cref="SentCopyStage"/> (<c>imapmail_outbox.sent_copy</c>) and what the host sees of them.</summary>
internal static class SentCopyStages
{
    public static readonly StateNames<SentCopyStage> Names = StateNames<SentCopyStage>.SnakeCase();

    /// <summary>The stages a copy waits in to be filed (an <see cref="SentCopyStage.Appending"/> one only once its claim is stale).</summary>
    public static readonly SentCopyStage[] Unfiled = [SentCopyStage.Pending, SentCopyStage.Appending];

    public static SentCopyState ToState(SentCopyStage stage) => stage switch
    {
        SentCopyStage.Pending or SentCopyStage.Appending => SentCopyState.Pending,
        SentCopyStage.Filed => SentCopyState.Filed,
        SentCopyStage.Server => SentCopyState.FiledByServer,
        SentCopyStage.Off => SentCopyState.NotWanted,
        SentCopyStage.NoFolder => SentCopyState.NoSentFolder,
        SentCopyStage.Failed => SentCopyState.Failed,
        _ => throw new ArgumentOutOfRangeException(nameof(stage)),
    };
}

/// <summary>The stored names of <see cref="OutboxPurpose"/> (<c>imapmail_outbox.purpose</c>).</summary>
internal static class OutboxPurposes
{
    public static readonly StateNames<OutboxPurpose> Names = StateNames<OutboxPurpose>.LowerCase();
}
