namespace AckFc.Worker;

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
    /// <summary>Who the request is authenticated as (a signing key id), set by an authenticating <see cref="HttpMiddleware"/>; null until then.</summary>
    public string? Caller { get; set; }
    public IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();
}
