namespace PolicyWebhook.Engine.Secrets;

/// <summary>A credential found in a command line: the argument holding it, the flag or variable naming it, and its kind.</summary>
public readonly record struct ArgumentSecret(int Index, string? Flag, string Kind);

/// <summary>
/// Finds credentials in a container's command or args: by shape, as the value of a flag named like a secret
/// (<c>--password=x</c>, <c>--token x</c>), as a shell assignment (<c>PGPASSWORD=x</c>), as a MySQL client's glued
/// <c>-pSECRET</c>, and inside shell strings (<c>sh -c "mysql -uroot -psecret"</c>). It never returns the value.
/// </summary>
public static class ArgumentScanner
{
    // Clients whose -p takes the password glued to it; elsewhere -p is a port, a parent folder or a preserve flag.
    private static readonly string[] MySqlClients =
        ["mysql", "mysqladmin", "mysqldump", "mysqlshow", "mysqlcheck", "mysqlimport", "mysqlpump", "mariadb", "mariadb-admin", "mariadb-dump"];

    private static readonly string[] ShellOperators = ["&&", "||", "|", ";", "&"];

    /// <summary>The credentials in <paramref name="arguments"/>; <paramref name="mySql"/> says the command is a MySQL client.</summary>
    public static IReadOnlyList<ArgumentSecret> Scan(IList<string>? arguments, bool mySql)
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
            return ScanWords(arguments, mySql);
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
                foreach (var secret in ScanWords(ShellWords(arguments[i]), mySql: false))
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

        found.AddRange(ScanWords(tokens, mySql));
        found.Sort((a, b) => a.Index.CompareTo(b.Index));
        return found;
    }

    /// <summary>True when a command line runs a MySQL client, whose <c>-p</c> carries the password.</summary>
    public static bool StartsMySql(IList<string>? words)
    {
        for (var i = 0; i < (words?.Count ?? 0); i++)
        {
            if (IsMySqlClient(words![i]))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsMySqlClient(string word)
    {
        var program = word.AsSpan(word.LastIndexOf('/') + 1);
        foreach (var client in MySqlClients)
        {
            if (program.SequenceEqual(client))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsShellString(string argument) => argument.AsSpan().IndexOfAny(' ', '\n', '\t') >= 0;

    private static IReadOnlyList<ArgumentSecret> ScanWords(IList<string> words, bool mySql)
    {
        // Allocated at the first finding: a clean command line costs nothing.
        List<ArgumentSecret>? found = null;
        var inMySql = mySql;
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            if (word.Length == 0)
            {
                inMySql = mySql; // an operator ends the command: mkdir -p after mysql is no password
                continue;
            }

            inMySql |= IsMySqlClient(word);

            var flagEnd = word.AsSpan().IndexOfAny('=', ':');
            var flag = flagEnd < 0 ? word.AsSpan() : word.AsSpan(0, flagEnd);
            if (SecretDetector.KindOf(word) is { } shape)
            {
                // The flag is named only when it cannot hold the credential itself (-pAKIA... names none).
                var named = word.StartsWith('-') && flagEnd > 0 && SecretDetector.KindOf(flag.ToString()) is null ? flag.ToString() : null;
                (found ??= []).Add(new ArgumentSecret(i, named, shape));
                continue;
            }

            if (inMySql && word.Length > 2 && word.StartsWith("-p", StringComparison.Ordinal) && word[2] != '-'
                && SecretDetector.IsCredential(SecretName.Secret, word.AsSpan(2)))
            {
                (found ??= []).Add(new ArgumentSecret(i, "-p", "a password"));
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
