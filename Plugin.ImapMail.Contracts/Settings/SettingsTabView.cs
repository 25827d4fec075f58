namespace Plugin.ImapMail.Contracts.Settings;

/// <summary>A settings tab rendered for one account (or a new one) in one language.</summary>
/// <param name="Id">The tab id (<c>general</c>, <c>servers</c>, <c>folders</c>, <c>receipts</c>, <c>advanced</c>).</param>
/// <param name="Order">Where the tab stands; lower first.</param>
/// <param name="Title">The title in the user's language.</param>
/// <param name="Fields">The fields in display order.</param>
/// <param name="Folders">For the Folders tab, the folder tree in display order; empty elsewhere.</param>
/// <param name="Notices">Messages to show above the fields (for example "choose a Sent folder").</param>
public sealed record SettingsTabView(
    string Id,
    int Order,
    string Title,
    IReadOnlyList<SettingsField> Fields,
    IReadOnlyList<SettingsFolderRow> Folders,
    IReadOnlyList<string> Notices);
