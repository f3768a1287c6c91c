using PolicyWebhook.Cli.Commands;

namespace PolicyWebhook.Cli.Tests;

/// <summary>What selftest accepts as an answer: a well-formed AdmissionReview for the request it sent, and nothing less.</summary>
public sealed class SelftestAnswerTests
{
    private const string Uid = "6b1b7c9e-1f7e-4a56-9a43-2b8e4f0c1d11";

    [Theory]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"6b1b7c9e-1f7e-4a56-9a43-2b8e4f0c1d11","allowed":true}}""", null, true)]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"6b1b7c9e-1f7e-4a56-9a43-2b8e4f0c1d11","allowed":false,"status":{"code":403,"message":"no"}}}""", null, false)]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"another","allowed":true}}""", "uid is not the request's", false)]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"6b1b7c9e-1f7e-4a56-9a43-2b8e4f0c1d11"}}""", "no allowed field", false)]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""", "has no response", false)]
    [InlineData("""{"kind":"Status","message":"oops"}""", "not an AdmissionReview", false)]
    [InlineData("<html>bad gateway</html>", "not JSON", false)]
    public void Only_a_review_of_the_same_request_passes(string body, string? problem, bool allowed)
    {
        var found = SelftestCommand.Problem(body, Uid, out var wasAllowed, out var message);
        if (problem is null)
        {
            Assert.Null(found);
            Assert.Equal(allowed, wasAllowed);
            Assert.Equal(allowed ? null : "no", message);
        }
        else
        {
            Assert.Contains(problem, found, StringComparison.Ordinal);
        }
    }
}
