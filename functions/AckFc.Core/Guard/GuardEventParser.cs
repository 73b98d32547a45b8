using System.Globalization;
using System.Text.Json;

namespace AckFc.Core.Guard;

/// <summary>
/// Reads the body Function Compute posts for an EventBridge trigger. Strict about the envelope (JSON, an object or an
/// array of objects, a <c>type</c> string, a <c>data</c> object, an id), tolerant where the platform is known to vary
/// (the case of request-parameter names, booleans and numbers as strings, times with an offset, <c>Z</c> or <c>PRC</c>).
/// </summary>
internal static class GuardEventParser
{
    /// <summary>Events in one body; more are refused rather than read.</summary>
    public const int MaxEvents = 100;

    private static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    public static IReadOnlyList<GuardEvent> Parse(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException e)
        {
            throw new GuardEventException($"The event body is not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }

        using (document)
        {
            var root = document.RootElement;
            switch (root.ValueKind)
            {
                case JsonValueKind.Object:
                    return [Event(root, null)];
                case JsonValueKind.Array:
                    var count = root.GetArrayLength();
                    if (count == 0)
                    {
                        throw new GuardEventException("The event body is an empty array: no CloudEvent to handle.");
                    }

                    if (count > MaxEvents)
                    {
                        throw new GuardEventException($"The event body holds {count} events; at most {MaxEvents} are handled at once.");
                    }

                    var list = new List<GuardEvent>(count);
                    var index = 0;
                    foreach (var element in root.EnumerateArray())
                    {
                        list.Add(Event(element, index++));
                    }

                    return list;
                default:
                    throw new GuardEventException($"The event body is a JSON {Kind(root.ValueKind)}, not a CloudEvent object (or an array of them).");
            }
        }
    }

    private static GuardEvent Event(JsonElement envelope, int? index)
    {
        var where = index is { } i ? $"event [{i}]" : "the event";
        if (envelope.ValueKind != JsonValueKind.Object)
        {
            throw new GuardEventException($"{Capital(where)} is a JSON {Kind(envelope.ValueKind)}, not a CloudEvent object.");
        }

        var type = envelope.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() is { Length: > 0 } typeText
            ? typeText
            : throw new GuardEventException($"{Capital(where)} has no 'type' string: it is not a CloudEvent.");
        if (!envelope.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            throw new GuardEventException($"{Capital(where)} has no 'data' object: there is no ActionTrail record to read.");
        }

        var id = Text(envelope, "id") ?? Text(data, "eventId")
            ?? throw new GuardEventException($"{Capital(where)} has neither an 'id' nor a 'data.eventId': it cannot be told apart from its duplicates.");

        return new GuardEvent
        {
            Id = id,
            Source = Text(envelope, "source"),
            Type = type,
            Subject = Text(envelope, "subject"),
            Time = Time(envelope, "time"),
            PublishTime = Time(envelope, "aliyunpublishtime"),
            RegionId = Text(data, "acsRegion") ?? Text(envelope, "aliyunregionid"),
            EventName = Text(data, "eventName"),
            ServiceName = Text(data, "serviceName"),
            EventTime = Time(data, "eventTime"),
            RequestId = Text(data, "requestId"),
            ErrorCode = Text(data, "errorCode"),
            ErrorMessage = Text(data, "errorMessage"),
            SourceIpAddress = Text(data, "sourceIpAddress"),
            Identity = data.TryGetProperty("userIdentity", out var who) && who.ValueKind == JsonValueKind.Object
                ? new GuardIdentity(Text(who, "type"), Text(who, "userName"), Text(who, "principalId"), Text(who, "accountId"), Text(who, "accessKeyId"))
                : GuardIdentity.None,
            RequestParameters = Parameters(data),
        };
    }

    private static Dictionary<string, string> Parameters(JsonElement data)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (!TryGetIgnoringCase(data, "requestParameters", out var parameters))
        {
            return result;
        }

        if (parameters.ValueKind == JsonValueKind.String)
        {
            // Some records carry the parameters as a JSON string; read it when it holds an object.
            try
            {
                using var inner = JsonDocument.Parse(parameters.GetString() ?? string.Empty);
                return inner.RootElement.ValueKind == JsonValueKind.Object ? Flatten(inner.RootElement, result) : result;
            }
            catch (JsonException)
            {
                return result;
            }
        }

        return parameters.ValueKind == JsonValueKind.Object ? Flatten(parameters, result) : result;
    }

    private static Dictionary<string, string> Flatten(JsonElement parameters, Dictionary<string, string> into)
    {
        foreach (var property in parameters.EnumerateObject())
        {
            var value = property.Value;
            var text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString() ?? string.Empty,
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null => null,
                _ => value.GetRawText(),
            };
            if (text is not null)
            {
                // The first spelling wins when a record names a parameter twice in different cases.
                into.TryAdd(property.Name, text);
            }
        }

        return into;
    }

    private static bool TryGetIgnoringCase(JsonElement element, string name, out JsonElement value)
    {
        if (element.TryGetProperty(name, out value))
        {
            return true;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        return false;
    }

    /// <summary>A string field's value (numbers as their text), null when absent, null or empty.</summary>
    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is { Length: > 0 } s ? s : null,
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    /// <summary>A time as RFC 3339 with an offset or <c>Z</c>, without one (UTC), with a <c>PRC</c> suffix (UTC+8), or as epoch milliseconds.</summary>
    private static DateTimeOffset? Time(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var epoch))
        {
            return ParseEpoch(epoch);
        }

        return value.ValueKind == JsonValueKind.String ? ParseTime(value.GetString()) : null;
    }

    internal static DateTimeOffset? ParseTime(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        text = text.Trim();
        if (text.EndsWith("PRC", StringComparison.OrdinalIgnoreCase))
        {
            var local = text[..^3].Trim();
            // A PRC time in the first eight hours of year 1 has no UTC instant: a bad time, not a crash.
            return DateTime.TryParse(local, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var prc) && prc.Ticks >= ChinaStandardTime.Ticks
                ? new DateTimeOffset(DateTime.SpecifyKind(prc, DateTimeKind.Unspecified), ChinaStandardTime)
                : null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var epoch))
        {
            return ParseEpoch(epoch);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
    }

    // Epoch numbers: up to eleven digits are seconds, up to fourteen milliseconds.
    private static DateTimeOffset? ParseEpoch(long epoch) => epoch switch
    {
        < 0 => null,
        < 100_000_000_000 => DateTimeOffset.FromUnixTimeSeconds(epoch),
        < 100_000_000_000_000 => DateTimeOffset.FromUnixTimeMilliseconds(epoch),
        _ => null,
    };

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "array",
        _ => "object",
    };

    private static string Capital(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
