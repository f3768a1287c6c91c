namespace PolicyWebhook.Chart.Tests;

/// <summary>The policy reports' settings and CRD, as the chart renders them.</summary>
public sealed class ReportsChartTests
{
    [Theory]
    [InlineData("PolicyReport", "policyreports.wgpolicyk8s.io", "v1alpha2")]
    [InlineData("OpenReports", "reports.openreports.io", "v1alpha1")]
    public void The_report_crd_comes_with_reports_in_the_chosen_format_and_outlives_the_release(string format, string crd, string version)
    {
        Assert.Null(Helm.Template().Find("CustomResourceDefinition", crd));
        Assert.Null(Helm.Template(set: ["reports.enabled=true", $"reports.format={format}", "reports.installCrd=false"]).Find("CustomResourceDefinition", crd));

        var rendered = Helm.Template(set: ["reports.enabled=true", $"reports.format={format}"]);
        var definition = rendered.Single("CustomResourceDefinition", crd);

        Assert.Equal("keep", (string?)definition["metadata"]!["annotations"]!["helm.sh/resource-policy"]);
        var served = Assert.Single(definition["spec"]!["versions"]!.AsArray())!;
        Assert.Equal(version, (string?)served["name"]);
        Assert.Equal(["Pass", "Fail", "Warn", "Error", "Skip", "Age"], served["additionalPrinterColumns"]!.AsArray().Select(c => (string)c!["name"]!));
        var env = rendered.Single("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray();
        Assert.Equal(format, (string?)env.Single(e => (string?)e!["name"] == "Reports__Format")!["value"]);
        Assert.Equal("true", (string?)env.Single(e => (string?)e!["name"] == "Reports__Enabled")!["value"]);
    }

    [Fact]
    public void An_unknown_format_is_refused_by_the_schema()
    {
        Assert.Contains("reports", Helm.TemplateError(set: ["reports.format=Reports"]), StringComparison.Ordinal);
    }
}
