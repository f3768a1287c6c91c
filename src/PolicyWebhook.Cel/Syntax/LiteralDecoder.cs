using System.Globalization;
using System.Text;
using PolicyWebhook.Cel.Values;

namespace PolicyWebhook.Cel.Syntax;

/// <summary>Decodes the body of a string or bytes literal: CEL's escapes (\n, \x41, \101, \u00e9, \U0001F600...) unless raw.</summary>
internal static class LiteralDecoder
{
    public static object Decode(string body, bool raw, bool bytes)
    {
        var output = new List<byte>(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (raw || c != '\\')
            {
                AppendChar(output, body, ref i);
                continue;
            }

            if (++i >= body.Length)
            {
                throw new FormatException("trailing backslash in literal");
            }

            var e = body[i];
            switch (e)
            {
                case 'a': output.Add(7); break;
                case 'b': output.Add(8); break;
                case 'f': output.Add(12); break;
                case 'n': output.Add(10); break;
                case 'r': output.Add(13); break;
                case 't': output.Add(9); break;
                case 'v': output.Add(11); break;
                case '\\' or '\'' or '"' or '`' or '?': output.Add((byte)e); break;
                case 'x' or 'X':
                    AppendCode(output, Hex(body, ref i, 2), bytes);
                    break;
                case 'u':
                    AppendRune(output, Hex(body, ref i, 4));
                    break;
                case 'U':
                    AppendRune(output, Hex(body, ref i, 8));
                    break;
                case >= '0' and <= '3':
                    if (i + 2 >= body.Length || !IsOctal(body[i + 1]) || !IsOctal(body[i + 2]))
                    {
                        throw new FormatException("octal escape needs three digits");
                    }

                    AppendCode(output, ((e - '0') * 64) + ((body[i + 1] - '0') * 8) + (body[i + 2] - '0'), bytes);
                    i += 2;
                    break;
                default:
                    throw new FormatException($"invalid escape '\\{e}'");
            }
        }

        var array = output.ToArray();
        if (bytes)
        {
            return new CelBytes(array);
        }

        return new UTF8Encoding(false, true).GetString(array);
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';

    private static int Hex(string body, ref int i, int digits)
    {
        if (body.Length - i - 1 < digits
            || !int.TryParse(body.AsSpan(i + 1, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw new FormatException("invalid hex escape");
        }

        i += digits;
        return value;
    }

    // \x and octal escapes are one byte in bytes literals and one code point in strings.
    private static void AppendCode(List<byte> output, int code, bool bytes)
    {
        if (bytes)
        {
            output.Add((byte)code);
        }
        else
        {
            AppendRune(output, code);
        }
    }

    private static void AppendRune(List<byte> output, int code)
    {
        if (!Rune.IsValid(code))
        {
            throw new FormatException("invalid code point in escape");
        }

        Span<byte> buffer = stackalloc byte[4];
        var n = new Rune(code).EncodeToUtf8(buffer);
        output.AddRange(buffer[..n]);
    }

    private static void AppendChar(List<byte> output, string body, ref int i)
    {
        if (char.IsHighSurrogate(body[i]) && i + 1 < body.Length)
        {
            AppendRune(output, char.ConvertToUtf32(body[i], body[i + 1]));
            i++;
            return;
        }

        AppendRune(output, char.IsSurrogate(body[i]) ? 0xFFFD : body[i]);
    }
}
