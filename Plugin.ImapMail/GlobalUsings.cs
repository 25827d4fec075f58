// The core model and the table stores are what every feature uses; the features themselves are imported by name only in the composition root.
global using Plugin.ImapMail.Core;
global using Plugin.ImapMail.Storage;
