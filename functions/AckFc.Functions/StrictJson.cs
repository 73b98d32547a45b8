using System.Text.Json;

namespace AckFc.Functions;

/// <summary>The strict JSON reading every request body shares: one object, no duplicate or unknown fields, errors naming the field.</summary>
internal static class StrictJson
{
    public delegate void FieldReader(string name, ref Utf8JsonReader reader);

    public static void ReadObject(ReadOnlySpan<byte> body, string what, FieldReader read)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 8 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new BadRequestException(what, $"The {what} must be a JSON object.");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = Text(ref reader, what, "A field name");
                if (!seen.Add(name))
                {
                    throw new BadRequestException(name, $"Field '{name}' appears twice.");
                }

                reader.Read();
                read(name, ref reader);
            }

            if (reader.Read())
            {
                throw new BadRequestException(what, $"The {what} has content after its JSON object.");
            }
        }
        catch (JsonException e)
        {
            throw new BadRequestException(what, $"The {what} is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }
    }

    /// <summary>
    /// The string at the reader. A lone UTF-16 surrogate (<c>"\ud800"</c>) or bytes that are not UTF-8 are refused
    /// naming the field: the reader validates them only when the text is read, and throws InvalidOperationException.
    /// </summary>
    public static string Text(ref Utf8JsonReader reader, string field, string? what = null)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new BadRequestException(field, $"{what ?? field} is not valid text: invalid UTF-8, or a lone UTF-16 surrogate.");
        }
    }

    public static string? StringOrNull(ref Utf8JsonReader reader, string name) => reader.TokenType switch
    {
        JsonTokenType.String => Text(ref reader, name),
        JsonTokenType.Null => null,
        _ => throw new BadRequestException(name, $"{name} must be a string."),
    };

    public static bool Bool(ref Utf8JsonReader reader, string name) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new BadRequestException(name, $"{name} must be true or false."),
    };
}
