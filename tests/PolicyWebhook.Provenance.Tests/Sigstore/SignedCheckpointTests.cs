using System.Text.Json.Nodes;
using PolicyWebhook.Provenance.Sigstore;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Provenance.Tests.Sigstore;

/// <summary>The signed-note checkpoint: its parts, malformed notes refused, and the log's own signature picked among others.</summary>
public sealed class SignedCheckpointTests
{
    private const string Note = "log2025-alpha1.rekor.sigstage.dev\n736\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n";

    [Fact]
    public void Parse_RekorV1Checkpoint_ReadsOriginSizeRootAndSignature()
    {
        var checkpoint = SignedCheckpoint.Parse(Envelope("happy-path-v0.3"));

        Assert.Equal("rekor.sigstore.dev - 2605736670972794746", checkpoint.Origin);
        Assert.Equal(75408393, checkpoint.TreeSize);
        Assert.Equal("Fnnj13Uu1jdksPc4HZLapKX329dVlD5+MGNsiqBq1XM=", Convert.ToBase64String(checkpoint.RootHash));
        var signature = Assert.Single(checkpoint.Signatures);
        Assert.Equal("rekor.sigstore.dev", signature.Name);
        Assert.Equal("c0d23d6a", Convert.ToHexStringLower(signature.KeyHint));
    }

    [Fact]
    public void VerifySignedBy_TheLogOfTheEntry_Verifies()
    {
        var checkpoint = SignedCheckpoint.Parse(Envelope("happy-path-v0.3"));

        checkpoint.VerifySignedBy(TrustedRoot.Production.TransparencyLogs[0]);
    }

    [Fact]
    public void VerifySignedBy_AnotherLog_FailsNamingIt()
    {
        var checkpoint = SignedCheckpoint.Parse(Envelope("happy-path-v0.3"));

        var e = Assert.Throws<SigstoreVerificationException>(() => checkpoint.VerifySignedBy(TrustedRoot.Production.TransparencyLogs[1]));

        Assert.StartsWith("checkpoint: no signature by log2025-1.rekor.sigstore.dev", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifySignedBy_OriginOfAnotherLog_Fails()
    {
        var checkpoint = SignedCheckpoint.Parse(Envelope("happy-path-v0.3").Replace("rekor.sigstore.dev - ", "rekor.example.com - ", StringComparison.Ordinal));

        var e = Assert.Throws<SigstoreVerificationException>(() => checkpoint.VerifySignedBy(TrustedRoot.Production.TransparencyLogs[0]));

        Assert.Equal("checkpoint: the checkpoint's origin 'rekor.example.com - 2605736670972794746' is not the log rekor.sigstore.dev", e.Message);
    }

    [Fact]
    public void Parse_WitnessCosignaturesBeforeTheLog_KeepsEveryLine()
    {
        var checkpoint = SignedCheckpoint.Parse(Envelope("rekor2-checkpoint-origin-not-first"));

        Assert.Equal(["witness.example", "log2025-alpha1.rekor.sigstage.dev"], checkpoint.Signatures.Select(s => s.Name));
    }

    [Theory]
    [InlineData(Note)]
    [InlineData(Note + "\n")]
    [InlineData("736\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n\u2014 a AAAAAAAA\n")]
    [InlineData("origin\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n\u2014 a AAAAAAAA\n")]
    [InlineData("origin\n736\n\n\u2014 a AAAAAAAA\n")]
    [InlineData("origin\n-1\nrs1YPY0ydAV0lxgfrq5pE4oRpUJwo3syeps5+eGUTDI=\n\n\u2014 a AAAAAAAA\n")]
    [InlineData(Note + "\n\u2014 a AAAA\n")]
    [InlineData(Note + "\n- a AAAAAAAA\n")]
    [InlineData(Note + "\n\u2014 a AAAAAAAA")]
    public void Parse_Malformed_FailsAtTheCheckpointStep(string text)
    {
        var e = Assert.Throws<SigstoreVerificationException>(() => SignedCheckpoint.Parse(text));

        Assert.Equal("checkpoint", e.Step);
    }

    private static string Envelope(string name)
    {
        var bundle = JsonNode.Parse(File.ReadAllText(SigstoreConformance.PathOf($"conformance/{name}/bundle.sigstore.json")))!;
        return bundle["verificationMaterial"]!["tlogEntries"]![0]!["inclusionProof"]!["checkpoint"]!["envelope"]!.GetValue<string>();
    }
}
