global using Plugin.ImapMail.Core;
global using Plugin.ImapMail.Storage;
