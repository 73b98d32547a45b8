using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AckFc.Local.Emulator;

/// <summary>An error answer of an emulated API; the middleware shapes it the way the product does.</summary>
internal sealed class ApiException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public int? RetryAfterMilliseconds { get; init; }

    /// <summary>The request header an OSS error is about (<c>&lt;Header&gt;</c> of NotImplemented), if any.</summary>
    public string? Header { get; init; }
}

/// <summary>An answer ready to be written.</summary>
internal readonly record struct ApiResponse(int Status, byte[] Body, string? ErrorCode = null, int? RetryAfterMilliseconds = null);

/// <summary>The products the emulator speaks, with their error shapes.</summary>
internal enum Product
{
    Cs,
    Kms,
    Sts,
    ResourceManager,
}

/// <summary>One request of an emulated API, parsed once.</summary>
internal sealed class ApiRequest
{
    public required HttpContext Context { get; init; }
    public required Product Product { get; init; }
    public required string Action { get; init; }
    public required string Method { get; init; }
    public required string RawTarget { get; init; }
    public required string[] Segments { get; init; }
    public required Dictionary<string, string> Parameters { get; init; }
    public required byte[] Body { get; init; }
    public required string RequestId { get; init; }
    public required string HostId { get; init; }
    public required DateTimeOffset Now { get; init; }
    public string? RegionId { get; set; }

    /// <summary>
    /// The account whose resources the request sees: the caller's (the management account unless it signed with a
    /// member's STS credentials); for AssumeRole, the role's account.
    /// </summary>
    public string AccountId { get; set; } = "";

    /// <summary>The key the call found (its id), for the subject of the event the call emits.</summary>
    public string? ResourceId { get; set; }

    public string? Param(string name) => Parameters.GetValueOrDefault(name);

    public string Required(string name) =>
        Parameters.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value)
            ? value
            : throw new ApiException(400, "MissingParameter", $"The input parameter {name} that is mandatory for processing this request is not supplied.");

    /// <summary>
    /// The page of <paramref name="items"/> an RPC list call asks for: <c>PageNumber</c> from 1 (default 1) and
    /// <c>PageSize</c> 1 to 100 (default 10), as KMS and ResourceManager page.
    /// </summary>
    public RpcPage<T> Page<T>(IReadOnlyList<T> items)
    {
        var number = IntParam("PageNumber", 1, 1, int.MaxValue);
        var size = IntParam("PageSize", 10, 1, 100);
        return new RpcPage<T>(number, size, items.Count, [.. items.Skip((int)Math.Min(int.MaxValue, (long)(number - 1) * size)).Take(size)]);
    }

    public int IntParam(string name, int fallback, int min, int max)
    {
        var text = Param(name);
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ApiException(400, "InvalidParameter", $"The parameter {name} '{text}' must be an integer from {min} to {max}.");
    }
}

/// <summary>One page of an RPC list answer and the counts every such answer starts with.</summary>
internal readonly record struct RpcPage<T>(int Number, int Size, int Total, IReadOnlyList<T> Items)
{
    /// <summary>Writes <c>RequestId</c>, <c>PageNumber</c>, <c>PageSize</c> and <c>TotalCount</c> into the open object.</summary>
    public void WriteCounts(System.Text.Json.Utf8JsonWriter w, string requestId)
    {
        w.WriteString("RequestId", requestId);
        w.WriteNumber("PageNumber", Number);
        w.WriteNumber("PageSize", Size);
        w.WriteNumber("TotalCount", Total);
    }
}

/// <summary>Small helpers to write JSON bodies without reflection.</summary>
internal static class Json
{
    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Error(Product product, int status, string code, string message, string requestId, string hostId) =>
        Write(w =>
        {
            w.WriteStartObject();
            if (product == Product.Cs)
            {
                // ACK answers lower-case keys (Appendix A of the wire reference).
                w.WriteString("code", code);
                w.WriteString("message", message);
                w.WriteString("requestId", requestId);
                w.WriteNumber("status", status);
            }
            else
            {
                w.WriteString("RequestId", requestId);
                w.WriteString("HostId", hostId);
                w.WriteString("Code", code);
                w.WriteString("Message", message);
            }

            w.WriteEndObject();
        });

    public static void OptionalString(this Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
