using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace AckFc.Worker;

/// <summary>
/// The body of an answer: bytes already in hand, or JSON serialized straight onto the connection. A fleet-sized
/// sweep report is several megabytes; writing it as it is serialized keeps it from being held in memory a second time.
/// </summary>
public sealed class ResponseBody
{
    private readonly byte[]? bytes;
    private readonly Func<Stream, CancellationToken, Task>? write;

    private ResponseBody(byte[]? bytes, Func<Stream, CancellationToken, Task>? write)
    {
        this.bytes = bytes;
        this.write = write;
    }

    public static ResponseBody Empty { get; } = new([], null);

    /// <summary>The length in bytes when known before writing (bytes in hand); null for a streamed body.</summary>
    public long? Length => bytes?.LongLength;

    public static ResponseBody FromBytes(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new ResponseBody(body, null);
    }

    /// <summary>A value serialized as UTF-8 JSON while it is written (source-generated metadata, so AOT-clean).</summary>
    public static ResponseBody Json<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return new ResponseBody(null, (stream, ct) => JsonSerializer.SerializeAsync(stream, value, typeInfo, ct));
    }

    public static implicit operator ResponseBody(byte[] body) => FromBytes(body);

    public Task WriteToAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return bytes is not null ? destination.WriteAsync(bytes, cancellationToken).AsTask() : write!(destination, cancellationToken);
    }

    /// <summary>The whole body as bytes (tests and small answers; a streamed body is serialized into memory).</summary>
    public async Task<byte[]> ToArrayAsync(CancellationToken cancellationToken = default)
    {
        if (bytes is not null)
        {
            return bytes;
        }

        using var buffer = new MemoryStream();
        await WriteToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }
}
