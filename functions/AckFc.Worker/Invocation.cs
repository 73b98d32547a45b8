using System.Globalization;
using System.Text.Json;

namespace AckFc.Worker;

/// <summary>The credentials Function Compute hands to one invocation (the function role's STS token). Never printed.</summary>
public sealed record FcCredentials(string AccessKeyId, string AccessKeySecret, string? SecurityToken)
{
    public override string ToString() => $"FcCredentials {{ AccessKeyId = {AccessKeyId}, AccessKeySecret = ***, SecurityToken = {(SecurityToken is null ? "none" : "***")} }}";
}

/// <summary>One invocation: who, where, until when. Built from the <c>x-fc-*</c> headers; lives in the invocation's DI scope.</summary>
public sealed class FunctionContext
{
    public required string InvocationId { get; init; }
    public required string FunctionName { get; init; }
    public string? Region { get; init; }
    public string? AccountId { get; init; }
    public string? Qualifier { get; init; }
    public int RetryCount { get; init; }
    public FcCredentials? Credentials { get; init; }
    /// <summary>When Function Compute stops the invocation, if it said (<c>x-fc-function-timeout</c>).</summary>
    public DateTimeOffset? Deadline { get; init; }
    /// <summary>Fires a safety margin before <see cref="Deadline"/>, and when the caller goes away.</summary>
    public required CancellationToken CancellationToken { get; init; }
    public required IServiceProvider InstanceServices { get; init; }
    public IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();
}

/// <summary>An HTTP request as the caller sent it (body read whole; the host caps its size).</summary>
public sealed class HttpRequestData
{
    public required string Method { get; init; }
    /// <summary>Path and query exactly as sent (the raw request target).</summary>
    public required string PathAndQuery { get; init; }
    public required string Path { get; init; }
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required byte[] Body { get; init; }
    /// <summary>True when the body was larger than the host accepts; <see cref="Body"/> is then empty.</summary>
    public bool BodyTooLarge { get; init; }

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>An HTTP answer.</summary>
public sealed class HttpResponseData(int statusCode, ResponseBody body, string contentType = "application/json")
{
    public int StatusCode { get; } = statusCode;
    public ResponseBody Body { get; } = body;
    public string ContentType { get; } = contentType;
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);
}

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

/// <summary>An event body that cannot be used; its message is safe to return to Function Compute.</summary>
public sealed class InvalidEventException(string message) : Exception(message);
