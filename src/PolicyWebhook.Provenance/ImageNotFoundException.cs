namespace PolicyWebhook.Provenance;

/// <summary>Raised when the tag an image names does not exist in its registry (a 404), so there is no digest to verify.</summary>
public sealed class ImageNotFoundException : Exception
{
    public ImageNotFoundException(string message)
        : base(message)
    {
    }

    public ImageNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ImageNotFoundException()
    {
    }
}
