using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PolicyWebhook.Host.Tls;

namespace PolicyWebhook.Chart.Tests;

/// <summary>The serving certificate, three ways: the API server must trust what the pods serve, for the name it calls.</summary>
public sealed class CertificateTests
{
    private const string ServiceHost = $"{Helm.Release}-policy-webhook.{Helm.Namespace}.svc";

    private static JsonObject TlsVolume(Rendered rendered) =>
        Assert.Single(rendered.Single("Deployment")["spec"]!["template"]!["spec"]!["volumes"]!.AsArray(), v => (string?)v!["name"] == "tls")!.AsObject();

    [Fact]
    public void The_chart_made_certificate_names_the_service_chains_to_the_ca_bundle_and_loads_in_the_server()
    {
        var rendered = Helm.Template(["certs-chart-values.yaml"]);
        var secret = rendered.Single("Secret");
        Assert.Equal("kubernetes.io/tls", (string?)secret["type"]);
        Assert.Equal((string?)secret["metadata"]!["name"], (string?)TlsVolume(rendered)["secret"]!["secretName"]);
        var data = secret["data"]!;
        var caPem = Helm.Base64Text(data["ca.crt"]);

        // Every webhook trusts exactly the Secret's CA.
        Assert.All(rendered.Webhooks(), w => Assert.Equal(caPem, Helm.Base64Text(w["clientConfig"]!["caBundle"])));

        using var ca = X509Certificate2.CreateFromPem(caPem);
        using var leaf = X509Certificate2.CreateFromPem(Helm.Base64Text(data["tls.crt"]), Helm.Base64Text(data["tls.key"]));
        Assert.True(leaf.HasPrivateKey);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        Assert.True(leaf.MatchesHostname(ServiceHost));
        Assert.True(leaf.MatchesHostname(ServiceHost + ".cluster.local"));
        Assert.False(leaf.MatchesHostname("other.policy-webhook.svc"));

        // The lifetime asked for (365 days in that values file), recorded where the next upgrade reads it.
        Assert.InRange((leaf.NotAfter - DateTime.Now).TotalDays, 363, 366);
        var recorded = DateTimeOffset.FromUnixTimeSeconds(long.Parse((string)secret["metadata"]!["annotations"]!["policywebhook.io/certificate-not-after"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange((recorded - leaf.NotAfter).Duration().TotalMinutes, 0, 5);

        // The server's own loader reads the files as the Deployment mounts them.
        var folder = Directory.CreateTempSubdirectory("policywebhook-chart-tls").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "tls.crt"), Helm.Base64Text(data["tls.crt"]));
            File.WriteAllText(Path.Combine(folder, "tls.key"), Helm.Base64Text(data["tls.key"]));
            var reloader = new CertificateReloader(
                Options.Create(new TlsOptions { CertificateFile = Path.Combine(folder, "tls.crt"), KeyFile = Path.Combine(folder, "tls.key") }),
                NullLogger<CertificateReloader>.Instance,
                TimeProvider.System);
            Assert.Equal(leaf.Thumbprint, reloader.Certificate.Thumbprint);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_deployment_mounts_the_pair_where_the_server_reads_it_as_a_volume_that_the_kubelet_refreshes()
    {
        var container = Helm.Template().Single("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var env = container["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => (string?)e!["value"]);
        var mount = Assert.Single(container["volumeMounts"]!.AsArray(), m => (string?)m!["name"] == "tls")!;
        Assert.Equal((string?)mount["mountPath"] + "/tls.crt", env["Tls__CertificateFile"]);
        Assert.Equal((string?)mount["mountPath"] + "/tls.key", env["Tls__KeyFile"]);

        // A subPath mount would never see a renewed Secret.
        Assert.Null(mount["subPath"]);
    }

    [Fact]
    public void Cert_manager_issues_into_the_mounted_secret_and_injects_its_ca()
    {
        var rendered = Helm.Template(["certs-cert-manager-values.yaml", "mutation-values.yaml"]);
        Assert.Empty(rendered.OfKind("Secret"));
        var serving = rendered.Single("Certificate", $"{Helm.Release}-policy-webhook-serving");
        Assert.Equal((string?)serving["spec"]!["secretName"], (string?)TlsVolume(rendered)["secret"]!["secretName"]);
        Assert.Contains(ServiceHost, serving["spec"]!["dnsNames"]!.AsArray().Select(n => (string)n!));
        Assert.Equal($"{Helm.Release}-policy-webhook-ca", (string?)serving["spec"]!["issuerRef"]!["name"]);
        Assert.Null(serving["spec"]!["commonName"]); // the DNS names suffice; a common name over 64 bytes is refused

        // The chart's own CA: a self-signed Issuer signs a CA Certificate, whose Secret backs the CA Issuer.
        var ca = rendered.Single("Certificate", $"{Helm.Release}-policy-webhook-ca");
        Assert.True((bool)ca["spec"]!["isCA"]!);
        Assert.Equal((string?)ca["spec"]!["secretName"], (string?)rendered.Single("Issuer", $"{Helm.Release}-policy-webhook-ca")["spec"]!["ca"]!["secretName"]);

        foreach (var kind in new[] { "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration" })
        {
            var configuration = rendered.Single(kind);
            Assert.Equal($"{Helm.Namespace}/{serving["metadata"]!["name"]}", (string?)configuration["metadata"]!["annotations"]!["cert-manager.io/inject-ca-from"]);
            Assert.All(configuration["webhooks"]!.AsArray(), w => Assert.Null(w!["clientConfig"]!["caBundle"]));
        }

        var external = Helm.Template(["certs-cert-manager-issuer-values.yaml"]);
        Assert.Empty(external.OfKind("Issuer"));
        var issuerRef = Assert.Single(external.OfKind("Certificate"))["spec"]!["issuerRef"]!;
        Assert.Equal("ClusterIssuer", (string?)issuerRef["kind"]);
        Assert.Equal("internal-ca", (string?)issuerRef["name"]);
    }

    [Fact]
    public void A_supplied_secret_is_mounted_and_its_ca_bundle_trusted()
    {
        var rendered = Helm.Template(["certs-supplied-values.yaml"]);
        Assert.Empty(rendered.OfKind("Secret"));
        Assert.Empty(rendered.OfKind("Certificate"));
        Assert.Equal("my-webhook-tls", (string?)TlsVolume(rendered)["secret"]!["secretName"]);
        var pem = Helm.SuppliedCaPem();
        Assert.All(rendered.Webhooks(), w => Assert.Equal(pem.Trim(), Helm.Base64Text(w["clientConfig"]!["caBundle"]).Trim()));
        using var ca = X509Certificate2.CreateFromPem(pem);
        Assert.Contains("policy-webhook-ci-example-ca", ca.Subject, StringComparison.Ordinal);
    }
}
