using k8s.Models;

namespace PolicyWebhook.Engine;

/// <summary>Reads Kubernetes quantities (500m, 2, 4Gi) without throwing: the client library's type parses by exception.</summary>
public static class Quantities
{
    /// <summary>The value of <paramref name="quantity"/>; false when it is not a quantity.</summary>
    public static bool TryToDecimal(ResourceQuantity quantity, out decimal value)
    {
        ArgumentNullException.ThrowIfNull(quantity);
        try
        {
            value = quantity.ToDecimal();
            return true;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            value = 0;
            return false;
        }
    }

    /// <summary>The longest quantity text read; the API server sends at most 2^63-1 with three decimals.</summary>
    public const int MaxTextLength = 40;

    /// <summary>The largest decimal exponent read (<c>1e30</c>); the API server caps values far below it.</summary>
    public const int MaxExponent = 30;

    /// <summary>
    /// True when the client library can parse <paramref name="text"/> in microseconds: at most
    /// <see cref="MaxTextLength"/> characters, and a decimal exponent (<c>e</c> or <c>E</c> and digits) of at most
    /// <see cref="MaxExponent"/>. The library computes a power of ten exactly, so <c>1e9999</c> takes over a second
    /// and <c>1e99999</c> minutes: one such value in a pod sent straight to the webhook would hold a core.
    /// </summary>
    public static bool IsTractable(ReadOnlySpan<char> text)
    {
        if (text.Length > MaxTextLength)
        {
            return false;
        }

        var i = 0;
        while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] is '.' or '+' or '-'))
        {
            i++;
        }

        // "E" alone is the exa suffix; "e" or "E" followed by digits (and a sign) is an exponent.
        if (i >= text.Length || text[i] is not ('e' or 'E'))
        {
            return true;
        }

        var j = i + 1;
        if (j < text.Length && text[j] is '+' or '-')
        {
            j++;
        }

        var start = j;
        while (j < text.Length && char.IsAsciiDigit(text[j]))
        {
            j++;
        }

        var digits = text[start..j];
        return digits.Length <= 2 && (digits.IsEmpty || int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture) <= MaxExponent);
    }

    /// <summary>The value of the quantity written <paramref name="text"/>; false when it is not one.</summary>
    public static bool TryToDecimal(string? text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text) || !IsTractable(text))
        {
            return false;
        }

        try
        {
            return TryToDecimal(new ResourceQuantity(text), out value);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            return false;
        }
    }
}
