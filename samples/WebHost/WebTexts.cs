using System.Globalization;

namespace WebHost;

/// <summary>
/// The web host's own words (menus, buttons, headings) in English and Norwegian bokmål. Everything about accounts, tabs,
/// fields, folder commands and their results comes from the module in the user's language; these are the host's frame around it.
/// </summary>
internal static class WebTexts
{
    private static readonly Dictionary<string, (string En, string Nb)> Texts = new(StringComparer.Ordinal)
    {
        ["App"] = ("Mail accounts", "E-postkontoer"),
        ["SignIn"] = ("Sign in", "Logg inn"),
        ["SignOut"] = ("Sign out", "Logg ut"),
        ["UserName"] = ("User name", "Brukernavn"),
        ["Password"] = ("Password", "Passord"),
        ["SignInFailed"] = ("The user name or password is wrong.", "Brukernavnet eller passordet er feil."),
        ["Accounts"] = ("Accounts", "Kontoer"),
        ["NewAccount"] = ("New account", "Ny konto"),
        ["NoAccounts"] = ("No account yet.", "Ingen konto ennå."),
        ["Name"] = ("Name", "Navn"),
        ["Email"] = ("E-mail address", "E-postadresse"),
        ["Server"] = ("Server", "Server"),
        ["Health"] = ("Health", "Tilstand"),
        ["LastSync"] = ("Last sync", "Siste synkronisering"),
        ["Never"] = ("never", "aldri"),
        ["Default"] = ("Default", "Standard"),
        ["NeedsCredentials"] = ("needs new credentials", "trenger nytt passord"),
        ["Edit"] = ("Settings", "Innstillinger"),
        ["Folders"] = ("Folders", "Mapper"),
        ["Save"] = ("Save", "Lagre"),
        ["TestConnection"] = ("Test connection", "Test tilkobling"),
        ["Saved"] = ("The account is saved.", "Kontoen er lagret."),
        ["NotSaved"] = ("Nothing was saved: correct the fields marked below.", "Ingenting ble lagret: rett feltene som er merket nedenfor."),
        ["Required"] = ("required", "påkrevd"),
        ["SecretKept"] = ("A password is stored; it is never shown.", "Et passord er lagret; det vises aldri."),
        ["TestOk"] = ("The connection works.", "Tilkoblingen virker."),
        ["TestFailed"] = ("The connection failed.", "Tilkoblingen mislyktes."),
        ["Fingerprint"] = ("Certificate fingerprint to pin", "Sertifikatets fingeravtrykk å feste"),
        ["Incoming"] = ("Incoming (IMAP)", "Innkommende (IMAP)"),
        ["Outgoing"] = ("Outgoing (SMTP)", "Utgående (SMTP)"),
        ["Folder"] = ("Folder", "Mappe"),
        ["Role"] = ("Role", "Funksjon"),
        ["RoleFrom"] = ("Role from", "Funksjon fra"),
        ["Sync"] = ("Synchronise", "Synkroniser"),
        ["Local"] = ("Local", "Lokalt"),
        ["OnServer"] = ("On server", "På serveren"),
        ["SaveTicks"] = ("Save ticks", "Lagre haker"),
        ["Download"] = ("Download", "Last ned"),
        ["Commands"] = ("Commands", "Kommandoer"),
        ["CommandsFor"] = ("Commands for {0}", "Kommandoer for {0}"),
        ["MenuHint"] = ("Right-click a folder, or press Shift+F10 or the menu key on it, for its commands.", "Høyreklikk på en mappe, eller trykk Shift+F10 eller menytasten på den, for kommandoene."),
        ["Confirm"] = ("Confirm", "Bekreft"),
        ["Cancel"] = ("Cancel", "Avbryt"),
        ["Back"] = ("Back", "Tilbake"),
        ["Progress"] = ("Download in progress", "Nedlasting pågår"),
        ["ProgressFolder"] = ("Folder {0} of {1}: {2}, {3} of {4} messages", "Mappe {0} av {1}: {2}, {3} av {4} meldinger"),
        ["DownloadDone"] = ("Download finished: {0} new, {1} updated, {2} removed in {3} folders.", "Nedlastingen er ferdig: {0} nye, {1} endret, {2} fjernet i {3} mapper."),
        ["DownloadFailed"] = ("Download failed: {0}", "Nedlastingen mislyktes: {0}"),
        ["Refused"] = ("You may not open this page.", "Du har ikke tilgang til denne siden."),
        ["NotFound"] = ("There is no such page.", "Siden finnes ikke."),
        ["AdminOnly"] = ("Only an administrator can change mail accounts.", "Bare en administrator kan endre e-postkontoer."),
        ["Language"] = ("Norsk", "English"),
        ["Error"] = ("The module said: {0}", "Modulen sa: {0}"),
        ["Tabs"] = ("Settings tabs", "Innstillingsfaner"),
        ["ConfirmPurge"] = ("Remove the messages marked as deleted in \"{0}\" from the server for good?", "Fjerne meldingene som er merket som slettet i «{0}» fra serveren for godt?"),
        ["Messages"] = ("Messages", "Meldinger"),
        ["From"] = ("From", "Fra"),
        ["Subject"] = ("Subject", "Emne"),
        ["Date"] = ("Date", "Dato"),
        ["NoSubject"] = ("(no subject)", "(uten emne)"),
        ["Previous"] = ("Previous page", "Forrige side"),
        ["Next"] = ("Next page", "Neste side"),
        ["PageN"] = ("Page {0}", "Side {0}"),
        ["Action_Read"] = ("Mark read", "Merk som lest"),
        ["Action_Unread"] = ("Mark unread", "Merk som ulest"),
        ["Action_Flag"] = ("Flag", "Flagg"),
        ["Action_Unflag"] = ("Remove flag", "Fjern flagg"),
        ["Action_Delete"] = ("Delete", "Slett"),
        ["Action_Undelete"] = ("Undelete", "Angre sletting"),
        ["Action_Archive"] = ("Archive", "Arkiver"),
        ["Deleted"] = ("deleted", "slettet"),
        ["Unread"] = ("unread", "ulest"),
        ["Flagged"] = ("flagged", "flagget"),
        ["Attachments"] = ("Attachments", "Vedlegg"),
        ["ShowImages"] = ("Show remote images", "Vis eksterne bilder"),
        ["ImagesBlocked"] = ("Remote images are blocked.", "Eksterne bilder er blokkert."),
        ["MessageBody"] = ("Message text", "Meldingstekst"),
    };

    public static bool IsNorwegian(CultureInfo culture) => culture.TwoLetterISOLanguageName is "nb" or "no" or "nn";

    public static string T(this CultureInfo culture, string key) =>
        Texts.TryGetValue(key, out var text) ? (IsNorwegian(culture) ? text.Nb : text.En) : key;

    public static string T(this CultureInfo culture, string key, params object?[] args) =>
        string.Format(culture, culture.T(key), args);
}
