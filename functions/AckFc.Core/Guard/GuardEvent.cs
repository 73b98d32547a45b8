using System.Globalization;

namespace AckFc.Core.Guard;

/// <summary>
/// One ActionTrail event as EventBridge delivers it (a CloudEvent with the record in <c>data</c>), read tolerantly:
/// request parameters by any letter case, their values as text whatever JSON type they came as.
/// </summary>
public sealed record GuardEvent
{
    /// <summary>The CloudEvent <c>id</c>, else <c>data.eventId</c>: with <see cref="Source"/>, what duplicates share.</summary>
    public required string Id { get; init; }
    public string? Source { get; init; }
    public required string Type { get; init; }
    public string? Subject { get; init; }
    public DateTimeOffset? Time { get; init; }
    /// <summary><c>aliyunpublishtime</c>: when EventBridge published it.</summary>
    public DateTimeOffset? PublishTime { get; init; }
    /// <summary><c>data.acsRegion</c>, else <c>aliyunregionid</c>.</summary>
    public string? RegionId { get; init; }
    public string? EventName { get; init; }
    public string? ServiceName { get; init; }
    /// <summary><c>data.eventTime</c>: when the call was made.</summary>
    public DateTimeOffset? EventTime { get; init; }
    public string? RequestId { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public string? SourceIpAddress { get; init; }
    public GuardIdentity Identity { get; init; } = GuardIdentity.None;
    /// <summary><c>data.requestParameters</c>, keys compared ignoring case, values as text (objects and arrays as JSON).</summary>
    public IReadOnlyDictionary<string, string> RequestParameters { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The de-duplication key: <c>source|id</c>.</summary>
    public string DedupeKey => $"{Source}|{Id}";

    /// <summary>A request parameter's text, null when absent or blank.</summary>
    public string? Parameter(string name) =>
        RequestParameters.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>A boolean parameter given as JSON bool or as "true"/"false" (any case); null when absent or neither.</summary>
    public bool? BoolParameter(string name) => Parameter(name) is { } text && bool.TryParse(text, out var value) ? value : null;

    /// <summary>A whole-number parameter given as number or string; null when absent or not a whole number.</summary>
    public int? IntParameter(string name) =>
        Parameter(name) is { } text && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>Delivery latency, <c>aliyunpublishtime − data.eventTime</c>, when both were given.</summary>
    public TimeSpan? DeliveryLatency => PublishTime is { } published && EventTime is { } made ? published - made : null;
}
