using System.Text;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Provenance.Formats;
using PolicyWebhook.Provenance.Registry;
using PolicyWebhook.Provenance.Tests.Verification;

namespace PolicyWebhook.Provenance.Tests.Formats;

public sealed class FormatTests
{
    private const string Hex = "42db45ae16fd87c2098919d2c45ecf87ef3ce21a7075e8a6a2c2c7ff88338c7f";

    [Fact]
    public void PreAuthenticationEncoding_SpecExample_Exact() =>
        Assert.Equal(
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world",
            Encoding.UTF8.GetString(DsseEnvelope.PreAuthenticationEncoding("http://example.com/HelloWorld", "hello world"u8)));

    [Theory]
    [InlineData("https://in-toto.io/Statement/v0.1", true)]
    [InlineData("https://in-toto.io/Statement/v1", true)]
    [InlineData("https://in-toto.io/Statement/v2", false)]
    [InlineData(null, false)]
    public void InTotoStatement_Type_OnlyKnownStatements(string? type, bool read)
    {
        var json = $$$"""{"_type":{{{(type is null ? "null" : $"\"{type}\"")}}},"subject":[{"digest":{"sha256":"{{{Hex}}}"}}],"predicateType":"p"}""";

        Assert.Equal(read, InTotoStatement.Read(Encoding.UTF8.GetBytes(json)) is not null);
    }

    [Fact]
    public void InTotoStatement_Subjects_DigestsOnlyNamesIgnored()
    {
        var json = $$$"""
            {"_type":"https://in-toto.io/Statement/v1","predicateType":"p","subject":[
              {"name":"evil.example/shop/app","digest":{"sha256":"{{{Hex.ToUpperInvariant()}}}"}},
              {"name":"x","digest":{"sha512":"00"}},
              {"name":"y","digest":{"sha256":"short"}}]}
            """;

        var statement = InTotoStatement.Read(Encoding.UTF8.GetBytes(json))!;

        Assert.Equal(["sha256:" + Hex], statement.SubjectDigests());
        Assert.True(statement.IsAbout("sha256:" + Hex));
    }

    [Theory]
    [InlineData("CRITICAL", VulnerabilitySeverity.Critical)]
    [InlineData("high", VulnerabilitySeverity.High)]
    [InlineData("Negligible", VulnerabilitySeverity.Negligible)]
    [InlineData("UNKNOWN", VulnerabilitySeverity.Unknown)]
    [InlineData("5", VulnerabilitySeverity.Unknown)]
    [InlineData("severe", VulnerabilitySeverity.Unknown)]
    [InlineData("LOW,MEDIUM", VulnerabilitySeverity.Unknown)]
    [InlineData(" HIGH", VulnerabilitySeverity.Unknown)]
    [InlineData(null, VulnerabilitySeverity.Unknown)]
    public void Severity_ScannerText_Enum(string? text, VulnerabilitySeverity severity) =>
        Assert.Equal(severity, Predicates.Severity(text));

    [Theory]
    [InlineData("""{"scanner":{"result":{}}}""", 0)]
    [InlineData("""{"scanner":{"result":{"Results":null}}}""", 0)]
    [InlineData("""{"scanner":{"result":{"Results":[{"Target":"x"}]}}}""", 0)]
    [InlineData("""{"scanner":{"result":{"Results":[{"Vulnerabilities":[{"VulnerabilityID":"CVE-1","Severity":"LOW"}]}]}}}""", 1)]
    public void Scan_TrivyReport_Findings(string predicate, int findings)
    {
        var scan = Predicates.Scan(TestArtifacts.Parse(predicate))!;

        Assert.Equal(findings, scan.Vulnerabilities.Count);
        Assert.Null(scan.FinishedOn);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("""{"scanner":{"result":"clean"}}""")]
    [InlineData("""{"scanner":{"result":{"Results":{}}}}""")]
    [InlineData("""{"scanner":{"result":{"Results":[{"Vulnerabilities":"none"}]}}}""")]
    public void Scan_NoReadableReport_NoScanRatherThanACleanOne(string predicate) =>
        Assert.Null(Predicates.Scan(TestArtifacts.Parse(predicate)));

    [Fact]
    public void Scan_MoreFindingsThanRead_EndsWithACriticalSayingSo()
    {
        var findings = string.Join(",", Enumerable.Range(0, 10_001).Select(i => $$"""{"VulnerabilityID":"CVE-{{i}}","Severity":"LOW"}"""));
        var scan = Predicates.Scan(TestArtifacts.Parse("""{"scanner":{"result":{"Results":[{"Vulnerabilities":[""" + findings + "]}]}}}"))!;

        Assert.Equal(10_001, scan.Vulnerabilities.Count);
        Assert.Equal(VulnerabilitySeverity.Critical, scan.Vulnerabilities[^1].Severity);
    }

    [Theory]
    [InlineData("https://slsa.dev/provenance/v0.2", """{"builder":{"id":"b"}}""", "b")]
    [InlineData("https://slsa.dev/provenance/v1", """{"runDetails":{"builder":{"id":"b"}}}""", "b")]
    [InlineData("https://slsa.dev/provenance/v1", """{"builder":{"id":"b"}}""", null)]
    [InlineData("https://slsa.dev/provenance/v0.2", """{"builder":{"id":5}}""", null)]
    public void Fact_Provenance_BuilderIdOfItsVersion(string predicateType, string predicate, string? builder)
    {
        var statement = new InTotoStatement("https://in-toto.io/Statement/v1", [], predicateType, TestArtifacts.Parse(predicate));

        Assert.Equal(builder, Predicates.Fact(statement, "k")!.BuilderId);
    }

    [Theory]
    [InlineData("sha256:" + Hex, true)]
    [InlineData("sha256:" + Hex + "0", false)]
    [InlineData("SHA256:" + Hex, false)]
    [InlineData("sha256:42db45ae16fd87c2098919d2c45ecf87ef3ce21a7075e8a6a2c2c7ff88338c7g", false)]
    [InlineData(null, false)]
    public void IsSha256_Digest_OnlyLowerHexOfTheRightLength(string? digest, bool valid) =>
        Assert.Equal(valid, Digests.IsSha256(digest));
}
