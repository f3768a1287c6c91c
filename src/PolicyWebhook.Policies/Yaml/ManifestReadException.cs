namespace PolicyWebhook.Policies.Yaml;

/// <summary>A file that cannot be read as manifests; the message names the file and the line.</summary>
public sealed class ManifestReadException : Exception
{
    public ManifestReadException(string source, int line, string problem)
        : base($"{source}:{line}: {problem}")
    {
        Source = source;
        Line = line;
        Problem = problem;
    }

    public ManifestReadException()
    {
    }

    public ManifestReadException(string message)
        : base(message)
    {
    }

    public ManifestReadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public new string? Source { get; }

    public int Line { get; }

    public string? Problem { get; }
}
