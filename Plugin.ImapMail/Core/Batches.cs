namespace Plugin.ImapMail.Core;

/// <summary>How many messages one step of a download stores, links or reads together.</summary>
internal static class Batches
{
    public const int Size = 1000;
}
