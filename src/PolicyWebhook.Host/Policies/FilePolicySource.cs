using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using PolicyWebhook.Host.Hosting;
using PolicyWebhook.Policies;
using PolicyWebhook.Policies.Yaml;

namespace PolicyWebhook.Host.Policies;

/// <summary>
/// Policies from a folder of YAML, reloaded when the folder's content changes; the built-in default when no folder
/// is configured. A broken file is logged and reported in readiness, and the last good set keeps serving.
/// </summary>
public sealed partial class FilePolicySource : BackgroundService, IPolicySource
{
    private readonly PolicySourceOptions _options;
    private readonly ILogger<FilePolicySource> _logger;
    private readonly TimeProvider _time;
    private readonly Lock _reloadLock = new();
    private volatile PolicySnapshot? _current;
    private volatile IReadOnlyList<string> _problems = [];
    private byte[]? _fingerprint;
    private long _failedLoads;
    private readonly LoopHealth? _health;

    public FilePolicySource(IOptions<PolicySourceOptions> options, ILogger<FilePolicySource> logger, TimeProvider time, BackgroundLoops? loops = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _time = time;
        _health = _options.Directory is null ? null : loops?.Register("reload policy files");
        Reload();
    }

    public PolicySnapshot? Current => _current;

    public IReadOnlyList<string> Problems => _problems;

    public long FailedLoads => Interlocked.Read(ref _failedLoads);

    /// <summary>Loads the folder again if its content changed; true when a new set is now in force.</summary>
    public bool Reload()
    {
        lock (_reloadLock)
        {
            if (_options.Directory is not { } directory)
            {
                if (_current is not null)
                {
                    return false;
                }

                _current = new PolicySnapshot([.. BuiltInPolicies.Default.Select(p => p.Compiled)], "built-in default", _time.GetUtcNow());
                LogLoaded(_logger, _current.Policies.Count, _current.Origin);
                return true;
            }

            var problems = new List<string>();
            if (!Directory.Exists(directory))
            {
                // A ConfigMap mount that is not there yet, or gone for a while: keep serving, look again next tick.
                _fingerprint = null;
                var missing = $"{Path.GetFullPath(directory)}: the policy folder does not exist";
                _health?.Failed(new DirectoryNotFoundException(missing), _options.PollInterval);
                return Fail([missing]);
            }

            _health?.Succeeded();

            var files = ManifestFiles.Expand([directory], problems);
            var fingerprint = Fingerprint(files);
            if (_fingerprint is not null && fingerprint.AsSpan().SequenceEqual(_fingerprint))
            {
                return false;
            }

            _fingerprint = fingerprint;
            try
            {
                var set = PolicyLoader.LoadAll([directory]);
                var loaded = set.Policies;
                if (problems.Count > 0)
                {
                    return Fail(problems);
                }

                // An empty folder is far more often a mount gone wrong than a wish to allow everything.
                if (loaded.Count == 0)
                {
                    return Fail([$"{Path.GetFullPath(directory)}: the policy folder holds no policy; to check nothing, remove the webhook rather than its policies"]);
                }

                _current = new PolicySnapshot([.. loaded.Select(p => p.Compiled)], directory, _time.GetUtcNow(), [.. set.Exceptions.Select(e => e.Compiled)]);
                _problems = [];
                LogLoaded(_logger, loaded.Count, directory);
                return true;
            }
            catch (PolicyLoadException e)
            {
                return Fail(e.Problems);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A file can vanish between listing and reading while a ConfigMap is swapped; try again next time.
                _fingerprint = null;
                return Fail([$"{directory}: {e.Message}"]);
            }
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        _options.Directory is null
            ? Task.CompletedTask
            // Whatever goes wrong, the last good set keeps serving and the next tick tries again.
            : Periodic.RunAsync(_options.PollInterval, _time, () => Reload(), e => LogReloadCrashed(_logger, e.GetType().FullName ?? "Exception"), stoppingToken);

    private bool Fail(IReadOnlyList<string> problems)
    {
        // The same problems again (a folder still missing) are counted, not logged again at every poll.
        var repeated = _problems.SequenceEqual(problems, StringComparer.Ordinal);
        _problems = problems;
        Interlocked.Increment(ref _failedLoads);
        if (repeated)
        {
            return false;
        }

        LogRejected(_logger, problems.Count, string.Join(Environment.NewLine, problems), _current is null ? "none" : $"{_current.Policies.Count} from {_current.LoadedAt:O}");
        return false;
    }

    private static byte[] Fingerprint(IReadOnlyList<string> files)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in files)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(file + "\0"));
            try
            {
                hash.AppendData(File.ReadAllBytes(file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                hash.AppendData([0xff]);
            }
        }

        return hash.GetHashAndReset();
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Policies loaded from {Origin}: {Count}")]
    private static partial void LogLoaded(ILogger logger, int count, string origin);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Rejected the policy files (problems: {ProblemCount}); still serving the last good set ({Serving}):\n{Problems}")]
    private static partial void LogRejected(ILogger logger, int problemCount, string problems, string serving);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "Reloading policies failed unexpectedly ({Error}); still serving the last good set")]
    private static partial void LogReloadCrashed(ILogger logger, string error);
}
