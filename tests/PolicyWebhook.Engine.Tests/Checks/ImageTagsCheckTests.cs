namespace PolicyWebhook.Engine.Tests.Checks;

public sealed class ImageTagsCheckTests : CheckTestBase
{
    protected override string CheckId => "imageTags";

    [Fact]
    public void Evaluate_NoTag_NamesFieldAndFix() =>
        AssertViolations(
            "fail/no-tag.yaml",
            ("spec.containers[0].image", "container \"app\" must pin image \"localhost:5000/app\" to a version tag or digest, not an implicit :latest"));
}
