namespace Plugin.ImapMail.Contracts.Settings;

/// <summary>How the host renders a settings field.</summary>
public enum FieldKind
{
    /// <summary>One line of text.</summary>
    Text,

    /// <summary>A secret (password, token): never shown back; an empty value means "unchanged".</summary>
    Secret,

    /// <summary>A whole number.</summary>
    Number,

    /// <summary>A tick box; values are <c>true</c> or <c>false</c>.</summary>
    Checkbox,

    /// <summary>One of <see cref="SettingsField.Options"/>.</summary>
    Choice,

    /// <summary>The account's folder tree (read-only rows with per-folder role and sync tick); see <see cref="SettingsTabView.Folders"/>.</summary>
    FolderTree,

    /// <summary>An action button (for example "Test connection"); no value.</summary>
    Action,
}
