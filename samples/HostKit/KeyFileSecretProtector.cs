using System.Security.Cryptography;
using System.Text;
using Plugin.ImapMail.Contracts.Hosting;

namespace DevHost.Hosting;

/// <summary>
/// The host's secret protection: AES-256-GCM with a random key kept in a file beside the database (mode 600).
/// Protected values are <c>v1:</c> + base64(nonce | tag | ciphertext).
/// </summary>
internal sealed class KeyFileSecretProtector : ISecretProtector
{
    private const string Prefix = "v1:";
    private readonly byte[] key;

    public KeyFileSecretProtector(string keyFile)
    {
        if (File.Exists(keyFile))
        {
            try
            {
                key = Convert.FromBase64String(File.ReadAllText(keyFile).Trim());
            }
            catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
            {
                throw new HostException($"The key file '{keyFile}' cannot be read as a key ({ex.Message}).", ExitCode.Invalid);
            }

            if (key.Length != 32)
            {
                throw new HostException($"The key file '{keyFile}' is not a 256-bit key.", ExitCode.Invalid);
            }
        }
        else
        {
            key = RandomNumberGenerator.GetBytes(32);
            try
            {
                Create(keyFile, key);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new HostException($"The key file '{keyFile}' cannot be created ({ex.Message}). Give --key-file FILE in a folder this user can write.", ExitCode.Storage);
            }
        }
    }

    private static void Create(string keyFile, byte[] key)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(keyFile))!;
        Directory.CreateDirectory(directory);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(keyFile, options);
        stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(key)));
    }

    public string Protect(string plaintext)
    {
        var clear = Encoding.UTF8.GetBytes(plaintext);
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        var cipher = new byte[clear.Length];
        using (var aes = new AesGcm(key, tag.Length))
        {
            aes.Encrypt(nonce, clear, cipher, tag);
        }

        return Prefix + Convert.ToBase64String([.. nonce, .. tag, .. cipher]);
    }

    public string Unprotect(string protectedValue)
    {
        if (!protectedValue.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new CryptographicException("Not a protected value of this host.");
        }

        byte[] all;
        try
        {
            all = Convert.FromBase64String(protectedValue[Prefix.Length..]);
        }
        catch (FormatException ex)
        {
            throw new CryptographicException("The protected value is damaged.", ex);
        }

        var nonceSize = AesGcm.NonceByteSizes.MaxSize;
        var tagSize = AesGcm.TagByteSizes.MaxSize;
        if (all.Length < nonceSize + tagSize)
        {
            throw new CryptographicException("The protected value is damaged.");
        }

        var clear = new byte[all.Length - nonceSize - tagSize];
        using (var aes = new AesGcm(key, tagSize))
        {
            aes.Decrypt(all.AsSpan(0, nonceSize), all.AsSpan(nonceSize + tagSize), all.AsSpan(nonceSize, tagSize), clear);
        }

        return Encoding.UTF8.GetString(clear);
    }
}
