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

    /// <summary>The value of the quantity written <paramref name="text"/>; false when it is not one.</summary>
    public static bool TryToDecimal(string? text, out decimal value)
    {
        value = 0;
        if (string.IsNullOrWhiteSpace(text))
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
