using System.Security.Cryptography;
using System.Text;
using Plugin.ImapMail.Contracts.Hosting;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>A real protector for tests (AES-GCM, a random key per instance) that counts its calls.</summary>
internal sealed class TestSecretProtector : ISecretProtector
{
    private readonly byte[] key = RandomNumberGenerator.GetBytes(32);

    public int Unprotected { get; private set; }

    public string Protect(string plaintext)
    {
        var nonce = RandomNumberGenerator.GetBytes(12);
        var clear = Encoding.UTF8.GetBytes(plaintext);
        var cipher = new byte[clear.Length];
        var tag = new byte[16];
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(nonce, clear, cipher, tag);
        return "t1:" + Convert.ToBase64String([.. nonce, .. tag, .. cipher]);
    }

    public string Unprotect(string protectedValue)
    {
        Unprotected++;
        if (!protectedValue.StartsWith("t1:", StringComparison.Ordinal))
        {
            throw new CryptographicException("Not protected by this protector.");
        }

        var all = Convert.FromBase64String(protectedValue[3..]);
        var clear = new byte[all.Length - 28];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(all.AsSpan(0, 12), all.AsSpan(28), all.AsSpan(12, 16), clear);
        return Encoding.UTF8.GetString(clear);
    }
}
