using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PolicyWebhook.Host.Tests;

/// <summary>
/// Thousands of truncated, corrupted and structurally mutated AdmissionReviews, generated from the real samples
/// with a fixed seed: each must get a 4xx or a well-formed answer, never a 500.
/// </summary>
public sealed class MalformedReviewFuzzTests : IDisposable
{
    private const int Cases = 3000;

    private const string Junk = "{}[]\",:0a\\\u0000\u00ff";

    private static readonly string[] Samples = [.. RepoPaths.Samples().Select(File.ReadAllText)];

    // Both webhooks do their whole work: the policy enforces the restricted standard and turns mutation on.
    private readonly WebhookFactory _factory = WebhookFactory.WithPolicies(out _, ("policy.yaml", MutateEndpointTests.MutatingPolicy));

    public void Dispose() => _factory.Dispose();

    [Theory]
    [InlineData(20261124)]
    [InlineData(7)]
    public async Task Post_MutatedReviews_AlwaysGet4xxOrAWellFormedAnswer(int seed)
    {
        var random = new Random(seed);
        var client = _factory.CreateClient();
        var statuses = new Dictionary<HttpStatusCode, int>();
        for (var i = 0; i < Cases; i++)
        {
            var body = Mutate(Samples[random.Next(Samples.Length)], random);
            var path = random.Next(2) == 0 ? "/validate" : "/mutate";
            var contentType = random.Next(40) == 0 ? "text/plain" : "application/json";

            using var response = await WebhookFactory.PostAsync(client, path, body, contentType);

            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
            var status = (int)response.StatusCode;
            Assert.True(status is 200 or 400 or 413 or 415, $"case {i} (seed {seed}) got {status}: {text}\nbody: {Shorten(body)}\nlog: {_factory.Logs.LastOrDefault(l => l.Contains("Unexpected", StringComparison.Ordinal))}");
            if (status == 200)
            {
                AssertWellFormed(text, body, i);
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(text), $"case {i}: a {status} must say what is wrong");
            }
        }

        // The generator must exercise both paths, or the test proves little.
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.OK) > Cases / 10, string.Join(", ", statuses));
        Assert.True(statuses.GetValueOrDefault(HttpStatusCode.BadRequest) > Cases / 10, string.Join(", ", statuses));
    }

    private static void AssertWellFormed(string text, string body, int i)
    {
        var answer = JsonNode.Parse(text)!.AsObject();
        var sent = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 256 })!;
        Assert.Equal("AdmissionReview", (string?)answer["kind"]);
        Assert.Equal((string?)sent["apiVersion"], (string?)answer["apiVersion"]);
        Assert.Equal((string?)sent["request"]!["uid"], (string?)answer["response"]!["uid"]);
        var allowed = answer["response"]!["allowed"]!.GetValue<bool>();
        if (!allowed)
        {
            var code = answer["response"]!["status"]!["code"]!.GetValue<int>();
            Assert.True(code is 400 or 403, $"case {i}: denial code {code}");
            Assert.False(string.IsNullOrEmpty((string?)answer["response"]!["status"]!["message"]), $"case {i}: a denial must say why");
        }
    }

    private static string Mutate(string sample, Random random)
    {
        var rounds = random.Next(1, 4);
        var text = sample;
        for (var r = 0; r < rounds; r++)
        {
            text = random.Next(12) switch
            {
                0 => text[..random.Next(text.Length)],
                1 => Corrupt(text, random),
                2 => LoneSurrogate(text, random),
                _ => MutateStructure(text, random),
            };
        }

        return text;
    }

    /// <summary>Puts the escape of a lone surrogate (valid JSON, invalid text) at the start of some string.</summary>
    private static string LoneSurrogate(string text, Random random)
    {
        var quotes = text.Select((c, i) => (c, i)).Where(x => x.c == '"').Select(x => x.i).ToList();
        return quotes.Count == 0 ? text : text.Insert(quotes[random.Next(quotes.Count)] + 1, "\\ud800");
    }

    private static string Corrupt(string text, Random random)
    {
        var chars = text.ToCharArray();
        for (var n = random.Next(1, 4); n > 0 && chars.Length > 0; n--)
        {
            chars[random.Next(chars.Length)] = Junk[random.Next(Junk.Length)];
        }

        return new string(chars);
    }

    private static string MutateStructure(string text, Random random)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException)
        {
            return text;
        }

        if (root is null)
        {
            return text;
        }

        var nodes = new List<JsonNode>();
        try
        {
            Collect(root, nodes);
        }
        catch (InvalidOperationException)
        {
            // A key holding a lone surrogate escape cannot be enumerated as text; send it as it is.
            return text;
        }

        var target = nodes[random.Next(nodes.Count)];
        var parent = target.Parent;
        var replacement = RandomValue(random);
        switch (parent)
        {
            case JsonObject obj:
                var key = target.GetPropertyName();
                if (random.Next(4) == 0)
                {
                    obj.Remove(key);
                }
                else
                {
                    obj[key] = replacement;
                }

                break;
            case JsonArray array:
                var index = target.GetElementIndex();
                if (random.Next(4) == 0)
                {
                    array.RemoveAt(index);
                }
                else
                {
                    array[index] = replacement;
                }

                break;
            default:
                return replacement?.ToJsonString() ?? "null";
        }

        try
        {
            return root.ToJsonString();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            return text;
        }
    }

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        nodes.Add(node);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    if (child is not null)
                    {
                        Collect(child, nodes);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is not null)
                    {
                        Collect(child, nodes);
                    }
                }

                break;
        }
    }

    private static JsonNode? RandomValue(Random random) => random.Next(12) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(int.MinValue, int.MaxValue)),
        2 => JsonValue.Create(-1.5e308),
        3 => JsonValue.Create(random.Next(2) == 0),
        4 => JsonValue.Create(""),
        5 => JsonValue.Create(new string('x', random.Next(1, 5000))),
        6 => new JsonObject(),
        7 => new JsonArray(),
        8 => JsonNode.Parse(new string('[', 50) + new string(']', 50)),
        9 => JsonValue.Create("CREATE"),
        10 => JsonValue.Create("\u0000\ud7ff\"\\"),
        _ => new JsonArray(JsonValue.Create(1), new JsonObject { ["name"] = "x" }),
    };

    private static string Shorten(string body) => body.Length <= 400 ? body : body[..400] + "...";
}
