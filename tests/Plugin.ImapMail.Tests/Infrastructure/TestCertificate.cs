using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>A self-signed certificate for the test servers, written as PEM files.</summary>
internal sealed record TestCertificate(string CertPath, string KeyPath, string Sha256)
{
    public static TestCertificate Create(string folder, string subject = "localhost")
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={subject}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(subject);
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certPath = Path.Combine(folder, "cert.pem");
        var keyPath = Path.Combine(folder, "key.pem");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, rsa.ExportRSAPrivateKeyPem());
        return new TestCertificate(certPath, keyPath, Convert.ToHexString(SHA256.HashData(certificate.RawData)));
    }
}
