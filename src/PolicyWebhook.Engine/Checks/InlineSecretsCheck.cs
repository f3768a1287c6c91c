using PolicyWebhook.Engine.Evaluation;
using PolicyWebhook.Engine.Secrets;

namespace PolicyWebhook.Engine.Checks;

/// <summary>The inline secrets check has no parameters.</summary>
public sealed record InlineSecretsOptions
{
    public static InlineSecretsOptions Default { get; } = new();
}

/*
 * Leaked secrets: a credential written in a spec is readable by anyone who can read the object, and is copied into
 * the last-applied-configuration annotation, events and backups.
 *
 * Restricted fields, for containers, init containers and ephemeral containers:
 *   env[*].value   a credential by shape, or any literal value of a variable named like a secret
 *   args[*], command[*]   a credential by shape, or the value of a flag named like a secret (--password=..., --token ...)
 * Allowed: env[*].valueFrom, envFrom, $(VAR) references. The value found is never repeated in a message.
 */
public sealed class InlineSecretsCheck : LeastPrivilegeCheck<InlineSecretsOptions>
{
    private const string Hidden = " (value not shown)";

    public override string Id => "inlineSecrets";

    public override string Title => "credentials written inline";

    public override void Evaluate(PodView pod, InlineSecretsOptions options, Findings findings)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(findings);
        foreach (var container in pod.Containers)
        {
            if (container.Env is { } env)
            {
                for (var i = 0; i < env.Count; i++)
                {
                    var variable = env[i];
                    var shape = SecretDetector.KindOf(variable.Value);
                    var kind = shape is not null ? shape + " written inline"
                        : SecretDetector.IsLiteral(variable.Value) && SecretDetector.IsSecretName(variable.Name) ? "a literal value"
                        : null;
                    if (kind is not null)
                    {
                        findings.Add(
                            container.PathOf($"env[{i}].value"),
                            $"{container.Subject} must take env {Text.Quote(variable.Name)} from a Secret (valueFrom.secretKeyRef), not {kind}",
                            kind + Hidden,
                            "valueFrom.secretKeyRef or envFrom");
                    }
                }
            }

            ScanArguments(container, "command", container.Command, findings);
            ScanArguments(container, "args", container.Args, findings);
        }
    }

    private static void ScanArguments(ContainerView container, string field, IList<string>? arguments, Findings findings)
    {
        if (arguments is null)
        {
            return;
        }

        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            var kind = SecretDetector.KindOf(argument);
            var at = i;
            if (kind is null && argument.StartsWith('-'))
            {
                // --password=x and --password:x both carry the value in the same argument.
                var equals = argument.AsSpan().IndexOfAny('=', ':');
                var flag = equals < 0 ? argument.AsSpan() : argument.AsSpan(0, equals);
                if (SecretDetector.IsSecretName(flag.TrimStart('-')))
                {
                    if (equals >= 0 && SecretDetector.IsLiteral(argument.AsSpan(equals + 1)))
                    {
                        kind = "a secret flag value";
                    }
                    else if (equals < 0 && i + 1 < arguments.Count && !arguments[i + 1].StartsWith('-') && SecretDetector.IsLiteral(arguments[i + 1]))
                    {
                        kind = "a secret flag value";
                        at = i + 1;
                    }
                }
            }

            if (kind is not null)
            {
                findings.Add(
                    container.PathOf($"{field}[{at}]"),
                    $"{container.Subject} must not pass {kind} inline in {field}[{at}]",
                    kind + Hidden,
                    "a reference to a Secret ($(VAR) from valueFrom.secretKeyRef, or a mounted file)");
                i = at;
            }
        }
    }
}
