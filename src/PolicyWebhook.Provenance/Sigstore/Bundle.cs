using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace PolicyWebhook.Provenance.Sigstore;

/// <summary>A bundle's signature over a message: the SHA-256 digest it names (a hint) and the signature bytes.</summary>
public sealed record MessageSignature(byte[]? Sha256, byte[] Signature);

/// <summary>A bundle's DSSE envelope, with its one signature.</summary>
public sealed record BundleEnvelope(string PayloadType, byte[] Payload, byte[] Signature);

/// <summary>
/// A Sigstore bundle, v0.1 to v0.3, parsed and checked for shape: exactly one of a message signature or a DSSE envelope;
/// the signing certificate (v0.3 <c>certificate</c>, or the first of an <c>x509CertificateChain</c>) or a public-key hint;
/// the log entries and RFC 3161 timestamps. Nothing in it is trusted yet.
/// </summary>
public sealed class Bundle
{
    /// <summary>Far bigger than any real bundle (a few KiB); a larger one is refused unread.</summary>
    public const int MaxBytes = 4 << 20;

    private const int MaxEach = 8;

    private const string MediaTypePrefix = "application/vnd.dev.sigstore.bundle";

    internal Bundle(int minorVersion, X509Certificate2? certificate, IReadOnlyList<X509Certificate2> chainRest, string? publicKeyHint, IReadOnlyList<LogEntry> entries, IReadOnlyList<byte[]> timestamps, MessageSignature? message, BundleEnvelope? envelope)
    {
        MinorVersion = minorVersion;
        Certificate = certificate;
        ChainRest = chainRest;
        PublicKeyHint = publicKeyHint;
        LogEntries = entries;
        Timestamps = timestamps;
        Message = message;
        Envelope = envelope;
    }

    /// <summary>1, 2 or 3: the bundle format's version 0.N.</summary>
    public int MinorVersion { get; }

    /// <summary>The signing (leaf) certificate, when the bundle has one.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>The certificates of a v0.1/v0.2 chain after the leaf; never trusted, only refused when they hold a root.</summary>
    public IReadOnlyList<X509Certificate2> ChainRest { get; }

    /// <summary>The public key hint, when the bundle was signed with a key rather than a certificate.</summary>
    public string? PublicKeyHint { get; }

    public IReadOnlyList<LogEntry> LogEntries { get; }

    /// <summary>DER RFC 3161 timestamp tokens.</summary>
    public IReadOnlyList<byte[]> Timestamps { get; }

    public MessageSignature? Message { get; }

    public BundleEnvelope? Envelope { get; }

    /// <summary>The signature bytes: the message signature's, or the envelope's.</summary>
    public byte[] Signature => Message?.Signature ?? Envelope!.Signature;

    /// <summary>Parses a bundle's JSON; throws <see cref="SigstoreVerificationException"/> (step <c>bundle</c>) saying what is wrong.</summary>
    public static Bundle Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxBytes)
        {
            throw Bad($"larger than {MaxBytes} bytes");
        }

        BundleJson? bundle;
        try
        {
            bundle = JsonSerializer.Deserialize(json, SigstoreJsonContext.Default.BundleJson);
        }
        catch (JsonException e)
        {
            throw Bad("not valid JSON: " + e.Message);
        }

        if (bundle is null)
        {
            throw Bad("not a JSON object");
        }

        var minor = VersionOf(bundle.MediaType);
        var material = bundle.VerificationMaterial ?? throw Bad("no verificationMaterial");
        X509Certificate2? certificate = null;
        List<X509Certificate2> rest = [];
        if (material.Certificate is { } single)
        {
            certificate = Certificates.Load(single.RawBytes) ?? throw Bad("verificationMaterial.certificate does not parse");
        }
        else if (material.X509CertificateChain is { } chain)
        {
            var all = chain.Certificates ?? [];
            if (all.Count == 0)
            {
                throw Bad("verificationMaterial.x509CertificateChain is empty");
            }

            var loaded = all.Select(c => Certificates.Load(c.RawBytes) ?? throw Bad("a certificate of x509CertificateChain does not parse")).ToList();
            certificate = loaded[0];
            rest = loaded[1..];
        }
        else if (material.PublicKey is null)
        {
            throw Bad("verificationMaterial has no certificate, certificate chain or public key");
        }

        if (minor >= 3 && material.X509CertificateChain is not null)
        {
            throw Bad("a v0.3 bundle carries one certificate, not an x509CertificateChain");
        }

        // Real bundles carry one entry and at most one timestamp; each costs signature checks, so a few are allowed, not thousands.
        if (material.TlogEntries?.Count > MaxEach || material.TimestampVerificationData?.Rfc3161Timestamps?.Count > MaxEach)
        {
            throw Bad($"more than {MaxEach} log entries or timestamps");
        }

        var entries = (material.TlogEntries ?? []).Select((e, i) => LogEntry.From(e, $"tlogEntries[{i}]")).ToList();
        var timestamps = (material.TimestampVerificationData?.Rfc3161Timestamps ?? [])
            .Select((t, i) => Formats.Json.Base64(t.SignedTimestamp) ?? throw Bad($"rfc3161Timestamps[{i}] is not base64"))
            .ToList();

        if ((bundle.MessageSignature is null) == (bundle.DsseEnvelope is null))
        {
            throw Bad("a bundle holds exactly one of messageSignature and dsseEnvelope");
        }

        return new Bundle(minor, certificate, rest, material.PublicKey?.Hint, entries, timestamps, ReadMessage(bundle.MessageSignature), ReadEnvelope(bundle.DsseEnvelope));
    }

    private static int VersionOf(string? mediaType) => mediaType switch
    {
        MediaTypePrefix + "+json;version=0.1" => 1,
        MediaTypePrefix + "+json;version=0.2" => 2,
        MediaTypePrefix + "+json;version=0.3" or MediaTypePrefix + ".v0.3+json" => 3,
        null => throw Bad("no mediaType"),
        _ => throw Bad($"unsupported bundle version (mediaType {mediaType})"),
    };

    private static MessageSignature? ReadMessage(MessageSignatureJson? message)
    {
        if (message is null)
        {
            return null;
        }

        var signature = Formats.Json.Base64(message.Signature) ?? throw Bad("messageSignature.signature is missing or not base64");
        byte[]? digest = null;
        if (message.MessageDigest is { } hint)
        {
            if (hint.Algorithm != "SHA2_256")
            {
                throw Bad($"messageSignature.messageDigest algorithm {hint.Algorithm} is not supported; SHA2_256 is");
            }

            digest = Formats.Json.Base64(hint.Digest) is { Length: 32 } bytes ? bytes : throw Bad("messageSignature.messageDigest.digest is not a base64 SHA-256 digest");
        }

        return new MessageSignature(digest, signature);
    }

    private static BundleEnvelope? ReadEnvelope(DsseEnvelopeJson? envelope)
    {
        if (envelope is null)
        {
            return null;
        }

        if (envelope.Signatures is not [var only])
        {
            throw Bad("dsseEnvelope must hold exactly one signature");
        }

        return new BundleEnvelope(
            envelope.PayloadType ?? throw Bad("dsseEnvelope has no payloadType"),
            Formats.Json.Base64(envelope.Payload) ?? throw Bad("dsseEnvelope.payload is missing or not base64"),
            Formats.Json.Base64(only.Sig) ?? throw Bad("dsseEnvelope signature is missing or not base64"));
    }

    private static SigstoreVerificationException Bad(string message) => new("bundle", message);
}
