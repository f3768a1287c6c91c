using System.CommandLine;
using PolicyWebhook.Provenance.Sigstore;

namespace PolicyWebhook.Cli.Commands;

/// <summary><c>trusted-root</c>: what a Sigstore trusted root trusts for keyless signatures, and until when.</summary>
internal static class TrustedRootCommand
{
    public const string Description =
        "Print what a Sigstore trusted_root.json trusts (Fulcio CAs, transparency logs, CT logs, timestamp authorities) and until when; "
        + "without FILE, the public-good root built into policywebhook and the webhook.\n"
        + "Exit codes: 0 printed; 2 a file that cannot be read or is no trusted root.";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<string?>("FILE") { Description = "A Sigstore trusted_root.json. Default: the built-in public-good root.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("trusted-root", Description) { file };
        command.SetAction(parsed =>
        {
            TrustedRoot root;
            var path = parsed.GetValue(file);
            try
            {
                root = path is null ? TrustedRoot.Production : TrustedRoot.Parse(File.ReadAllBytes(path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or SigstoreVerificationException)
            {
                error.WriteLine($"error: {path}: {e.Message}");
                return CliApp.BadInput;
            }

            output.WriteLine(path is null ? $"built-in Sigstore public-good root, of {TrustedRoot.ProductionDate}" : path);
            Write(output, "Fulcio certificate authorities", root.CertificateAuthorities.Select(c => (c.Uri, c.ValidFor)));
            Write(output, "transparency logs", root.TransparencyLogs.Select(l => (l.BaseUrl, l.ValidFor)));
            Write(output, "certificate transparency logs", root.CtLogs.Select(l => (l.BaseUrl, l.ValidFor)));
            Write(output, "timestamp authorities", root.TimestampAuthorities.Select(t => (t.Uri, t.ValidFor)));
            return CliApp.Allowed;
        });
        return command;
    }

    // One line per trusted party: what it is and its window, "until further notice" for one with no end.
    private static void Write(TextWriter output, string heading, IEnumerable<(string Name, TimeWindow ValidFor)> parties)
    {
        var list = parties.ToList();
        output.WriteLine($"{heading}: {list.Count}");
        foreach (var (name, window) in list)
        {
            var end = window.End is { } until ? $"until {until:yyyy-MM-dd HH:mm:ss}Z" : "until further notice";
            output.WriteLine($"  {name}  from {window.Start:yyyy-MM-dd HH:mm:ss}Z {end}");
        }
    }
}
