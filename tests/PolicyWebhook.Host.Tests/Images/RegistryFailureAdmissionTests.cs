using System.Text.Json.Nodes;

namespace PolicyWebhook.Host.Tests.Images;

/// <summary>
/// What a developer sees when a registry fails an image verification, through the whole webhook: one that answers
/// 500, one that never answers, one that answers after the request's budget (its <c>?timeout=</c> less a second),
/// under <c>onError: Deny</c> and <c>onError: Allow</c>; and the requests that must not reach a registry at all.
/// </summary>
public sealed class RegistryFailureAdmissionTests
{
    [Fact]
    public async Task Validate_RegistryAnswers500OnErrorDeny_IsDeniedNamingImageEntryAndStatus()
    {
        await using var registry = await FakeRegistry.FailingAsync();
        using var webhook = ImageWebhook.Start(registry.Host);

        var answer = await webhook.ReviewAsync(ImageWebhook.PodReview(registry.Image));

        Assert.False(answer.Allowed());
        Assert.Contains(
            $"container \"app\" image \"{registry.Image}\" could not be verified: registry {registry.Host} answered 500 Internal Server Error for shop/app manifest 1.0 (entry \"shop\")",
            answer.Message(),
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5s", "4 s")] // what WebhookFactory.PostAsync sends, less the one-second margin
    [InlineData("2s", "1 s")]
    public async Task Validate_RegistryHangsOnErrorDeny_IsDeniedSayingTheBudgetTheTimeoutLeft(string timeout, string budget)
    {
        await using var registry = await FakeRegistry.HangingAsync();
        using var webhook = ImageWebhook.Start(registry.Host);

        var answer = await webhook.ReviewAsync(ImageWebhook.PodReview(registry.Image), timeout);

        Assert.False(answer.Allowed());
        Assert.Contains(
            $"container \"app\" image \"{registry.Image}\" could not be verified: registry {registry.Host} did not answer within {budget} (entry \"shop\")",
            answer.Message(),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_CallerGivesUpWhileTheRegistryHangs_IsLoggedAsAbandonedNotAsAnUnexpectedError()
    {
        await using var registry = await FakeRegistry.HangingAsync();
        using var webhook = ImageWebhook.Start(registry.Host);
        using var content = new StringContent(ImageWebhook.PodReview(registry.Image), System.Text.Encoding.UTF8, "application/json");
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => webhook.Client.PostAsync(new Uri("/validate?timeout=30s", UriKind.Relative), content, giveUp.Token));

        await Eventually.UntilAsync(() => webhook.Factory.Logs.Any(line => line.Contains("was abandoned by its caller", StringComparison.Ordinal)), "the abandoned request was logged");
        Assert.DoesNotContain(webhook.Factory.Logs, line => line.Contains("Unexpected", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_RegistryHangsOnErrorAllow_IsAllowedWithAWarningAndAnAuditAnnotation()
    {
        await using var registry = await FakeRegistry.HangingAsync();
        using var webhook = ImageWebhook.Start(registry.Host, onError: "Allow");

        var answer = await webhook.ReviewAsync(ImageWebhook.PodReview(registry.Image), timeout: "2s");

        Assert.True(answer.Allowed(), answer.ToJsonString());
        var why = $"registry {registry.Host} did not answer within 1 s";
        // A warning is cut near 120 characters: the reason comes first, so the cut never takes it; the audit annotation has it all.
        Assert.StartsWith($"signed-images: imageVerification: {why}: container \"app\" image \"", Assert.Single(answer.Warnings()), StringComparison.Ordinal);
        Assert.Equal($"{registry.Image}: {why}", answer.Annotation("unverified-images"));
    }

    [Fact]
    public async Task Validate_RegistryAnswers500OnErrorAllow_IsAllowedWithAWarningAndAnAuditAnnotation()
    {
        await using var registry = await FakeRegistry.FailingAsync();
        using var webhook = ImageWebhook.Start(registry.Host, onError: "Allow");

        var answer = await webhook.ReviewAsync(ImageWebhook.PodReview(registry.Image));

        Assert.True(answer.Allowed(), answer.ToJsonString());
        Assert.StartsWith($"signed-images: imageVerification: registry {registry.Host} answered 500 Internal Server Error", Assert.Single(answer.Warnings()), StringComparison.Ordinal);
        Assert.StartsWith($"{registry.Image}: registry {registry.Host} answered 500 Internal Server Error", answer.Annotation("unverified-images"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_RegistryAnswersAfterTheBudget_DeniesThenTheRetryGetsTheVerdictOfTheSameRound()
    {
        await using var registry = await FakeRegistry.UnsignedAsync(slow: true);
        using var webhook = ImageWebhook.Start(registry.Host);

        var first = await webhook.ReviewAsync(ImageWebhook.PodReview(registry.Image), timeout: "2s");
        registry.Open();
        var retry = await webhook.ReviewAsync(ImageWebhook.PodReview(registry.Image));

        Assert.Contains($"registry {registry.Host} did not answer within 1 s (entry \"shop\")", first.Message(), StringComparison.Ordinal);
        Assert.False(retry.Allowed());
        Assert.Contains(
            $"container \"app\" image \"{registry.Image}\" ({FakeRegistry.Digest[..19]}) has no signature by any of the 1 trusted key (entry \"shop\")",
            retry.Message(),
            StringComparison.Ordinal);
        // The round the first request started went on after it gave up, and answered the retry.
        Assert.Equal(1, registry.CountOf($"/v2/shop/app/manifests/{FakeRegistry.Tag}"));
    }

    [Fact]
    public async Task Validate_PodInAnExemptNamespace_MakesNoRegistryCall()
    {
        await using var registry = await FakeRegistry.FailingAsync();
        using var webhook = ImageWebhook.Start(registry.Host);

        var exempt = await webhook.ReviewAsync(ImageWebhook.PodReview(registry.Image, "kube-system"));
        var callsWhenExempt = registry.Requests.Count;
        await webhook.ReviewAsync(ImageWebhook.PodReview(registry.Image, "shop"));

        Assert.True(exempt.Allowed());
        Assert.Equal(0, callsWhenExempt);
        Assert.NotEmpty(registry.Requests);
    }

    [Fact]
    public async Task Validate_Delete_MakesNoRegistryCall()
    {
        await using var registry = await FakeRegistry.FailingAsync();
        using var webhook = ImageWebhook.Start(registry.Host);
        var review = JsonNode.Parse(ImageWebhook.PodReview(registry.Image, operation: "DELETE"))!;
        review["request"]!["oldObject"] = review["request"]!["object"]!.DeepClone();
        review["request"]!["object"] = null;

        var answer = await webhook.ReviewAsync(review.ToJsonString());
        var callsOnDelete = registry.Requests.Count;
        await webhook.ReviewAsync(ImageWebhook.PodReview(registry.Image));

        Assert.True(answer.Allowed());
        Assert.Equal(0, callsOnDelete);
        Assert.NotEmpty(registry.Requests);
    }

    [Fact]
    public async Task Validate_UpdateLeavingThePodSpecAlone_MakesNoRegistryCall()
    {
        await using var registry = await FakeRegistry.FailingAsync();
        using var webhook = ImageWebhook.Start(registry.Host);
        var old = Reviews.Pod(image: registry.Image);
        var relabelled = JsonNode.Parse(ImageWebhook.PodReview(registry.Image, operation: "UPDATE", oldPod: old))!;
        relabelled["request"]!["object"]!["metadata"]!["labels"]!["tier"] = "front";

        var answer = await webhook.ReviewAsync(relabelled.ToJsonString());
        var callsOnRelabel = registry.Requests.Count;
        var newImage = ImageWebhook.PodReview(registry.Image, operation: "UPDATE", oldPod: Reviews.Pod(image: registry.Host + "/shop/app:0.9"));
        await webhook.ReviewAsync(newImage);

        Assert.True(answer.Allowed(), answer.ToJsonString());
        Assert.Equal(0, callsOnRelabel);
        Assert.NotEmpty(registry.Requests);
    }
}
