using System.Text.RegularExpressions;

namespace PolicyWebhook.Engine.Secrets;

/// <summary>How strongly a variable or flag name says it holds a secret.</summary>
public enum SecretName
{
    /// <summary>The name says nothing of a secret (LOG_LEVEL, CACHE_KEY, TOKEN_FILE).</summary>
    None,

    /// <summary>The name says secret (DB_PASSWORD, API_KEY, GITHUB_PAT): any written-out value is one.</summary>
    Secret,

    /// <summary>The name says authentication (REDIS_AUTH): a value is a secret unless it names a scheme (basic, oidc).</summary>
    Auth,
}

/// <summary>
/// Recognises credentials written inline in a spec, by their shape (cloud access keys, private-key blocks, tokens)
/// or by the name they are given. It answers only what kind of secret it saw: callers must never repeat the value.
/// </summary>
public static partial class SecretDetector
{
    // Secret only as a whole word: PASS and PWD are too short to look for inside others (PASSTHROUGH, CWD).
    private static readonly string[] SecretWords = ["PWD", "PASS", "PASSPHRASE", "PGPASS"];

    // Secret inside a longer word too: PGPASSWORD, MYSQL_ROOTPASSWORD, GHTOKEN, CREDENTIALS.
    private static readonly string[] EmbeddedSecretWords = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "PRIVATEKEY", "ACCESSKEY"];

    // Secret only as the last word: GITHUB_PAT, REDIS_AUTH; AUTH_USER or AUTH_MODE say something else.
    private static readonly string[] LastSecretWords = ["PAT"];

    // KEY is a secret only after a word saying which kind (API_KEY, SIGNING_KEY); KEY, CACHE_KEY or SORT_KEY are not.
    private static readonly string[] KeyQualifiers =
    [
        "API", "ACCESS", "SECRET", "PRIVATE", "SIGNING", "SIGN", "ENCRYPTION", "ENCRYPT", "DECRYPTION", "MASTER", "SSH",
        "HMAC", "TLS", "SSL", "AUTH", "ACCOUNT", "SHARED", "JWT", "AES", "CRYPTO", "LICENSE", "DEPLOY", "CLIENT",
        "SERVICE", "ADMIN", "ROOT", "CIPHER", "SESSION", "STORAGE", "APP", "APPLICATION", "SUBSCRIPTION",
    ];

    // A name ending in one of these describes a secret (where it is, what it is called) without holding it.
    private static readonly string[] DescriptiveSuffixes =
    [
        "NAME", "FILE", "PATH", "DIR", "URL", "URI", "ID", "REF", "HOST", "PORT", "TTL", "TIMEOUT", "LENGTH", "SIZE",
        "TYPE", "ENDPOINT", "HEADER", "FIELD", "ALGORITHM", "ENABLED", "EXPIRY", "EXPIRATION", "LOCATION", "KIND",
        "PREFIX", "MOUNT", "POLICY", "ROTATION", "VERSION", "FORMAT", "LIFETIME", "AUDIENCE", "ISSUER", "SCOPE", "SCOPES",
        "SECONDS", "MINUTES", "HOURS", "DAYS", "MS", "LIMIT", "AGE", "MAX", "MIN", "COUNT", "LEN", "STRENGTH",
        "PROVIDER", "STORE", "BACKEND", "MODE", "METHOD", "NAMESPACE", "SOURCE", "CLASS", "STRATEGY", "INTERVAL", "LABEL",
        "SELECTOR", "REQUIRED", "DISABLED", "ALLOWED", "STDIN", "PROMPT",
    ];

    // Words that contain a secret word but say something else: MAX_TOKENS counts tokens of text.
    private static readonly string[] NotSecretWords = ["TOKENS", "TOKENIZER"];

    // Values that switch a feature rather than hold a credential: MYSQL_RANDOM_ROOT_PASSWORD=1.
    private static readonly string[] Switches = ["0", "1", "true", "false", "yes", "no", "on", "off", "y", "n", "enabled", "disabled", "none", "null"];

    // Values of an AUTH name that choose a scheme, not a credential.
    private static readonly string[] AuthSchemes = ["basic", "bearer", "digest", "oauth", "oauth2", "oidc", "ldap", "saml", "jwt", "token", "kerberos", "ntlm", "anonymous", "internal", "external", "local", "mtls", "tls", "iam", "password", "apikey"];

    /// <summary>The kind of credential <paramref name="value"/> looks like, or null.</summary>
    public static string? KindOf(string? value)
    {
        if (value is null || value.Length < 16)
        {
            return null;
        }

        var match = Shapes().Match(value);
        if (!match.Success)
        {
            return null;
        }

        return match.Groups["aws"].Success ? "an AWS access key"
            : match.Groups["pem"].Success ? "a private key"
            : match.Groups["github"].Success ? "a GitHub token"
            : match.Groups["gitlab"].Success ? "a GitLab token"
            : match.Groups["slack"].Success ? "a Slack token"
            : match.Groups["google"].Success ? "a Google API key"
            : match.Groups["stripe"].Success ? "a Stripe key"
            : match.Groups["jwt"].Success ? "a JSON web token"
            : match.Groups["connection"].Success ? "a password in a connection string"
            : "a password in a URL";
    }

    /// <summary>True when a variable or flag name says it holds a secret: password, secret, token or a qualified key.</summary>
    public static bool IsSecretName(string? name) => name is not null && ClassifyName(name.AsSpan()) != SecretName.None;

    /// <inheritdoc cref="IsSecretName(string?)"/>
    public static bool IsSecretName(ReadOnlySpan<char> name) => ClassifyName(name) != SecretName.None;

    /// <summary>What a variable or flag name says of the value it holds.</summary>
    public static SecretName ClassifyName(ReadOnlySpan<char> name)
    {
        if (name.Equals("PWD", StringComparison.OrdinalIgnoreCase))
        {
            return SecretName.None; // the shell's working directory, not a password (DB_PWD still is one)
        }

        // Words are split at anything not a letter or digit, and where camelCase turns upper: dbPassword, DB_PASSWORD.
        var anySecret = false;
        ReadOnlySpan<char> last = default;
        ReadOnlySpan<char> previous = default;
        var start = -1;
        for (var i = 0; i <= name.Length; i++)
        {
            // An upper-case letter after a lower-case one starts a word (dbPassword), and so does the last capital
            // of an acronym before a lower-case letter (SSHKey is SSH and Key).
            var boundary = i == name.Length || !char.IsAsciiLetterOrDigit(name[i])
                || (i > 0 && char.IsAsciiLetterUpper(name[i]) && char.IsAsciiLetterLower(name[i - 1]))
                || (i > 0 && i + 1 < name.Length && char.IsAsciiLetterUpper(name[i]) && char.IsAsciiLetterUpper(name[i - 1]) && char.IsAsciiLetterLower(name[i + 1]));
            if (boundary && start >= 0)
            {
                previous = last;
                last = name[start..i];
                anySecret |= IsSecretWord(last);
                start = -1;
            }

            if (i < name.Length && char.IsAsciiLetterOrDigit(name[i]) && start < 0)
            {
                start = i;
            }
        }

        if (last.IsEmpty || EqualsAny(last, DescriptiveSuffixes))
        {
            return SecretName.None;
        }

        if (anySecret || EqualsAny(last, LastSecretWords)
            || (last.Equals("KEY", StringComparison.OrdinalIgnoreCase) && EqualsAny(previous, KeyQualifiers)))
        {
            return SecretName.Secret;
        }

        return last.Equals("AUTH", StringComparison.OrdinalIgnoreCase) ? SecretName.Auth : SecretName.None;
    }

    /// <summary>
    /// True when <paramref name="value"/>, held by a name of kind <paramref name="name"/>, is a credential: written out,
    /// and not a file path (the very advice the message gives), a switch (<c>1</c>, <c>true</c>) or, for an AUTH name, a scheme.
    /// </summary>
    public static bool IsCredential(SecretName name, ReadOnlySpan<char> value)
    {
        if (name == SecretName.None || !IsLiteral(value))
        {
            return false;
        }

        var trimmed = value.Trim();
        return !EqualsAny(trimmed, Switches) && !IsFilePath(trimmed) && (name != SecretName.Auth || !EqualsAny(trimmed, AuthSchemes));
    }

    /// <summary>True for a value that is written out, not a <c>$(VAR)</c>, <c>$VAR</c> or <c>${VAR}</c> reference, an empty string or a flag.</summary>
    public static bool IsLiteral(string? value) => value is not null && IsLiteral(value.AsSpan());

    /// <inheritdoc cref="IsLiteral(string?)"/>
    public static bool IsLiteral(ReadOnlySpan<char> value) =>
        !value.IsWhiteSpace()
        && !value.TrimStart().StartsWith('$')
        && !value.SequenceEqual("true") && !value.SequenceEqual("false") && !value.SequenceEqual("yes") && !value.SequenceEqual("no");

    /// <summary>True for an absolute, home or relative file path without spaces: <c>/etc/tls/tls.key</c>, <c>~/.ssh/id_rsa</c>.</summary>
    public static bool IsFilePath(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.ContainsAny(' ', '\t', '\n'))
        {
            return false;
        }

        return value.StartsWith('/') || value.StartsWith("~/") || value.StartsWith("./") || value.StartsWith("../")
            || value.StartsWith("file://", StringComparison.OrdinalIgnoreCase)
            || (value.Length > 2 && char.IsAsciiLetter(value[0]) && value[1] == ':' && value[2] == '\\');
    }

    private static bool IsSecretWord(ReadOnlySpan<char> word)
    {
        if (EqualsAny(word, NotSecretWords))
        {
            return false;
        }

        if (EqualsAny(word, SecretWords))
        {
            return true;
        }

        foreach (var embedded in EmbeddedSecretWords)
        {
            if (word.Contains(embedded, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool EqualsAny(ReadOnlySpan<char> word, string[] candidates)
    {
        foreach (var candidate in candidates)
        {
            if (word.Equals(candidate, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex(
        @"(?<aws>\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b)"
        + @"|(?<pem>-----BEGIN [A-Z ]*PRIVATE KEY-----)"
        + @"|(?<github>\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}))"
        + @"|(?<gitlab>\bglpat-[A-Za-z0-9_\-]{20,})"
        + @"|(?<slack>\bxox[abposr]-[A-Za-z0-9\-]{10,})"
        + @"|(?<google>\bAIza[0-9A-Za-z_\-]{35})"
        + @"|(?<stripe>\b[sr]k_live_[0-9A-Za-z]{20,})"
        + @"|(?<jwt>\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,})"
        + @"|(?<connection>(?i:(?:^|;)\s*(?:password|pwd)\s*=\s*[^;\s]+))"
        + @"|(?<url>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^/\s:@]*:[^\s@]+@)",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Shapes();
}
