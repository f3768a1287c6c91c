using System.Collections.Frozen;
using System.Reflection;
using System.Text.RegularExpressions;

namespace PolicyWebhook.Engine.Checks;

/// <summary>A Pod Security Standards check chosen for one level and version: its id and the function to run.</summary>
public sealed record PssTableEntry(string Id, PodCheck Evaluate);

/// <summary>
/// Every check the engine has, found by reflection and validated once: ids are unique and well formed, versions
/// strictly increase, overrides name real baseline checks. For each level and version it precomputes the table of
/// checks to run, so evaluating a standard is a lookup and a loop.
/// </summary>
public sealed partial class CheckRegistry
{
    private readonly FrozenDictionary<string, ICheck> _byId;
    private readonly PssTableEntry[][] _baseline;
    private readonly PssTableEntry[][] _restricted;

    public CheckRegistry(IEnumerable<ICheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        All = [.. checks.OrderBy(c => c.Level).ThenBy(c => c.Id, StringComparer.Ordinal)];
        Validate(All);
        _byId = All.ToFrozenDictionary(c => c.Id, StringComparer.Ordinal);
        var pss = All.OfType<PssCheck>().ToList();
        _baseline = new PssTableEntry[PssVersion.NewestKnownMinor + 1][];
        _restricted = new PssTableEntry[PssVersion.NewestKnownMinor + 1][];
        for (var minor = 0; minor <= PssVersion.NewestKnownMinor; minor++)
        {
            _baseline[minor] = BuildTable(pss, PssLevel.Baseline, minor);
            _restricted[minor] = BuildTable(pss, PssLevel.Restricted, minor);
        }
    }

    /// <summary>The registry of every check in the engine assembly.</summary>
    public static CheckRegistry Default { get; } = new(Discover(typeof(CheckRegistry).Assembly));

    /// <summary>Every check, baseline first, then restricted, then least-privilege, by id.</summary>
    public IReadOnlyList<ICheck> All { get; }

    public bool Contains(string id) => _byId.ContainsKey(id);

    public ICheck? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The check of type <typeparamref name="T"/>, as registered.</summary>
    public T Get<T>()
        where T : ICheck => All.OfType<T>().Single();

    /// <summary>The checks a Pod Security Standards level runs at a version; empty for privileged.</summary>
    public IReadOnlyList<PssTableEntry> TableFor(PssLevel level, PssVersion version) => level switch
    {
        PssLevel.Baseline => _baseline[version.EffectiveMinor],
        PssLevel.Restricted => _restricted[version.EffectiveMinor],
        _ => [],
    };

    /// <summary>Instantiates every concrete <see cref="ICheck"/> with a public parameterless constructor.</summary>
    public static IEnumerable<ICheck> Discover(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICheck).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (ICheck)Activator.CreateInstance(t)!);
    }

    private static PssTableEntry[] BuildTable(List<PssCheck> checks, PssLevel level, int minor)
    {
        var version = PssVersion.Of(minor);
        var chosen = new List<(PssCheck Check, CheckVersion Version)>();
        foreach (var check in checks)
        {
            if (check.Level == CheckLevel.Restricted && level != PssLevel.Restricted)
            {
                continue;
            }

            var current = check.Versions.LastOrDefault(v => v.MinimumVersion <= version);
            if (current is not null)
            {
                chosen.Add((check, current));
            }
        }

        // A restricted check that makes a baseline one stricter replaces it, so the user reads one message, not two.
        var overridden = chosen.SelectMany(c => c.Version.Overrides ?? []).ToHashSet(StringComparer.Ordinal);
        return [.. chosen.Where(c => !overridden.Contains(c.Check.Id)).Select(c => new PssTableEntry(c.Check.Id, c.Version.Evaluate))];
    }

    private static void Validate(IReadOnlyList<ICheck> checks)
    {
        var problems = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var check in checks)
        {
            if (!IdPattern().IsMatch(check.Id))
            {
                problems.Add($"{check.GetType().Name}: id \"{check.Id}\" is not camelCase (optionally with a _level suffix)");
            }

            if (!ids.Add(check.Id))
            {
                problems.Add($"{check.GetType().Name}: id \"{check.Id}\" is used by another check");
            }
        }

        var baselineIds = checks.Where(c => c.Level == CheckLevel.Baseline).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var check in checks.OfType<PssCheck>())
        {
            if (check.Level == CheckLevel.LeastPrivilege)
            {
                problems.Add($"{check.Id}: a Pod Security Standards check must be baseline or restricted");
            }

            if (check.Versions.Count == 0)
            {
                problems.Add($"{check.Id}: has no version");
            }

            for (var i = 1; i < check.Versions.Count; i++)
            {
                if (check.Versions[i].MinimumVersion <= check.Versions[i - 1].MinimumVersion)
                {
                    problems.Add($"{check.Id}: version {check.Versions[i].MinimumVersion} does not come after {check.Versions[i - 1].MinimumVersion}");
                }
            }

            foreach (var version in check.Versions)
            {
                if (version.MinimumVersion.IsLatest || version.MinimumVersion.Minor > PssVersion.NewestKnownMinor)
                {
                    problems.Add($"{check.Id}: version {version.MinimumVersion} is newer than the newest known v1.{PssVersion.NewestKnownMinor}");
                }

                foreach (var overridden in version.Overrides ?? [])
                {
                    if (check.Level != CheckLevel.Restricted || !baselineIds.Contains(overridden))
                    {
                        problems.Add($"{check.Id}: only a restricted check may override, and only a baseline check (\"{overridden}\")");
                    }
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The check registry is inconsistent:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
        }
    }

    [GeneratedRegex("^[a-z][A-Za-z0-9]*(_(baseline|restricted))?$")]
    private static partial Regex IdPattern();
}
