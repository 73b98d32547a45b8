using AckFc.AlibabaCloud;

namespace AckFc.Core.Encryption;

/// <summary>Which cloud failures are worth trying again later (the webhook answers 503 for them, 502 for the rest).</summary>
internal static class CloudFailures
{
    public static bool IsRetryable(AlibabaCloudException failure) =>
        failure.Kind is AlibabaCloudErrorKind.Throttling
        || failure.Code.Contains("Throttling", StringComparison.Ordinal)
        || failure.Code.StartsWith("ServiceUnavailable", StringComparison.Ordinal)
        || failure.Code is "Timeout" or "ClientRateLimited" or "DeadlineExceeded" or "WriteOutcomeUnknown";
}
