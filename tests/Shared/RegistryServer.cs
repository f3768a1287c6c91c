using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace PolicyWebhook.Tests.Shared;

/// <summary>
/// Debian's <c>docker-registry</c> (distribution 2.8) serving a copy of tests/Shared/provenance/registry-storage.tar.gz
/// on a free loopback port, over plain HTTP: the real registry the cosign and notation fixtures were pushed to. One
/// per test class (a class fixture); <c>tools/install-registry.sh</c> installs the binary, <c>DOCKER_REGISTRY</c> overrides it.
/// The benchmarks link this file alone and start it themselves; RegistryServer.Fixture.cs makes it an xunit fixture.
/// </summary>
public sealed partial class RegistryServer
{
    private const int StartAttempts = 3; // another process may take the free port before the registry binds it
    private static readonly TimeSpan ReadyWithin = TimeSpan.FromSeconds(30);

    private readonly Queue<string> _log = new();
    private string? _folder;
    private Process? _process;

    /// <summary>Where it listens, as images name a registry: <c>127.0.0.1:PORT</c>.</summary>
    public string Host { get; private set; } = string.Empty;

    /// <summary>The fixture folder: index.tsv, keys/, config.yml.</summary>
    public static string FixtureFolder { get; } = FindFixtureFolder();

    public async ValueTask InitializeAsync()
    {
        var binary = Environment.GetEnvironmentVariable("DOCKER_REGISTRY") is { Length: > 0 } configured ? configured : "/usr/bin/docker-registry";
        if (!File.Exists(binary))
        {
            throw new InvalidOperationException(
                $"docker-registry is not installed at {binary}: run tools/install-registry.sh first (the README's test command does), or set DOCKER_REGISTRY to one.");
        }

        _folder = Directory.CreateTempSubdirectory("policywebhook-registry-").FullName;
        try
        {
            await StartAsync(binary, _folder);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_folder is not null && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private async Task StartAsync(string binary, string folder)
    {
        var archive = File.OpenRead(Path.Combine(FixtureFolder, "registry-storage.tar.gz"));
        await using (archive)
        {
            await using var gzip = new GZipStream(archive, CompressionMode.Decompress);
            await TarFile.ExtractToDirectoryAsync(gzip, folder, overwriteFiles: false);
        }

        for (var attempt = 1; ; attempt++)
        {
            Host = $"127.0.0.1:{FreePort()}";
            _process = Start(binary, Path.Combine(folder, "registry-storage"));
            if (await ReadyAsync())
            {
                return;
            }

            var exited = _process.HasExited;
            await StopAsync();
            if (!exited || attempt == StartAttempts)
            {
                var what = exited ? $"exited before answering GET http://{Host}/v2/" : $"did not answer GET http://{Host}/v2/ within {ReadyWithin.TotalSeconds} s";
                throw new InvalidOperationException($"{binary} {what}; its last output:\n{string.Join('\n', Log())}");
            }
        }
    }

    private Process Start(string binary, string storage)
    {
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList = { "serve", Path.Combine(FixtureFolder, "config.yml") },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            Environment =
            {
                ["REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY"] = storage,
                ["REGISTRY_HTTP_ADDR"] = Host,
            },
        };
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Remember(e.Data);
        process.ErrorDataReceived += (_, e) => Remember(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task<bool> ReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + ReadyWithin;
        while (DateTime.UtcNow < deadline && !_process!.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri($"http://{Host}/v2/"));
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(100);
        }

        return false;
    }

    private async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.Enqueue(line);
            if (_log.Count > 40)
            {
                _log.Dequeue();
            }
        }
    }

    private string[] Log()
    {
        lock (_log)
        {
            return [.. _log];
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>tests/Shared/provenance of the repository, found above the test's output folder as RepoPaths finds the root.</summary>
    private static string FindFixtureFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PolicyWebhook.sln")))
            {
                return Path.Combine(dir.FullName, "tests", "Shared", "provenance");
            }
        }

        throw new InvalidOperationException("PolicyWebhook.sln not found above " + AppContext.BaseDirectory);
    }
}
