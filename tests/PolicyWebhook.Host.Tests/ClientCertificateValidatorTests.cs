using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PolicyWebhook.Host.Tls;

namespace PolicyWebhook.Host.Tests;

public sealed class ClientCertificateValidatorTests
{
    [Fact]
    public void Reload_BundleOfTwo_TrustsBoth()
    {
        var folder = Directory.CreateTempSubdirectory("policywebhook-ca").FullName;
        using var k1 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var k2 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        static X509Certificate2 Ca(ECDsa key, string name)
        {
            var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
            return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        }

        using var one = Ca(k1, "one");
        using var two = Ca(k2, "two");
        var file = Path.Combine(folder, "ca.crt");
        File.WriteAllText(file, one.ExportCertificatePem() + "\n" + two.ExportCertificatePem());
        var validator = new ClientCertificateValidator(Options.Create(new TlsOptions { ClientCaFile = file }), NullLogger<ClientCertificateValidator>.Instance, TimeProvider.System);

        Assert.True(validator.Reload());
    }
}
