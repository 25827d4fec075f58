// The core model and the table stores are what every feature uses; the features themselves are imported by name only in
// the composition root. Below them, the namespaces most files use, named once here instead of at the top of every file.
global using Plugin.ImapMail.Core;
global using Plugin.ImapMail.Storage;
global using Plugin.ImapMail.Contracts.Hosting;
global using Plugin.ImapMail.Resources;
global using System.Globalization;
global using Plugin.ImapMail.Contracts.Folders;
global using Microsoft.Extensions.Logging;
global using MailKit;
global using Plugin.ImapMail.Connection;
global using MailKit.Net.Imap;
global using Microsoft.Extensions.DependencyInjection;
global using Dapper;
global using Plugin.ImapMail.Contracts.Mail;
global using MimeKit;
global using System.Text;
global using Plugin.ImapMail.Contracts.Sync;
global using System.Security.Cryptography;
global using Plugin.ImapMail.Contracts.Settings;
global using Plugin.ImapMail.Contracts.Service;
global using System.Net.Sockets;
global using System.Data.Common;
global using Plugin.ImapMail.Contracts.Crm;
global using Plugin.ImapMail.Contracts.Accounts;
