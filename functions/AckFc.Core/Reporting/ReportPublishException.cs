using AckFc.AlibabaCloud;
using AckFc.Core.Compliance;

namespace AckFc.Core.Reporting;

/// <summary>
/// The report store failed while a sweep was published (OSS unavailable after the client's retries, a full disk, the
/// publishing deadline): the set is not complete, so it is not latest. Carries the report, so the caller can still
/// tell what the sweep found (<see cref="PublishFailureLine"/>), and where the store is, never its credentials.
/// </summary>
public sealed class ReportPublishException : Exception
{
    public ReportPublishException(ComplianceReport report, string store, Exception inner)
        : base(MessageOf(report, store, inner), inner)
    {
        Report = report;
        Store = store;
        Cause = CauseOf(inner);
    }

    /// <summary>The report as far as it was published (notification errors included).</summary>
    public ComplianceReport Report { get; }

    /// <summary>Where the set was to be written: <c>oss://{bucket}/{prefix}</c> or a directory.</summary>
    public string Store { get; }

    /// <summary>What failed, short and without secrets: the call, its code, HTTP status and request id.</summary>
    public string Cause { get; }

    /// <summary>
    /// The cloud's code, status and request id (its message is left out: it is the server's text); for anything else the
    /// type and a bounded, one-line message.
    /// </summary>
    internal static string CauseOf(Exception? error) => error switch
    {
        AlibabaCloudException cloud => $"{cloud.Action ?? "call"} {PublishFailureLine.Clean(cloud.Code, 64)}"
                                       + (cloud.StatusCode is { } status ? $", HTTP {status}" : string.Empty)
                                       + (cloud.RequestId is { } id ? $", request id {PublishFailureLine.Clean(id, 64)}" : string.Empty)
                                       + (cloud.Kind is AlibabaCloudErrorKind.Throttling or AlibabaCloudErrorKind.Transient ? ", after retries" : string.Empty),
        OperationCanceledException => "ran out of time: the invocation's deadline came first",
        null => "unknown failure",
        _ => $"{error.GetType().Name}: {PublishFailureLine.Clean(error.Message, 300)}",
    };

    private static string MessageOf(ComplianceReport report, string store, Exception inner)
    {
        ArgumentNullException.ThrowIfNull(report);
        return $"The report set of sweep {PublishFailureLine.Clean(report.SweepId, 128)} could not be written to {store}: {CauseOf(inner)}.";
    }
}
