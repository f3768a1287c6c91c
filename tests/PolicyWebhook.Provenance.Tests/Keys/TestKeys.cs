using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace PolicyWebhook.Provenance.Tests.Keys;

/// <summary>Keys of every supported kind made for one test, with a function that signs as cosign does with each.</summary>
internal static class TestKeys
{
    public static readonly string[] Algorithms = ["P-256", "P-384", "RSA-2048", "Ed25519"];

    /// <summary>A key of the kind as PEM PUBLIC KEY, and a function that signs as cosign would with it.</summary>
    public static (string Pem, Func<byte[], byte[]> Sign) Generate(string algorithm)
    {
        switch (algorithm)
        {
            case "P-256" or "P-384":
                var ecdsa = ECDsa.Create(algorithm == "P-256" ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384);
                var hash = algorithm == "P-256" ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA384;
                return (ecdsa.ExportSubjectPublicKeyInfoPem(), d => ecdsa.SignData(d, hash, DSASignatureFormat.Rfc3279DerSequence));
            case "RSA-2048":
                var rsa = RSA.Create(2048);
                return (rsa.ExportSubjectPublicKeyInfoPem(), d => rsa.SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            default:
                var ed25519 = new Ed25519PrivateKeyParameters(new SecureRandom());
                var pem = PemOf(SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(ed25519.GeneratePublicKey()).GetDerEncoded());
                return (pem, d =>
                {
                    var signer = new Ed25519Signer();
                    signer.Init(forSigning: true, ed25519);
                    signer.BlockUpdate(d, 0, d.Length);
                    return signer.GenerateSignature();
                }
                );
        }
    }

    public static string PemOf(byte[] spki) => new(PemEncoding.Write("PUBLIC KEY", spki));
}
