namespace AckFc.AlibabaCloud.Oss;

/// <summary>A bucket and the region it lives in (the region picks the endpoint and the V4 signing scope).</summary>
public sealed record OssBucket(string Name, string Region)
{
    public override string ToString() => $"oss://{Name} ({Region})";
}

/// <summary>
/// The body of a PutObject: bytes of known length (sent with <c>Content-Length</c> and <c>Content-MD5</c>), or a writer
/// that renders straight into the request (sent chunked, never held whole in memory). A retry calls the writer again.
/// </summary>
public sealed class OssContent
{
    private OssContent(ReadOnlyMemory<byte>? bytes, Func<Stream, CancellationToken, Task>? writer)
    {
        Bytes = bytes;
        Writer = writer;
    }

    internal ReadOnlyMemory<byte>? Bytes { get; }

    internal Func<Stream, CancellationToken, Task>? Writer { get; }

    public static OssContent FromBytes(ReadOnlyMemory<byte> bytes) => new(bytes, null);

    /// <summary>A body rendered by <paramref name="writer"/> as it is sent (chunked transfer encoding).</summary>
    public static OssContent FromWriter(Func<Stream, CancellationToken, Task> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return new(null, writer);
    }
}

/// <summary>Options of a PutObject.</summary>
public sealed record OssPutOptions
{
    /// <summary>Sent as <c>Content-Type</c>.</summary>
    public string ContentType { get; init; } = "application/octet-stream";

    /// <summary>
    /// <c>x-oss-forbid-overwrite: true</c>: the put creates the object or fails with 409 <c>FileAlreadyExists</c>
    /// (<see cref="AlibabaCloudErrorKind.Conflict"/>). Ignored by OSS on versioned buckets.
    /// </summary>
    public bool ForbidOverwrite { get; init; }

    /// <summary>Sent as <c>Content-Disposition</c> when set.</summary>
    public string? ContentDisposition { get; init; }

    /// <summary>User metadata, sent as <c>x-oss-meta-{name}</c> (names lower-case ASCII).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>Conditions of a GetObject or HeadObject.</summary>
public sealed record OssGetOptions
{
    /// <summary><c>If-None-Match</c>: an unchanged object answers 304 (<see cref="OssObject.NotModified"/>).</summary>
    public string? IfNoneMatch { get; init; }

    /// <summary><c>If-Match</c>: a changed object fails with 412 <c>PreconditionFailed</c>.</summary>
    public string? IfMatch { get; init; }
}

/// <summary>What OSS says about an object.</summary>
public sealed record OssObjectInfo(
    string Key, string? ETag, long? Size, DateTimeOffset? LastModified, string? ContentType, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// A GetObject answer. <see cref="Content"/> streams from the connection; dispose the object when done.
/// <see cref="NotModified"/> is true (and the content empty) when <c>If-None-Match</c> matched.
/// </summary>
public sealed class OssObject : IAsyncDisposable
{
    private readonly IDisposable? owner;

    internal OssObject(OssObjectInfo info, Stream content, bool notModified, IDisposable? owner)
    {
        Info = info;
        Content = content;
        NotModified = notModified;
        this.owner = owner;
    }

    public OssObjectInfo Info { get; }

    public Stream Content { get; }

    public bool NotModified { get; }

    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync().ConfigureAwait(false);
        owner?.Dispose();
    }
}

/// <summary>One ListObjectsV2 page request.</summary>
public sealed record OssListRequest
{
    public string? Prefix { get; init; }

    public string? Delimiter { get; init; }

    public string? StartAfter { get; init; }

    public string? ContinuationToken { get; init; }

    /// <summary>1..1000; OSS's default is 100.</summary>
    public int MaxKeys { get; init; } = 100;
}

/// <summary>One ListObjectsV2 page, keys decoded (the client always asks for <c>encoding-type=url</c>).</summary>
public sealed record OssListResult(
    IReadOnlyList<OssObjectInfo> Objects,
    IReadOnlyList<string> CommonPrefixes,
    bool IsTruncated,
    string? NextContinuationToken);

/// <summary>
/// The OSS object calls the report store needs, signed with V4. Failures are <see cref="AlibabaCloudException"/>s
/// with the code from the XML error body (or, for HEAD, the <c>x-oss-err</c> header); secrets never in a message.
/// </summary>
public interface IOssClient
{
    /// <summary>PutObject; returns the new object's ETag.</summary>
    Task<string?> PutObjectAsync(OssBucket bucket, string key, OssContent content, OssPutOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>GetObject; null when the key does not exist (<c>NoSuchKey</c>).</summary>
    Task<OssObject?> GetObjectAsync(OssBucket bucket, string key, OssGetOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>HeadObject; null when the key does not exist.</summary>
    Task<OssObjectInfo?> HeadObjectAsync(OssBucket bucket, string key, OssGetOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>DeleteObject; succeeds whether or not the key existed.</summary>
    Task DeleteObjectAsync(OssBucket bucket, string key, CancellationToken cancellationToken = default);

    /// <summary>One page of ListObjectsV2 (<c>encoding-type=url</c>, keys decoded).</summary>
    Task<OssListResult> ListObjectsV2Async(OssBucket bucket, OssListRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// A presigned V4 GET URL of an object (no headers signed, so a browser can open it), on the public endpoint
    /// unless <paramref name="endpoint"/> names another; <paramref name="lifetime"/> at most 7 days.
    /// </summary>
    Uri PresignGetObject(OssBucket bucket, string key, TimeSpan lifetime, Uri? endpoint = null);
}
