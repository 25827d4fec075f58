namespace Plugin.ImapMail.Contracts.Hosting;

/// <summary>The MEF metadata view of an exported <see cref="IMailModule"/>.</summary>
public interface IMailModuleMetadata
{
    /// <summary>The module's id, the same as the <c>id</c> of its manifest.</summary>
    string Id { get; }

    /// <summary>The module's version, the same as the <c>version</c> of its manifest.</summary>
    string Version { get; }
}
