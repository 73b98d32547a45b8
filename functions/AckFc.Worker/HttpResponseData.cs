using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AckFc.Worker;

/// <summary>An HTTP answer.</summary>
public sealed class HttpResponseData(int statusCode, ResponseBody body, string contentType = "application/json")
{
    public int StatusCode { get; } = statusCode;
    public ResponseBody Body { get; } = body;
    public string ContentType { get; } = contentType;
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>An RFC 9457 problem answer (<c>application/problem+json</c>); <paramref name="field"/> names the culprit of a bad request.</summary>
    public static HttpResponseData Problem(int status, string title, string detail, string? field = null) =>
        new(status, JsonSerializer.SerializeToUtf8Bytes(new ProblemBody("about:blank", title, status, detail, field), WorkerJsonContext.Default.ProblemBody), "application/problem+json");

    /// <summary>A JSON answer serialized with source-generated metadata.</summary>
    public static HttpResponseData Json<T>(int status, T value, JsonTypeInfo<T> typeInfo) =>
        new(status, JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));

    /// <summary>This answer with a header added.</summary>
    public HttpResponseData WithHeader(string name, string value)
    {
        Headers[name] = value;
        return this;
    }
}
