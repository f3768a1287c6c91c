using System.Text;
using PolicyWebhook.Host.Admission;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Host.Tests;

public sealed class AdmittedObjectTests
{
    [Fact]
    public void UnreadFields_NoneIsReadByTheServer()
    {
        Assert.Empty(UnreadFieldReads.In(typeof(AdmittedObject).Assembly));
        Assert.Empty(UnreadFieldReads.In(typeof(PolicyWebhook.Provenance.ImageVerifier).Assembly));
    }

    [Fact]
    public void TryLocate_AskedByTheImageStepAndThenTheHandler_DecodesThePodOnce()
    {
        using var request = AdmissionReviewReader.ReadRequest(Encoding.UTF8.GetBytes(Reviews.Of(Reviews.Pod()))).Request!;

        Assert.True(AdmittedObject.TryLocate(request, out var first, out _));
        Assert.True(AdmittedObject.TryLocate(request, out var second, out _));

        Assert.Same(first, second);
        Assert.Equal("registry.example.com/web:1.2.3", Assert.Single(second.Spec.Containers).Image);
    }

    [Fact]
    public void TryLocate_ObjectThatDoesNotDecode_GivesTheSameAnswerEachTime()
    {
        var pod = Reviews.Pod();
        pod["spec"]!["containers"] = "not a list";
        using var request = AdmissionReviewReader.ReadRequest(Encoding.UTF8.GetBytes(Reviews.Of(pod))).Request!;

        Assert.False(AdmittedObject.TryLocate(request, out _, out var first));
        Assert.False(AdmittedObject.TryLocate(request, out _, out var second));

        Assert.Same(first, second);
        Assert.Equal(400, first!.Response.Code);
    }
}
