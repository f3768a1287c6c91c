namespace PolicyWebhook.Engine.Checks;

/// <summary>Small wording helpers shared by the checks, so every message quotes and lists values the same way.</summary>
internal static class Text
{
    public static string Quote(string? value) => $"\"{value}\"";

    public static string QuoteAll(IEnumerable<string> values) => string.Join(", ", values.Select(Quote));

    public static string List(IEnumerable<string> values) => $"[{QuoteAll(values)}]";

    public static string OrUnset(bool? value) => value is null ? "unset" : value.Value ? "true" : "false";
}
