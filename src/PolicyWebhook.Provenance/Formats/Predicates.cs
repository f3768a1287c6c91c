using System.Globalization;
using System.Text.Json;
using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Provenance.Formats;

/*
 * The predicates the engine judges:
 * - cosign vuln (https://cosign.sigstore.dev/attestation/vuln/v1): scanner.result is a Trivy report,
 *   Results[].Vulnerabilities[].{VulnerabilityID, Severity}; metadata.scanFinishedOn is when the scan finished.
 *   A predicate without a scanner.result object, or with Results or Vulnerabilities that are not arrays, is no scan
 *   at all: a malformed report must not read as a clean one.
 * - SLSA provenance v0.2 (builder.id) and v1 (runDetails.builder.id).
 */
internal static class Predicates
{
    private const int MaxFindings = 10_000;

    /// <summary>The fact an attestation's statement gives, signed by <paramref name="keyName"/>; null for a malformed vuln predicate.</summary>
    public static AttestationFact? Fact(InTotoStatement statement, string keyName)
    {
        var type = statement.PredicateType!;
        if (type == AttestationFact.VulnerabilityPredicate)
        {
            return Scan(statement.Predicate) is { } scan ? new AttestationFact(type, keyName) { Scan = scan } : null;
        }

        if (AttestationFact.ProvenancePredicates.Contains(type))
        {
            var builder = type.EndsWith("/v0.2", StringComparison.Ordinal)
                ? statement.Predicate.Property("builder")?.Property("id").Text()
                : statement.Predicate.Property("runDetails")?.Property("builder")?.Property("id").Text();
            return new AttestationFact(type, keyName) { BuilderId = builder };
        }

        return new AttestationFact(type, keyName);
    }

    /// <summary>The scan in a cosign vuln predicate; null when it has no readable Trivy report.</summary>
    public static VulnerabilityScan? Scan(JsonElement predicate)
    {
        if (predicate.Property("scanner")?.Property("result") is not { ValueKind: JsonValueKind.Object } result)
        {
            return null;
        }

        var findings = new List<Vulnerability>();
        if (!Each(result.Property("Results"), out var results))
        {
            return null;
        }

        foreach (var target in results)
        {
            if (!Each(target.Property("Vulnerabilities"), out var vulnerabilities))
            {
                return null;
            }

            foreach (var vulnerability in vulnerabilities)
            {
                if (findings.Count == MaxFindings)
                {
                    // More findings than are read: say so rather than pass over any, and deny above any maximum.
                    findings.Add(new Vulnerability("(more findings than are read)", VulnerabilitySeverity.Critical));
                    return new VulnerabilityScan(FinishedOn(predicate), findings);
                }

                var id = vulnerability.Property("VulnerabilityID").Text() ?? "(no id)";
                findings.Add(new Vulnerability(id, Severity(vulnerability.Property("Severity").Text())));
            }
        }

        return new VulnerabilityScan(FinishedOn(predicate), findings);
    }

    /// <summary>A severity as Trivy or Grype write it; anything else is <see cref="VulnerabilitySeverity.Unknown"/>.</summary>
    public static VulnerabilitySeverity Severity(string? text) =>
        // Letters only: Enum.TryParse would also read numbers and "LOW,HIGH" (the two or'ed together).
        text is not null && text.All(char.IsAsciiLetter) && Enum.TryParse<VulnerabilitySeverity>(text, ignoreCase: true, out var severity)
            ? severity
            : VulnerabilitySeverity.Unknown;

    // A missing or null array is an empty one (Trivy omits them when nothing is found); any other kind is malformed.
    private static bool Each(JsonElement? element, out IEnumerable<JsonElement> items)
    {
        items = element is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];
        return element is null or { ValueKind: JsonValueKind.Array or JsonValueKind.Null };
    }

    private static DateTimeOffset? FinishedOn(JsonElement predicate) =>
        DateTimeOffset.TryParse(predicate.Property("metadata")?.Property("scanFinishedOn").Text(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var finished)
            ? finished
            : null;
}
