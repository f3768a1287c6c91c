using System.Text.Json.Nodes;

namespace PolicyWebhook.Engine.Mutation;

/// <summary>Which containers a mutation may touch.</summary>
public enum MutationScope
{
    /// <summary>A new or updated pod or template: the pod and its containers and init containers.</summary>
    Pod,

    /// <summary>The <c>pods/ephemeralcontainers</c> subresource: only the ephemeral containers may change.</summary>
    EphemeralContainers,
}

/// <summary>
/// Fills the missing least-privilege fields of a pod spec, in place, on its JSON. It only adds: a value the user
/// set, even a weaker one, is left for validation to report. Running it twice changes nothing the second time.
/// </summary>
public static class PodMutator
{
    /// <summary>
    /// Applies <paramref name="defaults"/> to the pod spec <paramref name="podSpec"/>; true when anything changed.
    /// With <see cref="MutationScope.EphemeralContainers"/>, <paramref name="onlyNames"/> limits it to the containers
    /// being added (one already added is immutable).
    /// </summary>
    public static bool Apply(JsonObject podSpec, MutationDefaults defaults, MutationScope scope = MutationScope.Pod, IReadOnlySet<string>? onlyNames = null)
    {
        ArgumentNullException.ThrowIfNull(podSpec);
        ArgumentNullException.ThrowIfNull(defaults);
        var changed = false;
        // Windows pods reject the Linux-only fields; the Pod Security Standards exempt them from those too.
        var windows = podSpec["os"] is JsonObject os && os["name"] is JsonValue name && name.TryGetValue<string>(out var n) && n == "windows";
        var podContext = podSpec["securityContext"] as JsonObject;
        // In a user namespace (hostUsers: false) uid 0 is not the node's root, and the standard accepts it from
        // v1.35: runAsNonRoot would stop an image that runs as root from starting, for nothing.
        if (podSpec["hostUsers"] is JsonValue hostUsers && hostUsers.TryGetValue<bool>(out var shared) && !shared)
        {
            defaults = defaults with { RunAsNonRoot = false };
        }

        if (scope == MutationScope.Pod)
        {
            // A container that asks for uid 0 would not start under a pod-level runAsNonRoot: leave it to validation.
            if (defaults.RunAsNonRoot && podContext?["runAsNonRoot"] is null && !IsRootUser(podContext)
                && !AnyRootContainer(podSpec["containers"]) && !AnyRootContainer(podSpec["initContainers"]))
            {
                changed |= Set(Ensure(podSpec, "securityContext"), "runAsNonRoot", true);
            }

            if (defaults.SeccompProfile && !windows && podContext?["seccompProfile"] is null)
            {
                changed |= Set(Ensure(podSpec, "securityContext"), "seccompProfile", new JsonObject { ["type"] = "RuntimeDefault" });
            }

            changed |= ApplyToList(podSpec["containers"], defaults, windows, podContext, resources: true, podLevelDone: true);
            changed |= ApplyToList(podSpec["initContainers"], defaults, windows, podContext, resources: true, podLevelDone: true);
        }
        else
        {
            // The pod's own security context cannot change through this subresource, so the pod-level
            // defaults go on each ephemeral container that the pod level does not already cover.
            changed |= ApplyToList(podSpec["ephemeralContainers"], defaults, windows, podContext, resources: false, podLevelDone: false, onlyNames);
        }

        return changed;
    }

    private static bool ApplyToList(
        JsonNode? list, MutationDefaults defaults, bool windows, JsonObject? podContext, bool resources, bool podLevelDone, IReadOnlySet<string>? onlyNames = null)
    {
        if (list is not JsonArray containers)
        {
            return false;
        }

        var changed = false;
        foreach (var node in containers)
        {
            if (node is not JsonObject container
                || (onlyNames is not null && !(container["name"] is JsonValue n && n.TryGetValue<string>(out var name) && onlyNames.Contains(name))))
            {
                continue;
            }

            var context = container["securityContext"] as JsonObject;
            if (!podLevelDone)
            {
                if (defaults.RunAsNonRoot && podContext?["runAsNonRoot"] is null && context?["runAsNonRoot"] is null
                    && !IsRootUser(context) && !IsRootUser(podContext))
                {
                    changed |= Set(Ensure(container, "securityContext"), "runAsNonRoot", true);
                }

                if (defaults.SeccompProfile && !windows && podContext?["seccompProfile"] is null && context?["seccompProfile"] is null)
                {
                    changed |= Set(Ensure(container, "securityContext"), "seccompProfile", new JsonObject { ["type"] = "RuntimeDefault" });
                }
            }

            if (!windows)
            {
                changed |= ApplyLinuxContainerDefaults(container, defaults);
            }

            if (resources)
            {
                changed |= ApplyResources(container, defaults);
            }
        }

        return changed;
    }

