using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyWebhook.Tests.Shared;

/// <summary>
/// Who signs a test signature, and how it is broken on purpose. The defaults make a signature that verifies against
/// <see cref="TestSigstore.TrustedRootJson"/> as <see cref="TestSigstore.DefaultSubject"/> of <see cref="TestSigstore.DefaultIssuer"/>.
/// </summary>
internal sealed record TestSigning
{
    /// <summary>The SAN: a URI when it has a scheme, an email address otherwise.</summary>
    public string Subject { get; init; } = TestSigstore.DefaultSubject;

    public string Issuer { get; init; } = TestSigstore.DefaultIssuer;

    public TestIssuerExtensions IssuerExtensions { get; init; } = TestIssuerExtensions.Current;

    /// <summary>Further Fulcio extensions, OID to value (written as a DER UTF8String), e.g. <see cref="TestCertificateAuthority.SourceRepositoryUriOid"/>.</summary>
    public IReadOnlyDictionary<string, string> Extensions { get; init; } = new Dictionary<string, string>();

    /// <summary>The simple-signing payload's <c>optional</c> annotations (legacy signatures); null writes <c>"optional":null</c> as cosign does.</summary>
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>The signing and integrated time; null for <see cref="TestSigstore.SigningTime"/>.</summary>
    public DateTimeOffset? SigningTime { get; init; }

    /// <summary>Broken: the leaf is issued by a CA the trusted root does not hold.</summary>
    public bool FromOtherCa { get; init; }

    /// <summary>Broken: the leaf's ten minutes end a minute before the integrated time.</summary>
    public bool ExpiredAtIntegratedTime { get; init; }

    /// <summary>Broken: the SET is signed by a key other than the log's (the log id still names the trusted log).</summary>
    public bool SetSignedByOtherKey { get; init; }

    /// <summary>Broken: the payload, message digest or in-toto subject names this digest instead of the image's; everything else is consistent with it.</summary>
    public string? SignedDigest { get; init; }
}

/// <summary>
/// A throwaway Sigstore for tests, in memory: a Fulcio-like CA, a Rekor-like log and the <c>trusted_root.json</c>
/// naming both, with helpers signing an image digest as cosign does (legacy <c>.sig</c> layer, bundle v0.3 with a
/// message signature or a DSSE envelope). No network, no files; .NET cryptography only (P-256 everywhere).
/// </summary>
internal sealed partial class TestSigstore : IDisposable
{
    public const string DefaultSubject = "https://github.com/example/app/.github/workflows/release.yml@refs/heads/main";
    public const string DefaultIssuer = "https://token.actions.githubusercontent.com";
    public const string FulcioUrl = "https://fulcio.sigstore.test";
    public const string RekorUrl = "https://rekor.sigstore.test";

    /// <summary>The log's entries are numbered from here, so a log index and an inclusion proof's index differ as in Rekor v1's production shard.</summary>
    public const long ShardOffset = 1_000_000;

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Lazy<TestCertificateAuthority> _otherFulcio;
    private readonly ECDsa _otherLogKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>
    /// A Sigstore whose signatures are made and logged at <paramref name="signingTime"/> (an hour ago by default, so the
    /// verifier's clock is past it), whose CA and log are trusted from a day before it.
    /// </summary>
    public TestSigstore(DateTimeOffset? signingTime = null, bool withIntermediate = true)
    {
        var now = DateTimeOffset.UtcNow;
        SigningTime = DateTimeOffset.FromUnixTimeSeconds((signingTime ?? now.AddHours(-1)).ToUnixTimeSeconds());
        var start = SigningTime.AddDays(-1);
        Fulcio = new TestCertificateAuthority("sigstore-test", start, withIntermediate);
        _otherFulcio = new(() => new TestCertificateAuthority("other-ca", start, withIntermediate));
        Rekor = new TestRekorLog(RekorUrl, shardOffset: ShardOffset);
        TrustedRootJson = TrustedRoot(start);
    }

    /// <summary>When signatures are made and integrated, whole seconds (Rekor's integrated time has no fraction).</summary>
    public DateTimeOffset SigningTime { get; }

    /// <summary>The trusted CA.</summary>
    public TestCertificateAuthority Fulcio { get; }

    /// <summary>A CA the trusted root does not hold, for <see cref="TestSigning.FromOtherCa"/>.</summary>
    public TestCertificateAuthority OtherFulcio => _otherFulcio.Value;

    /// <summary>The trusted log.</summary>
    public TestRekorLog Rekor { get; }

    /// <summary>The trusted root (<c>application/vnd.dev.sigstore.trustedroot+json;version=0.1</c>): <see cref="Fulcio"/> and <see cref="Rekor"/>, no CT log, no TSA.</summary>
    public byte[] TrustedRootJson { get; }

    public void Dispose()
    {
        Fulcio.Dispose();
        if (_otherFulcio.IsValueCreated)
        {
            _otherFulcio.Value.Dispose();
        }

        Rekor.Dispose();
        _otherLogKey.Dispose();
    }

    /// <summary>
    /// A leaf certificate (with <paramref name="key"/> as its private key) for the signer of <paramref name="signing"/>,
    /// valid for ten minutes from a minute before the signing time (or ending a minute before it, when expired).
    /// </summary>
    public X509Certificate2 IssueCertificate(ECDsa key, TestSigning? signing = null)
    {
        signing ??= new TestSigning();
        var time = TimeOf(signing);
        var notBefore = signing.ExpiredAtIntegratedTime ? time.AddMinutes(-11) : time.AddMinutes(-1);
        var ca = signing.FromOtherCa ? OtherFulcio : Fulcio;
        return ca.Issue(key, signing.Subject, signing.Issuer, signing.IssuerExtensions, signing.Extensions, notBefore, notBefore.AddMinutes(10));
    }

    private DateTimeOffset TimeOf(TestSigning signing) =>
        signing.SigningTime is { } time ? DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds()) : SigningTime;

    private TestLogEntry Log(byte[] body, TestSigning signing) =>
        Rekor.Append(body, TimeOf(signing), signing.SetSignedByOtherKey ? _otherLogKey : null);

    private static byte[] ToJson(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node, Compact);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private byte[] TrustedRoot(DateTimeOffset start) => ToJson(new JsonObject
    {
        ["mediaType"] = "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        ["tlogs"] = new JsonArray(new JsonObject
        {
            ["baseUrl"] = Rekor.BaseUrl,
            ["hashAlgorithm"] = "SHA2_256",
            ["publicKey"] = new JsonObject
            {
                ["rawBytes"] = Convert.ToBase64String(Rekor.PublicKeyDer),
                ["keyDetails"] = "PKIX_ECDSA_P256_SHA_256",
                ["validFor"] = new JsonObject { ["start"] = Time(start) },
            },
            ["logId"] = new JsonObject { ["keyId"] = Convert.ToBase64String(Rekor.LogId) },
        }),
        ["certificateAuthorities"] = new JsonArray(new JsonObject
        {
            ["subject"] = new JsonObject { ["organization"] = "sigstore-test", ["commonName"] = "sigstore-test" },
            ["uri"] = FulcioUrl,
            ["certChain"] = new JsonObject
            {
                ["certificates"] = new JsonArray([.. Fulcio.Chain.Select(c => (JsonNode)new JsonObject { ["rawBytes"] = Convert.ToBase64String(c.RawData) })]),
            },
            ["validFor"] = new JsonObject { ["start"] = Time(start) },
        }),
        ["ctlogs"] = new JsonArray(),
        ["timestampAuthorities"] = new JsonArray(),
    });
}
