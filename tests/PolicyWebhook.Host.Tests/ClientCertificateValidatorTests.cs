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

    [Fact]
    public void Check_LeafOfAnIntermediate_IsTrustedWithTheIntermediateTheClientSends_AndOnlyThen()
    {
        var folder = Directory.CreateTempSubdirectory("policywebhook-ca").FullName;
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;
        var rootRequest = new CertificateRequest("CN=root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var root = rootRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));
        var intermediateRequest = new CertificateRequest("CN=intermediate", intermediateKey, HashAlgorithmName.SHA256);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var intermediatePublic = intermediateRequest.Create(root, now.AddMinutes(-5), now.AddDays(1), [1, 2, 3]);
        using var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);
        var leafRequest = new CertificateRequest("CN=kube-apiserver", leafKey, HashAlgorithmName.SHA256);
        leafRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var leaf = leafRequest.Create(intermediate, now.AddMinutes(-5), now.AddHours(12), [4, 5, 6]);
        var file = Path.Combine(folder, "ca.crt");
        File.WriteAllText(file, root.ExportCertificatePem());
        var validator = new ClientCertificateValidator(Options.Create(new TlsOptions { ClientCaFile = file }), NullLogger<ClientCertificateValidator>.Instance, TimeProvider.System);
        Assert.True(validator.Reload());

        Assert.Null(validator.Check(leaf, [intermediatePublic]));
        Assert.Equal("untrusted", validator.Check(leaf));
    }
}
