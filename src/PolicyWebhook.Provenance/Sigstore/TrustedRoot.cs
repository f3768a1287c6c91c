using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using PolicyWebhook.Provenance.Keys;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>A transparency log (Rekor, or a certificate-transparency log) the root trusts, with the window its key is valid in.</summary>
public sealed record TransparencyLog(string BaseUrl, byte[] KeyId, TrustedKey Key, TimeWindow ValidFor)
{
    /// <summary>The name the log signs its checkpoints with: its base URL's host, and port unless the default (<c>rekor.sigstore.dev</c>).</summary>
    public string NoteName => Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) ? uri.Authority : BaseUrl;
}

/// <summary>A certificate authority (Fulcio) or timestamp authority: its chain, leaf-most first and the root last, and its window.</summary>
public sealed record CertificateAuthority(string Uri, IReadOnlyList<X509Certificate2> Chain, TimeWindow ValidFor)
{
    /// <summary>The self-signed root the chain ends at.</summary>
    public X509Certificate2 Root => Chain[^1];

    /// <summary>
    /// A chain builder that trusts this authority's root alone, takes intermediates from its chain alone (never from
    /// what is verified), checks validity at <paramref name="time"/> rather than now, downloads nothing and requires
    /// the extended key usage <paramref name="extendedKeyUsageOid"/>. The caller disposes it.
    /// </summary>
    public X509Chain ChainAt(DateTimeOffset time, string extendedKeyUsageOid)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Root);
        chain.ChainPolicy.ExtraStore.AddRange(Chain.Take(Chain.Count - 1).ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = time.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(extendedKeyUsageOid));
        return chain;
    }
}

/// <summary>
/// A Sigstore trusted root (<c>trusted_root.json</c>): the Fulcio CAs, Rekor logs, CT logs and timestamp authorities to
/// trust, each with its validity window. <see cref="Production"/> is the public-good instance's, as embedded.
/// </summary>
public sealed class TrustedRoot
{
    /// <summary>Bigger than any trusted root; a file over it is refused rather than read.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>When the embedded production root was last changed upstream (sigstore-python 276c5e8, "Update embedded trust root").</summary>
    public const string ProductionDate = "2025-10-21";

    private static readonly Lazy<TrustedRoot> LazyProduction = new(() =>
    {
        using var stream = typeof(TrustedRoot).Assembly.GetManifestResourceStream("PolicyWebhook.Provenance.Sigstore.trusted_root.production.json")
            ?? throw new InvalidOperationException("the embedded production trusted root is missing");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var root = Parse(memory.ToArray());
        root.Name = BuiltInName;
        return root;
    });

    /// <summary>The name policies give the embedded public-good root in <c>trustedRoots</c>.</summary>
    public const string BuiltInName = "built-in";

    /// <summary>How an entry's <c>trustedRoots</c> names this root: <see cref="BuiltInName"/>, or its file's name in the mounted folder.</summary>
    public string Name { get; internal set; } = string.Empty;

    private TrustedRoot(IReadOnlyList<TransparencyLog> tlogs, IReadOnlyList<CertificateAuthority> cas, IReadOnlyList<TransparencyLog> ctlogs, IReadOnlyList<CertificateAuthority> tsas)
    {
        TransparencyLogs = tlogs;
        CertificateAuthorities = cas;
        CtLogs = ctlogs;
        TimestampAuthorities = tsas;
    }

    /// <summary>The Sigstore public-good instance's root, embedded (<see cref="ProductionDate"/>).</summary>
    public static TrustedRoot Production => LazyProduction.Value;

    public IReadOnlyList<TransparencyLog> TransparencyLogs { get; }

    public IReadOnlyList<CertificateAuthority> CertificateAuthorities { get; }

    public IReadOnlyList<TransparencyLog> CtLogs { get; }

    public IReadOnlyList<CertificateAuthority> TimestampAuthorities { get; }

