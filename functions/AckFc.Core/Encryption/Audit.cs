using System.Text.Json;
using Microsoft.Extensions.Logging;

using AckFc.Core.Judging;

namespace AckFc.Core.Encryption;

/// <summary>One decision or change, as the audit trail keeps it. Never holds a secret.</summary>
public sealed record AuditRecord
{
    public required DateTimeOffset Time { get; init; }
    /// <summary>Who asked: <c>webhook:&lt;keyId&gt;</c> or <c>compliance sweep</c>.</summary>
    public required string Actor { get; init; }
    /// <summary><c>UpdateKMSEncryption</c>, <c>CancelKeyDeletion</c>, …</summary>
    public required string Action { get; init; }
    public string? ClusterId { get; init; }
    public string? RegionId { get; init; }
    public string? KmsKeyId { get; init; }
    public bool? DisableEncryption { get; init; }
    public bool? DryRun { get; init; }
    public string? Reason { get; init; }
    public Decision? Decision { get; init; }
    public required string PolicyVersion { get; init; }
    /// <summary>The invocation's request id (or the sweep id).</summary>
    public required string RequestId { get; init; }
    public IReadOnlyList<string> CloudRequestIds { get; init; } = [];
    public required string Outcome { get; init; }
    public string? Message { get; init; }
}

/// <summary>Where audit records go. The default writes one JSON line to the log (Function Compute ships it to SLS).</summary>
public interface IAuditSink
{
    ValueTask WriteAsync(AuditRecord record, CancellationToken cancellationToken = default);
}

internal sealed partial class LogAuditSink(ILogger<LogAuditSink> logger) : IAuditSink
{
    public ValueTask WriteAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            LogAudit(JsonSerializer.Serialize(record, CoreJsonContext.Default.AuditRecord));
        }

        return ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 9000, Level = LogLevel.Information, Message = "AUDIT {Audit}")]
    private partial void LogAudit(string audit);
}
