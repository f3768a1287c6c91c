using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace PolicyWebhook.Cli.Commands;

/// <summary>
/// <c>selftest</c>: sends one AdmissionReview to a running webhook, over TLS checked against the CA the API server
/// trusts, and passes when the answer is a well-formed review for that request. The chart's <c>helm test</c> runs it.
/// </summary>
internal static class SelftestCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var url = new Option<string>("--url")
        {
            Description = "The webhook's base address, such as https://policy-webhook.policy-webhook.svc:443; /validate is appended.",
            Required = true,
        };
        var caFile = new Option<FileInfo>("--ca-file")
        {
            Description = "The PEM CA bundle the webhook's certificate must chain to (the webhook configuration's caBundle).",
            Required = true,
        };
        var timeout = new Option<int>("--timeout")
        {
            Description = "Seconds to wait for the answer.",
            DefaultValueFactory = _ => 10,
        };
        var connectTo = new Option<string?>("--connect-to")
        {
            Description = "Connect to this HOST:PORT instead (a kubectl port-forward, say) while still checking the certificate against --url's host.",
        };
        var command = new Command("selftest", "Send an AdmissionReview to a running webhook and check the answer (the chart's helm test).")
        {
            url, caFile, timeout, connectTo,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            if (!Uri.TryCreate(parsed.GetValue(url), UriKind.Absolute, out var address) || address.Scheme != Uri.UriSchemeHttps)
            {
                error.WriteLine($"error: --url must be an https:// address (the API server calls webhooks only over TLS), not {parsed.GetValue(url)}");
                return CliApp.BadInput;
            }

            X509Certificate2Collection trusted;
            try
            {
                trusted = [];
                trusted.ImportFromPemFile(parsed.GetValue(caFile)!.FullName);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                error.WriteLine($"error: cannot read the CA bundle {parsed.GetValue(caFile)!.FullName}: {e.Message}");
                return CliApp.BadInput;
            }

            if (trusted.Count == 0)
            {
                error.WriteLine($"error: {parsed.GetValue(caFile)!.FullName} holds no PEM certificate");
                return CliApp.BadInput;
            }

            DnsEndPoint? dialed = null;
            if (parsed.GetValue(connectTo) is { } target)
            {
                var colon = target.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(target.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                {
                    error.WriteLine($"error: --connect-to must be HOST:PORT, not {target}");
                    return CliApp.BadInput;
                }

                dialed = new DnsEndPoint(target[..colon].Trim('[', ']'), port);
            }

            try
            {
                return await RunAsync(address, dialed, trusted, TimeSpan.FromSeconds(Math.Clamp(parsed.GetValue(timeout), 1, 300)), output, error, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                foreach (var certificate in trusted)
                {
                    certificate.Dispose();
                }
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(Uri address, DnsEndPoint? connectTo, X509Certificate2Collection trusted, TimeSpan timeout, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string? certificateProblem = null;
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(connectTo ?? context.DnsEndPoint, token).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                // Trust only the given CA, as the API server trusts only the caBundle, and check the name it serves.
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is not X509Certificate2 leaf)
                    {
                        certificateProblem = "the server sent no certificate";
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    if (!chain.Build(leaf))
                    {
                        certificateProblem = $"its certificate ({leaf.Subject}) does not chain to the CA bundle: {string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()))}";
                        return false;
                    }

                    if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                    {
                        certificateProblem = $"its certificate ({leaf.Subject}) is not valid for {address.Host}";
                        return false;
                    }

                    return true;
                },
            },
        };
        using var client = new HttpClient(handler)
        {
            Timeout = timeout,
            DefaultRequestVersion = HttpVersion.Version20, // as the API server offers it
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        var uid = Guid.NewGuid().ToString();
        var endpoint = new Uri(address, "validate?timeout=" + ((int)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s");
        var shown = endpoint.GetLeftPart(UriPartial.Path);
        using var content = new StringContent(Review(uid), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await client.PostAsync(endpoint, content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or SocketException)
        {
            error.WriteLine($"FAILED: no answer from {shown}: {certificateProblem ?? Innermost(e)}");
            return CliApp.Denied;
        }

        using (response)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                error.WriteLine($"FAILED: {shown} answered HTTP {(int)response.StatusCode}: {Shorten(body)}");
                return CliApp.Denied;
            }

            if (Problem(body, uid, out var allowed, out var message) is { } problem)
            {
                error.WriteLine($"FAILED: {shown} answered, but {problem}");
                return CliApp.Denied;
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"OK: {shown} answered over {response.Version switch { { Major: 2 } => "HTTP/2", _ => "HTTP/1.1" }} in {elapsed.TotalMilliseconds:F0} ms, with a certificate the CA bundle trusts."));
            output.WriteLine(allowed
                ? "A compliant test pod was allowed by the policies in force."
                : $"A compliant test pod was denied by the policies in force: {message}");
            return CliApp.Allowed;
        }
    }

    /// <summary>What is wrong with an answer, or null when it is a well-formed review of the request sent.</summary>
    internal static string? Problem(string body, string uid, out bool allowed, out string? message)
    {
        allowed = false;
        message = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("kind", out var kind) || kind.ValueKind != JsonValueKind.String || kind.GetString() != "AdmissionReview")
            {
                return "the answer is not an AdmissionReview";
            }

            if (!root.TryGetProperty("response", out var response) || response.ValueKind != JsonValueKind.Object)
            {
                return "the AdmissionReview has no response";
            }

            if (!response.TryGetProperty("uid", out var answered) || answered.ValueKind != JsonValueKind.String || answered.GetString() != uid)
            {
                return "the response's uid is not the request's, which the API server would reject";
            }

            if (!response.TryGetProperty("allowed", out var verdict) || verdict.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return "the response has no allowed field";
            }

            allowed = verdict.GetBoolean();
            if (response.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object && status.TryGetProperty("message", out var text) && text.ValueKind == JsonValueKind.String)
            {
                message = text.GetString();
            }

            return null;
        }
        catch (JsonException)
        {
            return "the answer is not JSON";
        }
    }

    /// <summary>A dry-run CREATE of a pod that meets the restricted standard, in a namespace no one uses.</summary>
    private static string Review(string uid) => """
        {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{
          "uid":"UID",
          "kind":{"group":"","version":"v1","kind":"Pod"},
          "resource":{"group":"","version":"v1","resource":"pods"},
          "requestKind":{"group":"","version":"v1","kind":"Pod"},
          "requestResource":{"group":"","version":"v1","resource":"pods"},
          "name":"policywebhook-selftest","namespace":"policywebhook-selftest","operation":"CREATE",
          "userInfo":{"username":"policywebhook-selftest"},
          "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"policywebhook-selftest","namespace":"policywebhook-selftest"},
            "spec":{"securityContext":{"runAsNonRoot":true,"runAsUser":1000,"seccompProfile":{"type":"RuntimeDefault"}},
              "containers":[{"name":"app","image":"registry.k8s.io/pause:3.10",
                "securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}},
                "resources":{"requests":{"cpu":"10m","memory":"16Mi"},"limits":{"memory":"16Mi"}}}]}},
          "oldObject":null,"dryRun":true,
          "options":{"apiVersion":"meta.k8s.io/v1","kind":"CreateOptions"}}}
        """.Replace("UID", uid, StringComparison.Ordinal);

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message;
    }

    private static string Shorten(string body) => body.Length <= 300 ? body : string.Concat(body.AsSpan(0, 300), "...");
}
