using System.Globalization;
using System.Text.Json;

namespace AckFc.Worker;

/// <summary>The timer event of a Function Compute timer trigger.</summary>
public sealed record TimerInfo(DateTimeOffset TriggerTime, string TriggerName, string Payload)
{
    /// <summary>Parses <c>{"triggerTime":"…","triggerName":"…","payload":"…"}</c>; errors name the bad field.</summary>
    public static TimerInfo Parse(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException e)
        {
            throw new InvalidEventException($"The timer event is not JSON: {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidEventException("The timer event must be a JSON object with triggerTime, triggerName and payload.");
            }

            string? Text(string name)
            {
                if (!document.RootElement.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
                {
                    return null;
                }

                return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new InvalidEventException($"The timer event's {name} must be a string.");
            }

            var timeText = Text("triggerTime") ?? throw new InvalidEventException("The timer event has no triggerTime.");
            if (!DateTimeOffset.TryParse(timeText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            {
                throw new InvalidEventException($"The timer event's triggerTime '{timeText}' is not an ISO 8601 time.");
            }

            return new TimerInfo(time, Text("triggerName") ?? "timer", Text("payload") ?? string.Empty);
        }
    }
}
