using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using PolicyWebhook.Host.Tls;
using PolicyWebhook.Tests.Shared;

namespace PolicyWebhook.Host.Tests;

/// <summary>
/// An HTTP/1.1 keep-alive client over TLS, written by hand so nothing hides what the server does with the
/// connection: a body over the limit is answered 413 and the connection either carries the next request or is
/// closed with <c>Connection: close</c> said first, never dropped under a client that expects it to go on.
/// </summary>
public sealed class KeepAliveTests : IAsyncLifetime
{
    private const int Limit = 3 * 1024 * 1024; // Admission:MaxRequestBodyBytes by default

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "policywebhook-tests", Guid.NewGuid().ToString("N"));
    private WebApplication _app = null!;
    private Uri _address = null!;
    private X509Certificate2 _ca = null!;

    public async ValueTask InitializeAsync()
    {
        _ca = X509Certificate2.CreateFromPem(File.ReadAllText(DevCertificates.Create(_folder)));
        (_app, _address) = await KestrelWebhook.StartAsync(_folder, KestrelWebhook.FreePort());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TestContext.Current.CancellationToken);
        await _app.DisposeAsync();
        _ca.Dispose();
    }

    [Fact]
    public async Task Post_BodyJustOverTheLimitSentWhole_Is413AndTheSameConnectionServesTheNextReview()
    {
        await using var connection = await RawConnection.OpenAsync(_address, _ca);

        // The size the load test found: 3,152,861 bytes, a little over 3 MiB, all of it sent.
        await connection.SendAsync(Padding(3_152_861));
        var refused = await connection.ReceiveAsync();
        await connection.SendAsync(Encoding.UTF8.GetBytes(Reviews.Sample("pod-create.json")));
        var next = await connection.ReceiveAsync();

        Assert.Equal(413, refused.Status);
        Assert.False(refused.Headers.TryGetValue("connection", out var said) && said.Contains("close", StringComparison.OrdinalIgnoreCase), said);
        Assert.Equal($"the body is larger than the limit of {Limit} bytes\n", refused.Body);
        Assert.Equal(200, next.Status);
        Assert.Contains("\"allowed\":", next.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_BodyFarOverTheLimit_Is413WithConnectionCloseThenANewConnectionServes()
    {
        await using (var connection = await RawConnection.OpenAsync(_address, _ca))
        {
            // Announced, not sent: the server must not read 20 MiB to answer, so it says it closes.
            await connection.SendHeadersAsync(20 * 1024 * 1024);
            var refused = await connection.ReceiveAsync();

            Assert.Equal(413, refused.Status);
            Assert.Equal("close", refused.Headers["connection"]);
            Assert.True(await connection.EndedAsync(), "the server said Connection: close, then should end the connection cleanly");
        }

        await using var fresh = await RawConnection.OpenAsync(_address, _ca);
        await fresh.SendAsync(Encoding.UTF8.GetBytes(Reviews.Sample("pod-create.json")));
        Assert.Equal(200, (await fresh.ReceiveAsync()).Status);
    }

    [Fact]
    public async Task Post_WrongContentTypeWithinTheLimit_Is415AndTheConnectionGoesOn()
    {
        await using var connection = await RawConnection.OpenAsync(_address, _ca);

        await connection.SendAsync(Encoding.UTF8.GetBytes("name=value"), contentType: "application/x-www-form-urlencoded");
        var refused = await connection.ReceiveAsync();
        await connection.SendAsync(Encoding.UTF8.GetBytes(Reviews.Sample("pod-create.json")));

        Assert.Equal(415, refused.Status);
        Assert.False(refused.Headers.ContainsKey("connection"));
        Assert.Equal(200, (await connection.ReceiveAsync()).Status);
    }

    private static byte[] Padding(int size)
    {
        var body = new byte[size];
        body.AsSpan().Fill((byte)'x');
        "{\"padding\":\""u8.CopyTo(body);
        "\"}"u8.CopyTo(body.AsSpan(size - 2));
        return body;
    }

    private sealed record Response(int Status, Dictionary<string, string> Headers, string Body);

    private sealed class RawConnection : IAsyncDisposable
    {
        private readonly TcpClient _tcp;
        private readonly SslStream _tls;
        private readonly string _host;
        private readonly List<byte> _pending = [];

        private RawConnection(TcpClient tcp, SslStream tls, string host) => (_tcp, _tls, _host) = (tcp, tls, host);

        public static async Task<RawConnection> OpenAsync(Uri address, X509Certificate2 ca)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, address.Port, TestContext.Current.CancellationToken);
            var tls = new SslStream(tcp.GetStream());
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = "127.0.0.1",
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                    RemoteCertificateValidationCallback = (_, certificate, _, _) => KestrelWebhook.ChainsTo(certificate, ca),
                },
                TestContext.Current.CancellationToken);
            return new RawConnection(tcp, tls, $"127.0.0.1:{address.Port}");
        }

        public async Task SendHeadersAsync(long contentLength, string contentType = "application/json")
        {
            var head = $"POST /validate?timeout=5s HTTP/1.1\r\nHost: {_host}\r\nContent-Type: {contentType}\r\nContent-Length: {contentLength}\r\n\r\n";
            await _tls.WriteAsync(Encoding.ASCII.GetBytes(head), TestContext.Current.CancellationToken);
            await _tls.FlushAsync(TestContext.Current.CancellationToken);
        }

        public async Task SendAsync(byte[] body, string contentType = "application/json")
        {
            await SendHeadersAsync(body.Length, contentType);
            await _tls.WriteAsync(body, TestContext.Current.CancellationToken);
            await _tls.FlushAsync(TestContext.Current.CancellationToken);
        }

        /// <summary>One response, read to the end of its Content-Length.</summary>
        public async Task<Response> ReceiveAsync()
        {
            int headEnd;
            while ((headEnd = IndexOfHeadEnd()) < 0)
            {
                Assert.True(await FillAsync(), "the connection ended before a response");
            }

            var head = Encoding.ASCII.GetString([.. _pending.Take(headEnd)]).Split("\r\n");
            _pending.RemoveRange(0, headEnd + 4);
            var headers = head.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim(), StringComparer.Ordinal);
            var length = int.Parse(headers["content-length"], System.Globalization.CultureInfo.InvariantCulture);
            while (_pending.Count < length)
            {
                Assert.True(await FillAsync(), "the connection ended inside a response body");
            }

            var body = Encoding.UTF8.GetString([.. _pending.Take(length)]);
            _pending.RemoveRange(0, length);
            return new Response(int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), headers, body);
        }

        /// <summary>True when the server ended the connection cleanly with nothing more to read.</summary>
        public async Task<bool> EndedAsync() => _pending.Count == 0 && !await FillAsync();

        private async Task<bool> FillAsync()
        {
            var chunk = new byte[16 * 1024];
            var read = await _tls.ReadAsync(chunk, TestContext.Current.CancellationToken);
            _pending.AddRange(chunk.AsSpan(0, read));
            return read > 0;
        }

        private int IndexOfHeadEnd()
        {
            for (var i = 0; i + 3 < _pending.Count; i++)
            {
                if (_pending[i] == '\r' && _pending[i + 1] == '\n' && _pending[i + 2] == '\r' && _pending[i + 3] == '\n')
                {
                    return i;
                }
            }

            return -1;
        }

        public async ValueTask DisposeAsync()
        {
            await _tls.DisposeAsync();
            _tcp.Dispose();
        }
    }
}
