namespace Plugin.ImapMail.Contracts.Mail;

/// <summary>A file attached to an outgoing message.</summary>
/// <param name="FileName">The file name shown to the recipient.</param>
/// <param name="ContentType">The MIME type, for example <c>application/pdf</c>.</param>
/// <param name="Content">The file's bytes.</param>
public sealed record OutgoingAttachment(string FileName, string ContentType, ReadOnlyMemory<byte> Content);
