namespace PolicyWebhook.Host.Tests;

[Collection(MetricsCollection.Name)]
public sealed class ExceptionAdmissionTests
{
    private const string TagsPolicy = "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: tags\nspec:\n  rules:\n    imageTags: {}\n";

    private static string Exception(int days) =>
        "apiVersion: policywebhook.io/v1alpha1\nkind: PolicyException\nmetadata:\n  name: nginx-latest\n  namespace: shop\nspec:\n"
        + "  policy: {name: tags}\n  checks: [imageTags]\n  match: {names: [web]}\n  justification: the vendor publishes only :latest until March\n"
        + $"  expiresAt: \"{DateTimeOffset.UtcNow.AddDays(days):yyyy-MM-ddTHH:mm:ssZ}\"\n";

    [Fact]
    public async Task Validate_ObjectAnExceptionCovers_IsAllowedAndLoggedAsSuch()
    {
        using var factory = WebhookFactory.WithPolicies(out _, ("tags.yaml", TagsPolicy), ("exception.yaml", Exception(30)));
        var client = factory.CreateClient();

        var covered = await WebhookFactory.ReviewAsync(client, "/validate", Reviews.Of(Reviews.Pod("web", image: "nginx")));
        var other = await WebhookFactory.ReviewAsync(client, "/validate", Reviews.Of(Reviews.Pod("api", image: "nginx")));

        Assert.True(covered["allowed"]!.GetValue<bool>());
        Assert.False(other["allowed"]!.GetValue<bool>());
        Assert.Contains(factory.Logs, l => l.Contains("Pod shop/web allowed by exception: PolicyException \"shop/nginx-latest\" waived tags/imageTags", StringComparison.Ordinal));
        using var metrics = await client.GetAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        var text = await metrics.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Matches("""policywebhook_exceptions(_ratio)?\{[^}]*state="active"[^}]*\} 1""", text);
        var expiry = System.Text.RegularExpressions.Regex.Match(text, """policywebhook_exceptions_expiry_timestamp_seconds\{[^}]*exception="shop/nginx-latest"[^}]*\} (\d+)""");
        Assert.True(expiry.Success, text);
        Assert.InRange(long.Parse(expiry.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.AddDays(30).ToUnixTimeSeconds() - 120, DateTimeOffset.UtcNow.AddDays(30).ToUnixTimeSeconds());
        Assert.Matches("""policywebhook_violations_waived_total\{[^}]*check="imageTags"[^}]*exception="shop/nginx-latest"[^}]*\} [1-9]""", text);
    }
}
