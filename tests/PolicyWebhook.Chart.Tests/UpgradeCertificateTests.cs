using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace PolicyWebhook.Chart.Tests;

/// <summary>
/// What <c>helm upgrade</c> does with the chart's certificate, rendered against an API server that already holds the
/// release's Secret (<c>helm template --dry-run=server</c> makes the chart's <c>lookup</c> ask it): a certificate
/// far from expiry is kept byte for byte, so an upgrade never changes the trust the API server holds; one near
/// expiry is replaced, and the caBundle trusts both CAs until the next upgrade.
/// </summary>
public sealed class UpgradeCertificateTests : IAsyncLifetime
{
    private const string SecretName = $"{Helm.Release}-policy-webhook-tls";

    /// <summary>The kinds the chart renders (hooks aside), which Helm maps to resources before it renders with lookup.</summary>
    private static readonly Dictionary<string, (string Plural, string Kind, bool Namespaced)[]> Discovery = new(StringComparer.Ordinal)
    {
        ["v1"] = [("secrets", "Secret", true), ("services", "Service", true), ("serviceaccounts", "ServiceAccount", true), ("namespaces", "Namespace", false)],
        ["apps/v1"] = [("deployments", "Deployment", true)],
        ["policy/v1"] = [("poddisruptionbudgets", "PodDisruptionBudget", true)],
        ["rbac.authorization.k8s.io/v1"] = [("clusterroles", "ClusterRole", false), ("clusterrolebindings", "ClusterRoleBinding", false), ("roles", "Role", true), ("rolebindings", "RoleBinding", true)],
        ["admissionregistration.k8s.io/v1"] = [("validatingwebhookconfigurations", "ValidatingWebhookConfiguration", false), ("mutatingwebhookconfigurations", "MutatingWebhookConfiguration", false)],
    };
    private WebApplication _api = null!;
    private string _kubeconfig = null!;
    private JsonObject? _secret;
    private int _lookups;
    private readonly List<string> _paths = [];