    private static bool ApplyLinuxContainerDefaults(JsonObject container, MutationDefaults defaults)
    {
        var changed = false;
        var context = container["securityContext"] as JsonObject;
        // The API server refuses allowPrivilegeEscalation: false next to privileged: true or an added CAP_SYS_ADMIN;
        // validation reports those instead.
        var privileged = context?["privileged"] is JsonValue p && p.TryGetValue<bool>(out var isPrivileged) && isPrivileged;
        var sysAdmin = context?["capabilities"]?["add"] is JsonArray added
            && added.Any(a => a is JsonValue v && v.TryGetValue<string>(out var c) && c is "SYS_ADMIN" or "CAP_SYS_ADMIN");
        if (defaults.AllowPrivilegeEscalation && context?["allowPrivilegeEscalation"] is null && !privileged && !sysAdmin)
        {
            changed |= Set(Ensure(container, "securityContext"), "allowPrivilegeEscalation", false);
        }

        if (defaults.DropAllCapabilities)
        {
            var capabilities = context?["capabilities"] as JsonObject;
            var drop = capabilities?["drop"] as JsonArray;
            if (drop is null || !drop.Any(d => d is JsonValue v && v.TryGetValue<string>(out var s) && s == "ALL"))
            {
                // Adding ALL to the drop list takes nothing from the user: what they add stays added.
                drop ??= (JsonArray)(Ensure(Ensure(container, "securityContext"), "capabilities")["drop"] = new JsonArray());
                drop.Add("ALL");
                changed = true;
            }
        }

        if (defaults.ReadOnlyRootFilesystem && context?["readOnlyRootFilesystem"] is null)
        {
            changed |= Set(Ensure(container, "securityContext"), "readOnlyRootFilesystem", true);
        }

        return changed;
    }

    private static bool ApplyResources(JsonObject container, MutationDefaults defaults)
    {
        if (defaults.Requests.Count == 0 && defaults.Limits.Count == 0)
        {
            return false;
        }

        var changed = false;
        var resources = container["resources"] as JsonObject;
        var requests = resources?["requests"] as JsonObject;
        var limits = resources?["limits"] as JsonObject;
        foreach (var (name, value) in defaults.Requests)
        {
            // A limit without a request makes the API server copy the limit into the request: leave it to do so.
            if (requests?[name] is null && limits?[name] is null)
            {
                changed |= Set(Ensure(Ensure(container, "resources"), "requests"), name, value);
            }
        }

        foreach (var (name, value) in defaults.Limits)
        {
            // A default limit below the request the user set would make the pod invalid: leave it out.
            if (limits?[name] is null && !Exceeds(requests?[name], value))
            {
                changed |= Set(Ensure(Ensure(container, "resources"), "limits"), name, value);
            }
        }

        return changed;
    }

    private static bool Exceeds(JsonNode? request, string limit)
    {
        if (request is not JsonValue value || !value.TryGetValue<string>(out var text))
        {
            return false;
        }

        // A request that cannot be read is taken to exceed: a limit is then left out rather than risked.
        return !Quantities.TryToDecimal(text, out var requested) || !Quantities.TryToDecimal(limit, out var allowed) || requested > allowed;
    }

    private static bool AnyRootContainer(JsonNode? list) =>
        list is JsonArray containers && containers.Any(c => c is JsonObject container && IsRootUser(container["securityContext"] as JsonObject));

    private static bool IsRootUser(JsonObject? context) =>
        context?["runAsUser"] is JsonValue user && user.TryGetValue<long>(out var uid) && uid == 0;

    private static JsonObject Ensure(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject existing)
        {
            return existing;
        }

        var created = new JsonObject();
        parent[name] = created;
        return created;
    }

    private static bool Set(JsonObject parent, string name, JsonNode value)
    {
        parent[name] = value;
        return true;
    }
}
