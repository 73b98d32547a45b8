namespace AckFc.AlibabaCloud;

/// <summary>How a failed call should be treated by callers and retry policies.</summary>
public enum AlibabaCloudErrorKind
{
    /// <summary>A 4xx the caller caused: bad parameter, denied, signature, …</summary>
    ClientError,
    /// <summary>Flow control (any code containing <c>Throttling</c>, or HTTP 429): the request was not executed.</summary>
    Throttling,
    /// <summary>5xx, timeouts, connection failures: the outcome of a write is unknown.</summary>
    Transient,
    /// <summary>404, <c>*.NotFound</c> codes, <c>ErrorClusterNotFound</c>, STS <c>EntityNotExist.Role</c>.</summary>
    NotFound,
    /// <summary>409: busy, wrong state, or inside a cool-down.</summary>
    Conflict,
}

/// <summary>The one exception type of the Alibaba Cloud layer: an answer that was not a success.</summary>
public sealed class AlibabaCloudException : Exception
{
    public AlibabaCloudException(
        AlibabaCloudErrorKind kind,
        string code,
        string errorMessage,
        int? statusCode = null,
        string? requestId = null,
        string? action = null,
        Exception? innerException = null)
        : base(Describe(kind, code, errorMessage, statusCode, requestId, action), innerException)
    {
        Kind = kind;
        Code = code;
        ErrorMessage = errorMessage;
        StatusCode = statusCode;
        RequestId = requestId;
        Action = action;
    }

    /// <summary>How to treat the failure.</summary>
    public AlibabaCloudErrorKind Kind { get; }

    /// <summary>The cloud's error code (<c>Forbidden.KeyNotFound</c>), or our own for local failures (<c>Timeout</c>).</summary>
    public string Code { get; }

    /// <summary>The cloud's message, without code or request id.</summary>
    public string ErrorMessage { get; }

    /// <summary>The HTTP status, when an answer arrived.</summary>
    public int? StatusCode { get; }

    /// <summary>The cloud's request id, when it gave one.</summary>
    public string? RequestId { get; }

    /// <summary>The API action (<c>DescribeKey</c>), when known.</summary>
    public string? Action { get; }

    /// <summary>Milliseconds the cloud asked us to wait (<c>x-acs-retry-after</c>), if it did.</summary>
    public int? RetryAfterMilliseconds { get; init; }

    private static string Describe(
        AlibabaCloudErrorKind kind, string code, string message, int? status, string? requestId, string? action)
    {
        var where = action is null ? string.Empty : $"{action}: ";
        var http = status is null ? string.Empty : $" (HTTP {status})";
        var id = requestId is null ? string.Empty : $" request id: {requestId}";
        return $"{where}{code}{http}: {message} [{kind}]{id}";
    }
}
