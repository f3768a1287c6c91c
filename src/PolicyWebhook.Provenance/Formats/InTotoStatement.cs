using System.Text.Json;
using System.Text.Json.Serialization;
using PolicyWebhook.Provenance.Registry;

namespace PolicyWebhook.Provenance.Formats;

/// <summary>One subject of an in-toto statement: a name (never trusted: it holds a registry host) and digests by algorithm.</summary>
internal sealed record InTotoSubject(string? Name, Dictionary<string, string>? Digest);

/// <summary>An in-toto statement, v0.1 or v1: what attestations and Sigstore bundle signatures sign.</summary>
internal sealed record InTotoStatement(
    [property: JsonPropertyName("_type")] string? Type,
    List<InTotoSubject>? Subject,
    string? PredicateType,
    JsonElement Predicate)
{
    private static readonly string[] Types = ["https://in-toto.io/Statement/v0.1", "https://in-toto.io/Statement/v1"];

    // A statement may be about many artifacts; an attacker's list of thousands is not walked.
    private const int MaxSubjects = 64;

    /// <summary>The statement in a payload; null unless it is a known statement type with a predicate type.</summary>
    public static InTotoStatement? Read(ReadOnlySpan<byte> payload) =>
        Json.Read<InTotoStatement>(payload) is { PredicateType: not null, Subject: not null } statement && Types.Contains(statement.Type)
            ? statement
            : null;

    /// <summary>The sha256 digests of the subjects, as <c>sha256:&lt;hex&gt;</c>; names are ignored.</summary>
    public IEnumerable<string> SubjectDigests() =>
        (Subject ?? []).Take(MaxSubjects)
            .Select(s => s.Digest is not null && s.Digest.TryGetValue("sha256", out var hex) ? Digests.FromSha256Hex(hex) : null)
            .OfType<string>();

    /// <summary>True when a subject's sha256 digest is <paramref name="digest"/>.</summary>
    public bool IsAbout(string digest) => SubjectDigests().Contains(digest, StringComparer.Ordinal);
}
