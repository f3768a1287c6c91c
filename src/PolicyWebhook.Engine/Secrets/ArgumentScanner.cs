namespace PolicyWebhook.Engine.Secrets;

/// <summary>A credential found in a command line: the argument holding it, the flag or variable naming it, and its kind.</summary>
public readonly record struct ArgumentSecret(int Index, string? Flag, string Kind);

/// <summary>A program whose own flags carry a password where no flag name says so.</summary>
public enum PasswordClient
{
    /// <summary>No such program: only flags named like a secret count.</summary>
    None,

    /// <summary>A MySQL client: <c>-pSECRET</c>, glued.</summary>
    MySql,

    /// <summary>redis-cli and its kin: <c>-a SECRET</c>.</summary>
    Redis,

    /// <summary>curl: <c>-u user:SECRET</c>, <c>--user user:SECRET</c>, <c>--proxy-user</c>.</summary>
    Curl,

    /// <summary>htpasswd in batch mode (<c>-b</c>): the password is a positional argument.</summary>
    Htpasswd,
}

/// <summary>
/// Finds credentials in a container's command or args: by shape, as the value of a flag named like a secret
/// (<c>--password=x</c>, <c>--token x</c>), as a shell assignment (<c>PGPASSWORD=x</c>), as the password flags of
/// clients that name them otherwise (a MySQL client's glued <c>-pSECRET</c>, <c>redis-cli -a</c>, <c>curl -u
/// user:pass</c>, <c>htpasswd -b</c>), as <c>user:pass</c> lines fed to <c>chpasswd</c>, and inside shell strings
/// (<c>sh -c "mysql -uroot -psecret"</c>). It never returns the value.
/// </summary>
public static class ArgumentScanner
{
    // Clients whose -p takes the password glued to it; elsewhere -p is a port, a parent folder or a preserve flag.
    private static readonly string[] MySqlClients =
        ["mysql", "mysqladmin", "mysqldump", "mysqlshow", "mysqlcheck", "mysqlimport", "mysqlpump", "mariadb", "mariadb-admin", "mariadb-dump"];

    // Clients whose -a takes the password; elsewhere -a means "all" or "append".
    private static readonly string[] RedisClients = ["redis-cli", "redis-benchmark", "valkey-cli", "valkey-benchmark", "keydb-cli"];

    // Programs that print what a pipe feeds to chpasswd.
    private static readonly string[] Printers = ["echo", "printf"];

    private static readonly string[] ShellOperators = ["&&", "||", "|", ";", "&"];

    /// <summary>The credentials in <paramref name="arguments"/>; <paramref name="client"/> is the program they are given to, when known.</summary>
    public static IReadOnlyList<ArgumentSecret> Scan(IList<string>? arguments, PasswordClient client)
    {
        if (arguments is null || arguments.Count == 0)
        {
            return [];
        }

        // The common case, no shell string: the words are the arguments, and nothing is copied.
        var anyShell = false;
        for (var i = 0; i < arguments.Count && !anyShell; i++)
        {
            anyShell = IsShellString(arguments[i]);
        }

        if (!anyShell)
        {
            return ScanWords(arguments, client);
        }

        var found = new List<ArgumentSecret>();
        var tokens = new List<string>(arguments.Count);
        for (var i = 0; i < arguments.Count; i++)
        {
            if (IsShellString(arguments[i]))
            {
                // A shell string is a command line of its own: its words are scanned, and reported at its index.
                // A credential with spaces in it (a PEM block) is found in the whole argument when no word holds one.
                var before = found.Count;
                foreach (var secret in ScanWords(ShellWords(arguments[i]), PasswordClient.None))
                {
                    found.Add(secret with { Index = i });
                }

                if (found.Count == before && SecretDetector.KindOf(arguments[i]) is { } shape)
                {
                    found.Add(new ArgumentSecret(i, null, shape));
                }

                tokens.Add(string.Empty);
            }
            else
            {
                tokens.Add(arguments[i]);
            }
        }

        found.AddRange(ScanWords(tokens, client));
        found.Sort((a, b) => a.Index.CompareTo(b.Index));
        return found;
    }

