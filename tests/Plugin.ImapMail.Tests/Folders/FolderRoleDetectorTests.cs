using MailKit;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Folders;

namespace Plugin.ImapMail.Tests.Folders;

[Trait("Tier", "Fast")]
public sealed class FolderRoleDetectorTests
{
    [Theory]
    [InlineData("INBOX", "INBOX", null, FolderAttributes.None, FolderRole.Inbox, FolderRoleSource.SpecialUse)]
    [InlineData("Outbox", "Outbox", null, FolderAttributes.Sent, FolderRole.Sent, FolderRoleSource.SpecialUse)]
    [InlineData("Sendte elementer", "Sendte elementer", null, FolderAttributes.None, FolderRole.Sent, FolderRoleSource.Name)]
    [InlineData("INBOX/Søppelpost", "Søppelpost", "INBOX", FolderAttributes.None, FolderRole.Junk, FolderRoleSource.Name)]
    [InlineData("[Gmail]/Sent Mail", "Sent Mail", "[Gmail]", FolderAttributes.None, FolderRole.Sent, FolderRoleSource.Name)]
    [InlineData("Papirkurv", "Papirkurv", null, FolderAttributes.None, FolderRole.Trash, FolderRoleSource.Name)]
    [InlineData("Deleted Items", "Deleted Items", null, FolderAttributes.None, FolderRole.Trash, FolderRoleSource.Name)]
    [InlineData("Utkast", "Utkast", null, FolderAttributes.None, FolderRole.Drafts, FolderRoleSource.Name)]
    [InlineData("Arkiv", "Arkiv", null, FolderAttributes.None, FolderRole.Archive, FolderRoleSource.Name)]
    [InlineData("Customers/Acme/Sent", "Sent", "Customers/Acme", FolderAttributes.None, FolderRole.None, FolderRoleSource.None)]
    [InlineData("Spam filters", "Spam filters", null, FolderAttributes.None, FolderRole.None, FolderRoleSource.None)]
    [InlineData("Junk", "Junk", null, FolderAttributes.Trash, FolderRole.Trash, FolderRoleSource.SpecialUse)]
    public void Detect_UsesSpecialUseFirst_ThenTopLevelNames(string path, string name, string? parent, FolderAttributes attributes, FolderRole role, FolderRoleSource source)
    {
        Assert.Equal((role, source), FolderRoleDetector.Detect(path, name, parent, attributes));
    }

    [Fact]
    public void StoredFolder_AnAdministratorsChoiceWinsOverDetection()
    {
        var folder = new StoredFolder { DetectedRole = "junk", DetectedSource = "specialuse", AdminRole = "archive" };
        Assert.Equal((FolderRole.Archive, FolderRoleSource.Administrator), (folder.Role, folder.RoleSource));

        var cleared = new StoredFolder { DetectedRole = "junk", DetectedSource = "specialuse", AdminRole = "none" };
        Assert.Equal((FolderRole.None, FolderRoleSource.None), (cleared.Role, cleared.RoleSource));
    }
}
