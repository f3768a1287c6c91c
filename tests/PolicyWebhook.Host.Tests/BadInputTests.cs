using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PolicyWebhook.Host.Policies;

namespace PolicyWebhook.Host.Tests;

public sealed class BadInputTests : IClassFixture<WebhookFactoryFixture>
{
    private readonly WebhookFactory _factory;

    public BadInputTests(WebhookFactoryFixture fixture) => _factory = fixture.Default;

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string body, string contentType = "application/json", string path = "/validate")
    {
        using var response = await WebhookFactory.PostAsync(_factory.CreateClient(), path, body, contentType);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/yaml")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Post_WrongContentType_Is415(string contentType)
    {
        var (status, body) = await PostAsync(Reviews.Of(Reviews.Pod()), contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal($"an AdmissionReview must be sent as application/json, not {contentType}\n", body);
    }

    [Fact]
    public async Task Post_JsonWithCharset_IsAccepted()
    {
        var (status, _) = await PostAsync(Reviews.Of(Reviews.CompliantPod()), "application/json; charset=utf-8");

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Theory]
    [InlineData("{\"kind\":", "the body is not valid JSON (line 1, byte 9)")]
    [InlineData("", "the body is empty; expected an AdmissionReview")]
    [InlineData("[]", "the body is not an AdmissionReview: expected a JSON object")]
    [InlineData("{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\"}", "the AdmissionReview has no request object")]
    [InlineData("{\"kind\":\"AdmissionReview\",\"apiVersion\":\"v1\",\"request\":{}}", "apiVersion must be admission.k8s.io/v1 (or v1beta1)")]
    [InlineData("{\"kind\":\"Pod\",\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{}}", "kind must be AdmissionReview")]
    [InlineData("{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{\"uid\":7}}", "request.uid is missing or not a string")]
    [InlineData("{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{\"uid\":\"u\",\"kind\":{\"kind\":\"Pod\"},\"operation\":\"PATCH\"}}", "request.operation must be CREATE, UPDATE, DELETE or CONNECT")]
    [InlineData("{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{\"uid\":\"u\",\"kind\":{\"kind\":\"Pod\"},\"operation\":\"CREATE\",\"object\":[1]}}", "request.object and request.oldObject must be objects or null")]
    public async Task Post_MalformedReview_Is400SayingWhatIsWrong(string body, string message)
    {
        var (status, text) = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(message + "\n", text);
    }

    [Fact]
    public async Task Post_MalformedJson_NeverQuotesTheBody()
    {
        var (status, text) = await PostAsync("{\"request\": hunter2-NOT-A-REAL-SECRET}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_BodyOverTheLimit_Is413()
    {
        using var small = new WebhookFactory(new Dictionary<string, string?> { ["Admission:MaxRequestBodyBytes"] = "65536" });
        var review = Reviews.SampleNode("pod-create.json");
        review["request"]!["object"]!["metadata"]!["annotations"] = new JsonObject { ["padding"] = new string('x', 70_000) };

        using var response = await WebhookFactory.PostAsync(small.CreateClient(), "/validate", review.ToJsonString());

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("the body is larger than the limit of 65536 bytes\n", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Post_ChunkedBodyOverTheLimit_Is413()
    {
        using var small = new WebhookFactory(new Dictionary<string, string?> { ["Admission:MaxRequestBodyBytes"] = "65536" });
        var bytes = System.Text.Encoding.UTF8.GetBytes("{\"padding\":\"" + new string('x', 100_000) + "\"}");
        // A stream of unknown length is sent chunked, with no Content-Length to refuse up front.
        using var content = new StreamContent(new UnknownLengthStream(bytes));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await small.CreateClient().PostAsync(new Uri("/validate", UriKind.Relative), content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Post_LoneSurrogateEscape_Is400()
    {
        var review = Reviews.Of(Reviews.CompliantPod()).Replace("\"uid\":\"", "\"uid\":\"\\ud800", StringComparison.Ordinal);

        var (status, text) = await PostAsync(review);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("a string in the body is not valid text (invalid UTF-8 or a lone surrogate escape)\n", text);
    }

    [Fact]
    public async Task Post_TenMegabyteBody_Is413AndTheServerKeepsServing()
    {
        var (status, _) = await PostAsync("{\"padding\":\"" + new string('x', 10 * 1024 * 1024) + "\"}");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        var (after, _) = await PostAsync(Reviews.Of(Reviews.CompliantPod()));
        Assert.Equal(HttpStatusCode.OK, after);
    }

    [Fact]
    public async Task Post_DeeplyNestedJson_Is400NotACrash()
    {
        var (status, _) = await PostAsync(new string('[', 100_000) + new string(']', 100_000));

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }

    [Fact]
    public async Task Post_FieldsInAnyOrder_AreReadTheSame()
    {
        // The API server writes uid and kind before the object; a hand-made review may not.
        var pod = Reviews.Pod(container: "\"securityContext\":{\"privileged\":true}").ToJsonString();
        var body = "{\"request\":{\"object\":" + pod + ",\"operation\":\"CREATE\",\"namespace\":\"shop\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"uid\":\"late-uid\"},"
            + "\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}";

        var response = await WebhookFactory.ReviewAsync(_factory.CreateClient(), "/validate", body);

        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.Contains("privileged", response["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_ObjectThatDoesNotFitFollowedByMoreFields_StillAnswersItsUid()
    {
        var review = Reviews.SampleNode("pod-create.json");
        review["request"]!["object"]!["spec"]!["containers"]![0]!["ports"] = JsonNode.Parse("[{\"containerPort\":{}}]");

        var response = await WebhookFactory.ReviewAsync(_factory.CreateClient(), "/validate", review.ToJsonString());

        Assert.Equal(400, response["status"]!["code"]!.GetValue<int>());
        Assert.Contains("spec.containers[0].ports[0].containerPort", response["status"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_TrailingContentAfterTheReview_Is400()
    {
        var (status, text) = await PostAsync(Reviews.Of(Reviews.CompliantPod()) + " {}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("the body is not valid JSON", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_UnexpectedException_Is500ForThatRequestOnlyAndLeaksNothing()
    {
        var source = new FlakySource();
        using var factory = new WebhookFactory { ReplaceServices = s => s.AddSingleton<IPolicySource>(source) };
        var client = factory.CreateClient();

        using var failed = await WebhookFactory.PostAsync(client, "/validate", Reviews.Of(Reviews.Pod()));
        source.Broken = false;
        using var next = await WebhookFactory.PostAsync(client, "/validate", Reviews.Of(Reviews.CompliantPod()));

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        var text = await failed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("PolicyWebhook failed on request ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-IN-EXCEPTION", text, StringComparison.Ordinal);
        Assert.DoesNotContain(factory.Logs, line => line.Contains("SECRET-IN-EXCEPTION", StringComparison.Ordinal));
        Assert.Contains(factory.Logs, line => line.Contains("Unexpected System.Collections.Generic.KeyNotFoundException", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    private sealed class FlakySource : IPolicySource
    {
        private readonly PolicySnapshot _snapshot = new([.. PolicyWebhook.Policies.BuiltInPolicies.Default.Select(p => p.Compiled)], "test", DateTimeOffset.UnixEpoch);

        public bool Broken { get; set; } = true;

        public PolicySnapshot? Current => Broken ? throw new KeyNotFoundException("SECRET-IN-EXCEPTION") : _snapshot;

        public IReadOnlyList<string> Problems => [];

        public long FailedLoads => 0;
    }

    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
