using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PolicyWebhook.Host.Policies;

namespace PolicyWebhook.Host.Tests;

public sealed class PolicyReloadTests
{
    private const string TagsPolicy = "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: tags\nspec:\n  rules:\n    imageTags: {}\n";

    private static async Task<JsonObject> ReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/readyz", UriKind.Relative), TestContext.Current.CancellationToken);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();
        body["httpStatus"] = (int)response.StatusCode;
        return body;
    }

    private static async Task<bool> AllowedAsync(HttpClient client, string image) =>
        (await WebhookFactory.ReviewAsync(client, "/validate", Reviews.Of(Reviews.Pod(image: image))))["allowed"]!.GetValue<bool>();

    [Fact]
    public async Task Reload_ChangedFolder_NewPoliciesApply()
    {
        using var factory = WebhookFactory.WithPolicies(out var folder, ("tags.yaml", TagsPolicy));
        var client = factory.CreateClient();
        Assert.False(await AllowedAsync(client, "nginx"));

        File.WriteAllText(Path.Combine(folder, "tags.yaml"), TagsPolicy.Replace("imageTags: {}", "imageTags:\n      mode: Warn", StringComparison.Ordinal));
        Assert.True(factory.Services.GetRequiredService<FilePolicySource>().Reload());

        Assert.True(await AllowedAsync(client, "nginx"));
    }

    [Fact]
    public async Task Load_OnePolicy_LogsTheCountWithoutAWrongPlural()
    {
        using var factory = WebhookFactory.WithPolicies(out var folder, ("tags.yaml", TagsPolicy));
        Assert.False(await AllowedAsync(factory.CreateClient(), "nginx"));

        Assert.Contains(factory.Logs, l => l.Contains($"Policies loaded from {folder}: 1", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs, l => l.Contains("1 policies", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reload_BrokenFile_KeepsTheLastGoodSetAndSaysSoInReadiness()
    {
        using var factory = WebhookFactory.WithPolicies(out var folder, ("tags.yaml", TagsPolicy));
        var client = factory.CreateClient();

        File.WriteAllText(Path.Combine(folder, "broken.yaml"), "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: broken\nspec:\n  mode: Enforced\n  rules:\n    imageTags: {}\n");
        Assert.False(factory.Services.GetRequiredService<FilePolicySource>().Reload());

        Assert.False(await AllowedAsync(client, "nginx"));
        var ready = await ReadyAsync(client);
        Assert.Equal(200, ready["httpStatus"]!.GetValue<int>());
        Assert.Equal("Degraded", ready["status"]!.GetValue<string>());
        var problem = ready["checks"]!["policies"]!["data"]!["problems"]![0]!.GetValue<string>();
        Assert.EndsWith("broken.yaml:6: spec.mode: \"Enforced\" is not a mode (use Enforce, Warn or Audit)", problem, StringComparison.Ordinal);
        Assert.Contains(factory.Logs, l => l.Contains("Rejected the policy files", StringComparison.Ordinal) && l.Contains("broken.yaml:6", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reload_PollingPicksUpAChangeOnItsOwn()
    {
        using var factory = WebhookFactory.WithPolicies(out var folder, ("tags.yaml", TagsPolicy));
        var client = factory.CreateClient();
        Assert.False(await AllowedAsync(client, "nginx"));

        File.Delete(Path.Combine(folder, "tags.yaml"));
        File.WriteAllText(Path.Combine(folder, "other.yaml"), TagsPolicy.Replace("imageTags: {}", "imageTags:\n      mode: Audit", StringComparison.Ordinal));

        var source = factory.Services.GetRequiredService<FilePolicySource>();
        await Eventually.UntilAsync(() => source.Current!.Policies[0].Checks[0].Mode == PolicyWebhook.Engine.PolicyMode.Audit, "the renamed file was never read");

        Assert.True(await AllowedAsync(client, "nginx"));
    }

    [Fact]
    public async Task Start_BrokenFolder_IsNotReadyAndDeniesWithServiceUnavailable()
    {
        using var factory = WebhookFactory.WithPolicies(out _, ("bad.yaml", "apiVersion: policywebhook.io/v1alpha1\nkind: ClusterPolicy\nmetadata:\n  name: x\nspec: {}\n"));
        var client = factory.CreateClient();

        var ready = await ReadyAsync(client);
        var response = await WebhookFactory.ReviewAsync(client, "/validate", Reviews.Of(Reviews.CompliantPod()));

        Assert.Equal((int)HttpStatusCode.ServiceUnavailable, ready["httpStatus"]!.GetValue<int>());
        Assert.Equal("Unhealthy", ready["status"]!.GetValue<string>());
        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Equal(503, response["status"]!["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Health_Alive_AndReadyWithTheBuiltInDefault()
    {
        using var factory = new WebhookFactory();
        var client = factory.CreateClient();

        using var alive = await client.GetAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken);
        var ready = await ReadyAsync(client);

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal("Healthy", ready["status"]!.GetValue<string>());
        Assert.Equal("built-in default", ready["checks"]!["policies"]!["data"]!["origin"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reload_FolderEmptied_KeepsTheLastGoodSet()
    {
        using var factory = WebhookFactory.WithPolicies(out var folder, ("tags.yaml", TagsPolicy));
        var client = factory.CreateClient();

        File.Delete(Path.Combine(folder, "tags.yaml"));
        Assert.False(factory.Services.GetRequiredService<FilePolicySource>().Reload());

        Assert.False(await AllowedAsync(client, "nginx"));
        var ready = await ReadyAsync(client);
        Assert.Equal("Degraded", ready["status"]!.GetValue<string>());
        Assert.Contains("holds no policy", ready["checks"]!["policies"]!["data"]!["problems"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_BrokenFolder_TheDenialNamesTheProblem()
    {
        using var factory = WebhookFactory.WithPolicies(out _, ("bad.yaml", TagsPolicy.Replace("imageTags: {}", "imageTags:\n      mode: Loud", StringComparison.Ordinal)));

        var response = await WebhookFactory.ReviewAsync(factory.CreateClient(), "/validate", Reviews.Of(Reviews.CompliantPod()));

        var message = response["status"]!["message"]!.GetValue<string>();
        Assert.StartsWith("PolicyWebhook has no valid policy set, so it admits nothing outside its exempt namespaces; an operator must fix: ", message, StringComparison.Ordinal);
        Assert.EndsWith("bad.yaml:8: spec.rules.imageTags.mode: \"Loud\" is not a mode (use Enforce, Warn or Audit)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reload_FolderGoneForManyPolls_ShowsTheLoopFailingOnceLogged_AndResumesByItself()
    {
        using var factory = WebhookFactory.WithPolicies(out var folder, ("tags.yaml", TagsPolicy));
        var client = factory.CreateClient();
        Assert.False(await AllowedAsync(client, "nginx"));

        // The mount goes away for ten polls (100 ms each here), as a ConfigMap volume can while it is re-created.
        var away = folder + ".away";
        Directory.Move(folder, away);
        // Ten polls at least, then until readiness says so, however long a busy machine takes to poll.
        await Task.Delay(1000, TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(async () => (await ReadyAsync(client))["status"]!.GetValue<string>() == "Degraded", "readiness never said the folder was away");
        var during = await ReadyAsync(client);
        var denyingDuring = !await AllowedAsync(client, "nginx");
        Directory.Move(away, folder);
        File.WriteAllText(Path.Combine(folder, "tags.yaml"), TagsPolicy.Replace("imageTags: {}", "imageTags:\n      mode: Warn", StringComparison.Ordinal));
        await Eventually.UntilAsync(() => AllowedAsync(client, "nginx"), "the folder's return was never read");

        var after = await ReadyAsync(client);

        Assert.True(denyingDuring, "the last good set stopped serving while the folder was away");
        Assert.Equal("Degraded", during["status"]!.GetValue<string>());
        Assert.False(during["checks"]!["loops"]!["data"]!["reload policy files"]!["up"]!.GetValue<bool>());
        Assert.True(await AllowedAsync(client, "nginx"), "the policies written after the folder came back never applied");
        Assert.True(after["checks"]!["loops"]!["data"]!["reload policy files"]!["up"]!.GetValue<bool>());
        Assert.Equal("Healthy", after["status"]!.GetValue<string>());
        // Ten failed polls, one warning and one line when it worked again; the rejection itself is logged once.
        Assert.Single(factory.Logs, l => l.Contains("reload policy files failed", StringComparison.Ordinal));
        Assert.Single(factory.Logs, l => l.Contains("reload policy files works again", StringComparison.Ordinal));
        Assert.Single(factory.Logs, l => l.Contains("the policy folder does not exist", StringComparison.Ordinal) && l.Contains("Rejected", StringComparison.Ordinal));
    }
}