    public async ValueTask InitializeAsync()
    {
        // Just enough of a Kubernetes API server for Helm: its version, discovery, and one Secret.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _api = builder.Build();
        _api.Use((context, next) =>
        {
            lock (_paths)
            {
                _paths.Add(context.Request.Method + " " + context.Request.Path + context.Request.QueryString);
            }

            return next(context);
        });
        _api.MapGet("/version", () => Results.Json(new { major = "1", minor = "33", gitVersion = "v1.33.0", platform = "linux/amd64" }));
        _api.MapGet("/api", () => Results.Json(new { kind = "APIVersions", versions = new[] { "v1" }, serverAddressByClientCIDRs = Array.Empty<object>() }));
        _api.MapGet("/apis", () => Results.Json(new
        {
            kind = "APIGroupList",
            apiVersion = "v1",
            groups = Discovery.Keys.Where(g => g != "v1").Select(g => new
            {
                name = g.Split('/')[0],
                versions = new[] { new { groupVersion = g, version = "v1" } },
                preferredVersion = new { groupVersion = g, version = "v1" },
            }),
        }));
        foreach (var (groupVersion, resources) in Discovery)
        {
            _api.MapGet(groupVersion == "v1" ? "/api/v1" : "/apis/" + groupVersion, () => Results.Json(new
            {
                kind = "APIResourceList",
                groupVersion,
                resources = resources.Select(r => new { name = r.Plural, singularName = r.Kind.ToLowerInvariant(), namespaced = r.Namespaced, kind = r.Kind, verbs = new[] { "get", "list", "create", "update" } }),
            }));
        }

        _api.MapGet("/api/v1/namespaces/{ns}/secrets/{name}", (string ns, string name) =>
            Interlocked.Increment(ref _lookups) > 0 && ns == Helm.Namespace && name == SecretName && _secret is { } secret
                ? Results.Text(secret.ToJsonString(), "application/json")
                : Results.Json(new { kind = "Status", apiVersion = "v1", status = "Failure", reason = "NotFound", code = 404 }, statusCode: 404));
        _api.MapFallback(context =>
        {
            context.Response.StatusCode = 404;
            return context.Response.WriteAsJsonAsync(new { kind = "Status", apiVersion = "v1", status = "Failure", reason = "NotFound", code = 404 });
        });
        await _api.StartAsync(TestContext.Current.CancellationToken);

        _kubeconfig = Path.Combine(Directory.CreateTempSubdirectory("policywebhook-kubeconfig").FullName, "config");
        await File.WriteAllTextAsync(_kubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters: [{"{"}name: fake, cluster: {"{"}server: "{_api.Urls.Single()}"{"}"}{"}"}]
            users: [{"{"}name: fake, user: {"{"}token: fake{"}"}{"}"}]
            contexts: [{"{"}name: fake, context: {"{"}cluster: fake, user: fake{"}"}{"}"}]
            current-context: fake
            """, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _api.StopAsync(TestContext.Current.CancellationToken);
        await _api.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_kubeconfig)!, recursive: true);
    }

    private Rendered Upgrade()
    {
        var (code, output, error) = Helm.Exec(Helm.Binary, "template", Helm.Release, Helm.Chart, "--namespace", Helm.Namespace,
            "--dry-run=server", "--disable-openapi-validation", "--kubeconfig", _kubeconfig, "--no-hooks", "--set", "mutation.enabled=true");
        Assert.True(code == 0, error);
        return new Rendered(output);
    }

    /// <summary>Stores a render's Secret as the API server would hold it after the install, with its expiry moved.</summary>
    private void Installed(Rendered rendered, DateTimeOffset notAfter)
    {
        var secret = JsonNode.Parse(rendered.Single("Secret").ToJsonString())!.AsObject();
        var annotations = secret["metadata"]!["annotations"]!;
        annotations["policywebhook.io/certificate-not-after"] = notAfter.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        annotations["meta.helm.sh/release-name"] = Helm.Release; // what Helm adds to what it installs, and checks on upgrade
        annotations["meta.helm.sh/release-namespace"] = Helm.Namespace;
        _secret = secret;
    }

    [Fact]
    public void An_upgrade_keeps_a_certificate_far_from_expiry_byte_for_byte()
    {
        var install = Upgrade();
        var installed = install.Single("Secret")["data"]!;
        Installed(install, DateTimeOffset.UtcNow.AddDays(300));

        var upgrade = Upgrade();
        var kept = upgrade.Single("Secret")["data"]!;
        foreach (var key in new[] { "ca.crt", "tls.crt", "tls.key" })
        {
            Assert.Equal((string?)installed[key], (string?)kept[key]);
        }

        Assert.All(upgrade.Webhooks(), w => Assert.Equal((string?)installed["ca.crt"], (string?)w["clientConfig"]!["caBundle"]));
    }

    [Fact]
    public void An_upgrade_near_expiry_renews_and_trusts_the_old_and_the_new_ca_until_the_next()
    {
        var install = Upgrade();
        var oldCa = Helm.Base64Text(install.Single("Secret")["data"]!["ca.crt"]);
        Installed(install, DateTimeOffset.UtcNow.AddDays(20)); // inside the default 60 days of renewBeforeDays

        var renewal = Upgrade();
        var data = renewal.Single("Secret")["data"]!;
        var newCa = Helm.Base64Text(data["ca.crt"]);
        Assert.NotEqual(oldCa, newCa);
        using var leaf = X509Certificate2.CreateFromPem(Helm.Base64Text(data["tls.crt"]), Helm.Base64Text(data["tls.key"]));
        Assert.True(leaf.NotAfter > DateTime.Now.AddDays(700));

        foreach (var webhook in renewal.Webhooks())
        {
            var trusted = new X509Certificate2Collection();
            trusted.ImportFromPem(Helm.Base64Text(webhook["clientConfig"]!["caBundle"]));
            Assert.Equal(2, trusted.Count);
            using var oldCertificate = X509Certificate2.CreateFromPem(oldCa);
            using var newCertificate = X509Certificate2.CreateFromPem(newCa);
            Assert.Contains(trusted, c => c.Thumbprint == oldCertificate.Thumbprint);
            Assert.Contains(trusted, c => c.Thumbprint == newCertificate.Thumbprint);
            foreach (var certificate in trusted)
            {
                certificate.Dispose();
            }
        }

        // The next upgrade, far from the new expiry, trusts the new CA alone.
        Installed(renewal, DateTimeOffset.UtcNow.AddDays(700));
        Assert.All(Upgrade().Webhooks(), w => Assert.Equal(newCa, Helm.Base64Text(w["clientConfig"]!["caBundle"])));
    }

    [Fact]
    public void A_first_install_asks_for_the_secret_and_generates_one_when_there_is_none()
    {
        _secret = null;
        var rendered = Upgrade();
        Assert.Contains("CERTIFICATE", Helm.Base64Text(rendered.Single("Secret")["data"]!["ca.crt"]), StringComparison.Ordinal);
        Assert.True(_lookups > 0, "the chart never asked the API server for its Secret; it asked: " + string.Join(", ", _paths));
    }
}
