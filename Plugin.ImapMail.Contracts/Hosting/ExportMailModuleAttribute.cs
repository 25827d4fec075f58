using System.ComponentModel.Composition;

namespace Plugin.ImapMail.Contracts.Hosting;

/// <summary>Exports a class as an <see cref="IMailModule"/> with typed metadata.</summary>
[MetadataAttribute]
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ExportMailModuleAttribute : ExportAttribute, IMailModuleMetadata
{
    /// <summary>Exports the class with its module id and version.</summary>
    /// <param name="id">The module id, as in the manifest.</param>
    /// <param name="version">The module version, as in the manifest.</param>
    public ExportMailModuleAttribute(string id, string version)
        : base(typeof(IMailModule))
    {
        Id = id;
        Version = version;
    }

    /// <inheritdoc />
    public string Id { get; }

    /// <inheritdoc />
    public string Version { get; }
}
