namespace PolicyWebhook.Cluster.Reports;

/// <summary>Which report resource is written: the Policy WG's PolicyReport, or its successor, OpenReports' Report.</summary>
public sealed record ReportFormat(string Group, string Version, string Kind, string Plural)
{
    /// <summary><c>wgpolicyk8s.io/v1alpha2</c> <c>PolicyReport</c>: what Policy Reporter and Kyverno's tooling read.</summary>
    public static ReportFormat PolicyReport { get; } = new("wgpolicyk8s.io", "v1alpha2", "PolicyReport", "policyreports");

    /// <summary><c>openreports.io/v1alpha1</c> <c>Report</c>.</summary>
    public static ReportFormat OpenReports { get; } = new("openreports.io", "v1alpha1", "Report", "reports");

    public string ApiVersion => $"{Group}/{Version}";

    /// <summary>The format a setting names: <c>PolicyReport</c> (the default) or <c>OpenReports</c>.</summary>
    public static ReportFormat Named(string? name) =>
        string.Equals(name, "OpenReports", StringComparison.OrdinalIgnoreCase) ? OpenReports
        : string.IsNullOrEmpty(name) || string.Equals(name, "PolicyReport", StringComparison.OrdinalIgnoreCase) ? PolicyReport
        : throw new ArgumentException($"Reports:Format \"{name}\" is not a report format (use PolicyReport or OpenReports)", nameof(name));
}
