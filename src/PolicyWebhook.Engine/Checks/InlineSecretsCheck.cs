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
 *   env[*].value   a credential by shape, or a literal value of a variable named like a secret (DB_PASSWORD,
 *                  API_KEY, GITHUB_PAT, REDIS_AUTH)
 *   args[*], command[*]   a credential by shape, the value of a flag or assignment named like a secret
 *                  (--password=..., --token ..., PGPASSWORD=...), a MySQL client's -pSECRET, redis-cli -a SECRET,
 *                  curl -u USER:SECRET, htpasswd -b FILE USER SECRET, USER:SECRET echoed into chpasswd, also
 *                  inside sh -c strings
 * Allowed: env[*].valueFrom, envFrom, $(VAR), $VAR and ${VAR} references, file paths (/etc/tls/tls.key), switches
 * (1, true, yes), KEY names without a word saying secret (KEY, CACHE_KEY, SORT_KEY), and flags that say where a
 * secret comes from rather than hold it (--password-stdin, --password-file).
 * The value found is never repeated in a message: the message names the variable or the flag.
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
                        : variable.Value is not null && SecretDetector.IsCredential(SecretDetector.ClassifyName(variable.Name), variable.Value) ? "a literal value"
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

            var client = ArgumentScanner.ClientIn(container.Command) is var inCommand and not PasswordClient.None ? inCommand : ArgumentScanner.ClientIn(container.Args);
            Report(container, "command", ArgumentScanner.Scan(container.Command, client), findings);
            Report(container, "args", ArgumentScanner.Scan(container.Args, client), findings);
        }
    }

    private static void Report(ContainerView container, string field, IReadOnlyList<ArgumentSecret> secrets, Findings findings)
    {
        foreach (var secret in secrets)
        {
            // The flag or variable is named so the user finds it in a long command line (args[8] --validating-webhook-key).
            var where = secret.Flag is null ? $"{field}[{secret.Index}]" : $"{field}[{secret.Index}] {secret.Flag}";
            findings.Add(
                container.PathOf($"{field}[{secret.Index}]"),
                $"{container.Subject} must not pass {secret.Kind} inline in {where}",
                secret.Kind + Hidden,
                "a reference to a Secret ($(VAR) from valueFrom.secretKeyRef, or a mounted file)");
        }
    }
}
