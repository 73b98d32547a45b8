namespace AckFc.Worker;

/// <summary>
/// An event function ran and did its work, but the invocation must count as failed: the host answers 404 with
/// <c>x-fc-status: 404</c> (so Function Compute's failure destination, retries and metrics see it), with
/// <see cref="Body"/> as the answer, and logs <see cref="Exception.Message"/> once at Error level.
/// The message must be safe to log and to return (no secrets).
/// </summary>
public sealed class EventFailedException : Exception
{
    public EventFailedException(string errorType, string message, ResponseBody? body = null)
        : base(message)
    {
        ErrorType = errorType;
        Body = body;
    }

    /// <summary>A short code for the failure (e.g. <c>SweepIncomplete</c>).</summary>
    public string ErrorType { get; }

    /// <summary>The answer's body; null means the standard <c>{"errorMessage","errorType"}</c> body.</summary>
    public ResponseBody? Body { get; }
}
