namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class ReadOnlyRootFilesystemCheckTests : CheckTestBase
{
    protected override string CheckId => "readOnlyRootFilesystem";

    [Fact]
    public void Evaluate_Unset_NamesFieldAndFix() =>
        AssertViolations(
            "fail/unset.yaml",
            ("spec.containers[0].securityContext.readOnlyRootFilesystem", "container \"app\" must set securityContext.readOnlyRootFilesystem=true"));
}