    /// <summary>The first program in a command line whose own flags carry a password (a MySQL client, redis-cli, curl, htpasswd), or None.</summary>
    public static PasswordClient ClientIn(IList<string>? words)
    {
        for (var i = 0; i < (words?.Count ?? 0); i++)
        {
            if (ClientOf(words![i]) is var client and not PasswordClient.None)
            {
                return client;
            }
        }

        return PasswordClient.None;
    }

    private static PasswordClient ClientOf(string word)
    {
        var program = ProgramName(word);
        return Is(program, MySqlClients) ? PasswordClient.MySql
            : Is(program, RedisClients) ? PasswordClient.Redis
            : program.SequenceEqual("curl") ? PasswordClient.Curl
            : program.SequenceEqual("htpasswd") ? PasswordClient.Htpasswd
            : PasswordClient.None;
    }

    private static ReadOnlySpan<char> ProgramName(string word) => word.AsSpan(word.LastIndexOf('/') + 1);

    private static bool Is(ReadOnlySpan<char> program, string[] names)
    {
        foreach (var name in names)
        {
            if (program.SequenceEqual(name))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsShellString(string argument) => argument.AsSpan().IndexOfAny(' ', '\n', '\t') >= 0;

    private static IReadOnlyList<ArgumentSecret> ScanWords(IList<string> words, PasswordClient outer)
    {
        // Allocated at the first finding: a clean command line costs nothing.
        List<ArgumentSecret>? found = null;
        var client = outer;
        var printing = false; // in an echo or printf whose output goes to chpasswd, or after chpasswd's <<<
        var inChpasswd = false;
        var htpasswd = new HtpasswdState();
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            if (word.Length == 0)
            {
                // An operator ends the command: mkdir -p after mysql is no password.
                client = outer;
                printing = false;
                inChpasswd = false;
                htpasswd = default;
                continue;
            }

            // The first client a command names is its program (env X=1 mysql, timeout 5 redis-cli); a later word
            // that ends like one is an argument (htpasswd -c /etc/htpasswd).
            if (client == PasswordClient.None && ClientOf(word) is var program and not PasswordClient.None)
            {
                client = program;
                htpasswd = default;
                continue;
            }

            if (ProgramName(word).SequenceEqual("chpasswd"))
            {
                inChpasswd = true;
                continue;
            }

            if ((Is(ProgramName(word), Printers) && NextCommandIsChpasswd(words, i)) || (inChpasswd && word == "<<<"))
            {
                printing = true;
                continue;
            }

            if (printing && HoldsUserPassword(word))
            {
                (found ??= []).Add(new ArgumentSecret(i, null, "a password for chpasswd"));
                continue;
            }

            if (client != PasswordClient.None && ClientPassword(words, ref i, client, ref htpasswd) is { } clientSecret)
            {
                (found ??= []).Add(clientSecret);
                continue;
            }

            var flagEnd = word.AsSpan().IndexOfAny('=', ':');
            var flag = flagEnd < 0 ? word.AsSpan() : word.AsSpan(0, flagEnd);
            if (SecretDetector.KindOf(word) is { } shape)
            {
                // The flag is named only when it cannot hold the credential itself (-pAKIA... names none).
                var named = word.StartsWith('-') && flagEnd > 0 && SecretDetector.KindOf(flag.ToString()) is null ? flag.ToString() : null;
                (found ??= []).Add(new ArgumentSecret(i, named, shape));
                continue;
            }

            var name = SecretDetector.ClassifyName(flag.TrimStart('-'));
            if (name == SecretName.None || (!word.StartsWith('-') && !IsVariableName(flag)))
            {
                continue;
            }

            if (flagEnd >= 0)
            {
                if (SecretDetector.IsCredential(name, word.AsSpan(flagEnd + 1)))
                {
                    (found ??= []).Add(new ArgumentSecret(i, flag.ToString(), word.StartsWith('-') ? "a secret flag value" : "a secret value"));
                }
            }
            else if (word.StartsWith('-') && i + 1 < words.Count && !words[i + 1].StartsWith('-')
                && SecretDetector.IsCredential(name, words[i + 1]))
            {
                (found ??= []).Add(new ArgumentSecret(i, flag.ToString(), "a secret flag value"));
                i++;
            }
        }

        return found is null ? Array.Empty<ArgumentSecret>() : found;
    }

    // Where an htpasswd command line stands: -b puts the password on it, -n leaves the file out.
    private record struct HtpasswdState(bool Batch, bool NoFile, int Positional);

    /// <summary>
    /// The password a client's own flag carries at <paramref name="i"/> (moved past the value when it is the next
    /// word), or null. Also counts htpasswd's positional arguments.
    /// </summary>
    private static ArgumentSecret? ClientPassword(IList<string> words, ref int i, PasswordClient client, ref HtpasswdState htpasswd)
    {
        var word = words[i];
        var next = i + 1 < words.Count ? words[i + 1] : null;
        switch (client)
        {
            case PasswordClient.MySql when word.Length > 2 && word.StartsWith("-p", StringComparison.Ordinal) && word[2] != '-'
                && SecretDetector.IsCredential(SecretName.Secret, word.AsSpan(2)):
                return new ArgumentSecret(i, "-p", "a password");

            case PasswordClient.Redis when word == "-a" && next is not null && SecretDetector.IsCredential(SecretName.Secret, next):
                return new ArgumentSecret(i++, "-a", "a password");

            case PasswordClient.Curl:
                if (word is "-u" or "--user" or "-U" or "--proxy-user" && next is not null && HoldsUserPassword(next))
                {
                    return new ArgumentSecret(i++, word, "a password");
                }

                var equals = word.IndexOf('=', StringComparison.Ordinal);
                if (word.StartsWith("--", StringComparison.Ordinal) && equals > 0 && word.AsSpan(0, equals) is "--user" or "--proxy-user"
                    && HoldsUserPassword(word[(equals + 1)..]))
                {
                    return new ArgumentSecret(i, word[..equals], "a password");
                }

                if (word.Length > 2 && word[0] == '-' && word[1] is 'u' or 'U' && word[2] != '-' && HoldsUserPassword(word[2..]))
                {
                    return new ArgumentSecret(i, word[..2], "a password");
                }

                return null;

            case PasswordClient.Htpasswd:
                if (word.Length > 1 && word[0] == '-' && word[1] != '-')
                {
                    htpasswd = htpasswd with { Batch = htpasswd.Batch || word.Contains('b', StringComparison.Ordinal), NoFile = htpasswd.NoFile || word.Contains('n', StringComparison.Ordinal) };
                    return null;
                }

                // htpasswd -b [-c] FILE USER PASSWORD, or -nb USER PASSWORD.
                var position = htpasswd.Positional;
                htpasswd = htpasswd with { Positional = position + 1 };
                return htpasswd.Batch && position == (htpasswd.NoFile ? 1 : 2) && SecretDetector.IsCredential(SecretName.Secret, word)
                    ? new ArgumentSecret(i, "-b", "a password")
                    : null;

            default:
                return null;
        }
    }

    // USER:PASSWORD with a password written out: curl's -u, a chpasswd line.
    private static bool HoldsUserPassword(string value)
    {
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && value[0] is not ('-' or '$') && SecretDetector.IsCredential(SecretName.Secret, value.AsSpan(colon + 1));
    }

    // chpasswd reads USER:PASSWORD lines from its input: an echo piped into it feeds it. The words do not say which
    // operator ends a command, so the command after the echo's is taken to be the one it pipes into.
    private static bool NextCommandIsChpasswd(IList<string> words, int at)
    {
        for (var i = at + 1; i < words.Count; i++)
        {
            if (words[i].Length == 0)
            {
                return i + 1 < words.Count && ProgramName(words[i + 1]).SequenceEqual("chpasswd");
            }
        }

        return false;
    }

    // NAME=value in a command line sets a variable (env PGPASSWORD=x psql, or inside sh -c).
    private static bool IsVariableName(ReadOnlySpan<char> name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The words of a shell string as the shell splits them: quotes removed, operators dropped.</summary>
    internal static List<string> ShellWords(string line)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        var quote = '\0';
        var inWord = false;
        foreach (var c in line)
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c) || c == ';')
            {
                Flush();
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        Flush();
        return words;

        void Flush()
        {
            if (inWord && !ShellOperators.Contains(word.ToString(), StringComparer.Ordinal))
            {
                words.Add(word.ToString());
            }
            else if (inWord)
            {
                words.Add(string.Empty); // an operator ends a command: a value never follows it
            }

            word.Clear();
            inWord = false;
        }
    }
}
