using Microsoft.Extensions.DependencyInjection;
using PolicyWebhook.Engine.Images;
using PolicyWebhook.Provenance;

namespace PolicyWebhook.Host.Tests.Images;

/// <summary>
/// When verification fails in a way no message explains, the developer is told that the webhook's log has the
/// details: it must, with the request's uid, the exception's type and stack, and never its message.
/// </summary>
public sealed class UnexpectedVerificationFailureTests
{
    private const string Password = "s3cr3t-NOT-A-REAL-PASSWORD";
    private const string Image = "registry.example.com/shop/app:1.0";

    [Fact]
    public async Task Validate_VerifierThrowsUnexpectedly_LogsTypeStackAndUidButNoMessage()
    {
        using var webhook = ImageWebhook.Start("registry.example.com", services: s => s.AddSingleton<IImageVerifier, BrokenVerifier>());
        var review = ImageWebhook.PodReview(Image);
        var uid = System.Text.Json.Nodes.JsonNode.Parse(review)!["request"]!["uid"]!.GetValue<string>();

        var answer = await webhook.ReviewAsync(review);

        Assert.False(answer.Allowed());
        Assert.Contains(
            $"image \"{Image}\" could not be verified: verification failed unexpectedly (InvalidOperationException); the webhook's log has the details (entry \"shop\")",
            answer.Message(),
            StringComparison.Ordinal);
        var line = Assert.Single(webhook.Factory.Logs, l => l.Contains("Verifying image", StringComparison.Ordinal));
        Assert.Contains($"Verifying image {Image} of request {uid} (Pod shop/web) failed unexpectedly: System.InvalidOperationException", line, StringComparison.Ordinal);
        Assert.Contains(nameof(BrokenVerifier.FailWithCredentials), line, StringComparison.Ordinal);
        Assert.Contains("---> System.FormatException", line, StringComparison.Ordinal);
        Assert.DoesNotContain(webhook.Factory.Logs, l => l.Contains(Password, StringComparison.Ordinal));
        Assert.DoesNotContain(Password, answer.ToJsonString(), StringComparison.Ordinal);
    }

    private sealed class BrokenVerifier : IImageVerifier
    {
        public Task<string> ResolveDigestAsync(ImageReference reference, CancellationToken cancellationToken) =>
            Task.FromResult("sha256:" + new string('a', 64));

        public async Task<ImageFacts> VerifyAsync(ImageReference reference, string digest, ImageVerificationEntry entry, CancellationToken cancellationToken)
        {
            await Task.Yield();
            return FailWithCredentials();
        }

        // An exception whose message quotes a credential, as a library's might.
        public static ImageFacts FailWithCredentials() =>
            throw new InvalidOperationException($"login robot:{Password} refused", new FormatException($"bad token {Password}"));
    }
}
