namespace PolicyWebhook.Policies.Resources;

/// <summary>
/// The namespace isolation rule (a ClusterPolicy only): every namespace the policy matches must have a NetworkPolicy
/// selecting every pod for Ingress, and for Egress when asked.
/// </summary>
public sealed class NamespaceIsolationSpec
{
    /// <summary>Enforce (generate a default-deny policy), Warn (warn on pod creation) or Audit (report); defaults to spec.mode.</summary>
    public string? Mode { get; set; }

    /// <summary>Also require Egress isolation; the generated policy then denies egress too. Off by default.</summary>
    public bool? Egress { get; set; }

    /// <summary>The generated egress policy allows DNS to kube-dns on port 53 (UDP and TCP). Defaults to true.</summary>
    public bool? AllowDns { get; set; }

    /// <summary>In Enforce, the leader creates a default-deny NetworkPolicy where one is missing. Defaults to true.</summary>
    public bool? Generate { get; set; }

    /// <summary>Keep generated policies when the rule or the namespace stops matching. Off by default.</summary>
    public bool? Keep { get; set; }
}
