using System.ComponentModel.DataAnnotations;

namespace PolicyWebhook.Host.Admission;

/// <summary>Settings of the admission endpoints, bound from the <c>Admission</c> section.</summary>
public sealed class AdmissionOptions
{
    public const string Section = "Admission";

    private const string ServiceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    /// <summary>Namespaces never checked or mutated. Defaults to kube-system; the webhook's own namespace is always added.</summary>
    public string[]? ExemptNamespaces { get; set; }

    /// <summary>The namespace the webhook runs in; read from POD_NAMESPACE or the service account when unset.</summary>
    public string? OwnNamespace { get; set; }

    /// <summary>The largest body accepted, in bytes: the API server's own limit, 3 MiB, by default.</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 3 * 1024 * 1024;

    /// <summary>How long a body may take to arrive. The API server waits at most 30 s for an answer; a slower sender is cut off.</summary>
    public TimeSpan BodyReadTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How far ahead a PolicyException may expire; <c>/validate-policy</c> refuses one beyond it.</summary>
    public TimeSpan ExceptionMaxLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>At most this many warnings per answer; the last one says how many more there were.</summary>
    [Range(1, 100)]
    public int MaxWarnings { get; set; } = 10;

    /// <summary>At most this many audit annotations per answer.</summary>
    [Range(1, 100)]
    public int MaxAuditAnnotations { get; set; } = 20;

    /// <summary>The webhook's own namespace: the setting, POD_NAMESPACE, the service account's, or "default".</summary>
    public string EffectiveOwnNamespace() => OwnNamespaceIfKnown() ?? "default";

    /// <summary>The exempt namespaces in force: the configured ones (or kube-system) and the webhook's own.</summary>
    public IReadOnlySet<string> EffectiveExemptNamespaces() =>
        PolicyWebhook.Cluster.NamespaceExemptions.Effective(ExemptNamespaces, OwnNamespaceIfKnown());

    private string? OwnNamespaceIfKnown()
    {
        var own = OwnNamespace ?? Environment.GetEnvironmentVariable("POD_NAMESPACE");
        if (string.IsNullOrEmpty(own) && File.Exists(ServiceAccountNamespaceFile))
        {
            own = File.ReadAllText(ServiceAccountNamespaceFile).Trim();
        }

        return string.IsNullOrEmpty(own) ? null : own;
    }
}
