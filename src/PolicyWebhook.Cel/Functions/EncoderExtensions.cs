using PolicyWebhook.Cel.Evaluation;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Functions;

/// <summary>The cel-go encoders extension: base64.encode(bytes) and base64.decode(string), padding optional on decode.</summary>
internal static class EncoderExtensions
{
    public static void Register(CelEnvironment environment)
    {
        environment.AddGlobal("base64.encode", (a, m) =>
        {
            if (a is not [CelBytes bytes])
            {
                return CelError.NoSuchOverload("base64.encode");
            }

            m.ChargeSize(bytes.Length);
            return Convert.ToBase64String(bytes.Span);
        });
        environment.AddGlobal("base64.decode", (a, m) =>
        {
            if (a is not [string text])
            {
                return CelError.NoSuchOverload("base64.decode");
            }

            m.ChargeSize(text.Length);
            var padded = text.Length % 4 == 0 ? text : text + new string('=', 4 - (text.Length % 4));
            return new CelBytes(Convert.FromBase64String(padded));
        });
    }
}
