namespace AckFc.Worker;

/// <summary>An HTTP request as the caller sent it (body read whole; the host caps its size and answers 413 past it).</summary>
public sealed class HttpRequestData
{
    public required string Method { get; init; }
    /// <summary>Path and query exactly as sent (the raw request target).</summary>
    public required string PathAndQuery { get; init; }
    public required string Path { get; init; }
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required byte[] Body { get; init; }
    /// <summary>The values of the matched route's <c>{name}</c> segments, each percent-decoded exactly once.</summary>
    public IReadOnlyDictionary<string, string> RouteValues { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
