using System.Text.Json;

namespace AckFc.Worker;

/// <summary>
/// The body Function Compute posted to <c>/invoke</c> for an EventBridge trigger, as sent: one CloudEvent JSON object
/// (a top-level array is passed on too; the function decides what to make of it). Parsing is the function's job.
/// </summary>
public sealed class EventInfo(ReadOnlyMemory<byte> body)
{
    public ReadOnlyMemory<byte> Body { get; } = body;

    /// <summary>
    /// Whether a body is shaped like an EventBridge delivery: a JSON object with a top-level <c>specversion</c>, or a
    /// top-level array. A timer event, anything else and anything that is not JSON are not. Reads no further than it must.
    /// </summary>
    public static bool IsCloudEventShaped(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        var reader = new Utf8JsonReader(body);
        try
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.StartArray)
            {
                return true;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("specversion"u8))
                {
                    return true;
                }

                // On a property name, Skip moves past its whole value (nested objects included).
                reader.Skip();
            }

            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