    /// <summary>Parses a trusted root's JSON; throws <see cref="SigstoreVerificationException"/> (step <c>trusted root</c>) saying what is wrong.</summary>
    public static TrustedRoot Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxBytes)
        {
            throw Bad($"larger than {MaxBytes} bytes");
        }

        TrustedRootJson? root;
        try
        {
            root = JsonSerializer.Deserialize(json, SigstoreJsonContext.Default.TrustedRootJson);
        }
        catch (JsonException e)
        {
            throw Bad("not valid JSON: " + e.Message);
        }

        if (root is null || root.MediaType is not { } mediaType || !mediaType.StartsWith("application/vnd.dev.sigstore.trustedroot", StringComparison.Ordinal))
        {
            throw Bad("not a Sigstore trusted root (no trustedroot mediaType)");
        }

        return new TrustedRoot(
            [.. (root.Tlogs ?? []).Select((t, i) => Log(t, $"tlogs[{i}]"))],
            [.. (root.CertificateAuthorities ?? []).Select((c, i) => Authority(c, $"certificateAuthorities[{i}]"))],
            [.. (root.Ctlogs ?? []).Select((t, i) => Log(t, $"ctlogs[{i}]"))],
            [.. (root.TimestampAuthorities ?? []).Select((c, i) => Authority(c, $"timestampAuthorities[{i}]"))]);
    }

    /// <summary>The Rekor log whose key id is <paramref name="keyId"/>, or null.</summary>
    public TransparencyLog? FindLog(ReadOnlySpan<byte> keyId)
    {
        foreach (var log in TransparencyLogs)
        {
            if (log.KeyId.AsSpan().SequenceEqual(keyId))
            {
                return log;
            }
        }

        return null;
    }

    private static TransparencyLog Log(TransparencyLogJson log, string where)
    {
        if (log.PublicKey?.RawBytes is not { } raw || Formats.Json.Base64(raw) is not { } spki)
        {
            throw Bad($"{where} has no publicKey.rawBytes");
        }

        // A missing start is a malformed root, not an unbounded window.
        var window = TimeWindow.From(log.PublicKey.ValidFor) ?? throw Bad($"{where} ({log.BaseUrl}) has no publicKey.validFor.start");
        if (Formats.Json.Base64(log.LogId?.KeyId) is not { Length: > 0 } keyId)
        {
            throw Bad($"{where} ({log.BaseUrl}) has no logId.keyId");
        }

        if (log.PublicKey.KeyDetails is { } details && details.StartsWith("PKCS1_RSA", StringComparison.Ordinal))
        {
            // An RSAPublicKey (PKCS#1), not a SubjectPublicKeyInfo: staging's first CT log has one.
            spki = Pkcs1ToSubjectPublicKeyInfo(spki) ?? throw Bad($"{where} ({log.BaseUrl}) has a malformed PKCS#1 RSA key");
        }

        if (!TrustedKey.TryFromSubjectPublicKeyInfo(spki, out var key, out var error))
        {
            throw Bad($"{where} ({log.BaseUrl}): {error}");
        }

        return new TransparencyLog(log.BaseUrl ?? string.Empty, keyId, key, window);
    }

    private static byte[]? Pkcs1ToSubjectPublicKeyInfo(byte[] pkcs1)
    {
        try
        {
            using var rsa = System.Security.Cryptography.RSA.Create();
            rsa.ImportRSAPublicKey(pkcs1, out _);
            return rsa.ExportSubjectPublicKeyInfo();
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private static CertificateAuthority Authority(CertificateAuthorityJson authority, string where)
    {
        var window = TimeWindow.From(authority.ValidFor) ?? throw Bad($"{where} ({authority.Uri}) has no validFor.start");
        var certificates = authority.CertChain?.Certificates ?? [];
        if (certificates.Count == 0)
        {
            throw Bad($"{where} ({authority.Uri}) has no certificates");
        }

        var chain = new List<X509Certificate2>();
        foreach (var certificate in certificates)
        {
            chain.Add(Certificates.Load(certificate.RawBytes) ?? throw Bad($"{where} ({authority.Uri}) holds a certificate that does not parse"));
        }

        return new CertificateAuthority(authority.Uri ?? string.Empty, chain, window);
    }

    private static SigstoreVerificationException Bad(string message) => new("trusted root", message);
}
