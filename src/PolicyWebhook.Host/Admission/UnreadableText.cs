namespace PolicyWebhook.Host.Admission;

/// <summary>
/// Denies, with code 400, an object that is valid JSON but holds a string that is not valid text (a lone surrogate
/// escape such as <c>"\ud800"</c>) in a field the handlers read as text. System.Text.Json reports that as an
/// <see cref="InvalidOperationException"/> when the string is read, wherever that happens.
/// </summary>
public static class UnreadableText
{
    public static AdmissionHandler Wrap(AdmissionHandler next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return request =>
        {
            try
            {
                return next(request);
            }
            catch (InvalidOperationException)
            {
                return AdmittedObject.Invalid(request, "a field holds a string that is not valid text (a lone surrogate escape)");
            }
        };
    }
}
