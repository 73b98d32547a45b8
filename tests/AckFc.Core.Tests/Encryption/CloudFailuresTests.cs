using AckFc.AlibabaCloud;
using AckFc.Core.Encryption;

namespace AckFc.Core.Tests.Encryption;

/// <summary>Which cloud failures the webhook answers 503 (try again later) rather than 502.</summary>
public sealed class CloudFailuresTests
{
    [Theory]
    // Throttling by kind, whatever the code says.
    [InlineData(AlibabaCloudErrorKind.Throttling, "Busy", true)]
    // Throttling by code, whatever the kind.
    [InlineData(AlibabaCloudErrorKind.ClientError, "Throttling.User", true)]
    [InlineData(AlibabaCloudErrorKind.Transient, "Request.Throttling", true)]
    // An unavailable service, and its sub-codes.
    [InlineData(AlibabaCloudErrorKind.Transient, "ServiceUnavailable", true)]
    [InlineData(AlibabaCloudErrorKind.Transient, "ServiceUnavailable.Busy", true)]
    // The named codes of time running out and of an unknown write.
    [InlineData(AlibabaCloudErrorKind.Transient, "Timeout", true)]
    [InlineData(AlibabaCloudErrorKind.ClientError, "ClientRateLimited", true)]
    [InlineData(AlibabaCloudErrorKind.Transient, "DeadlineExceeded", true)]
    [InlineData(AlibabaCloudErrorKind.Transient, "WriteOutcomeUnknown", true)]
    // Everything else is not worth trying again.
    [InlineData(AlibabaCloudErrorKind.Transient, "InternalError", false)]
    [InlineData(AlibabaCloudErrorKind.ClientError, "Forbidden.RAM", false)]
    [InlineData(AlibabaCloudErrorKind.NotFound, "EntityNotExist.Key", false)]
    [InlineData(AlibabaCloudErrorKind.Conflict, "ErrorClusterState", false)]
    [InlineData(AlibabaCloudErrorKind.Transient, "", false)]
    [InlineData(AlibabaCloudErrorKind.Transient, "Old.ServiceUnavailable", false)]
    [InlineData(AlibabaCloudErrorKind.Transient, "TimeoutX", false)]
    [InlineData(AlibabaCloudErrorKind.Transient, "throttling", false)]
    public void IsRetryable_KindAndCode_AsTheTableSays(AlibabaCloudErrorKind kind, string code, bool retryable)
    {
        var failure = new AlibabaCloudException(kind, code, "cloud text", 500, "RID-1");

        Assert.Equal(retryable, CloudFailures.IsRetryable(failure));
    }
}
