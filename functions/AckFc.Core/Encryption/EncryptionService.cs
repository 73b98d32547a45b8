using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Evidence;
using AckFc.Core.Judging;
using AckFc.Core.Policy;
using AckFc.Core.Rules;
using AckFc.Core.Settings;
using Microsoft.Extensions.Logging;

namespace AckFc.Core.Encryption;

/// <summary>
/// Gates <c>UpdateKMSEncryption</c> behind the policy: read, preflight, decide, then act only when allowed, needed and
/// not a dry run; follow the cluster until it runs again and verify. Writes are never retried here.
/// </summary>
internal sealed partial class EncryptionService(
    IAckClient ack,
    IKmsClient kms,
    IPolicyProvider policies,
    IAuditSink audit,
    ChangeLocks locks,
    AckFcCoreOptions options,
    TimeProvider time,
    ILogger<EncryptionService>? logger = null) : IEncryptionService
{
    /// <summary>The follow-up of a change ends this long before the caller's deadline, so the answer (202) is sent in time.</summary>
    internal static readonly TimeSpan FollowReserve = TimeSpan.FromSeconds(3);

    /// <summary>The write gets until this long before the caller's deadline; it is never cancelled by the caller leaving.</summary>
    internal static readonly TimeSpan WriteReserve = TimeSpan.FromSeconds(1);

    private readonly KeyEvidenceReader keys = new(kms);

    private readonly ILogger log = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public async Task<EncryptionChangeResult> ChangeAsync(EncryptionChangeRequest request, CancellationToken cancellationToken = default)
    {
        var loaded = policies.Current;
        var progress = new ChangeProgress();
        EncryptionChangeResult result;
        try
        {
            if (request.DryRun)
            {
                // A dry run changes nothing, so any number may run beside a change of the same cluster.
                result = await DecideAndApplyAsync(request, loaded, progress, cancellationToken);
            }
            else if (!locks.TryEnter(request.ClusterId))
            {
                result = Result(request, loaded, ChangeOutcome.Conflict, "Another change of this cluster is in progress in this instance.", []);
            }
            else
            {
                try
                {
                    result = await DecideAndApplyAsync(request, loaded, progress, cancellationToken);
                }
                finally
                {
                    locks.Exit(request.ClusterId);
                }
            }
        }
        catch (OperationCanceledException) when (!progress.Written)
        {
            // Cancelled before anything was written (the caller left, or the deadline came): the decision so far is
            // still on record, then the cancellation goes on to the caller.
            await audit.WriteAsync(Record(request, loaded, Result(request, loaded, ChangeOutcome.CloudFailed,
                "Cancelled before any change was made (the caller left or the deadline came); nothing was changed.", []) with
            { RegionId = progress.RegionId, ErrorCode = "Cancelled" }, "Cancelled"), CancellationToken.None);
            throw;
        }

        await audit.WriteAsync(Record(request, loaded, result, result.Outcome.ToString()), CancellationToken.None);
        return result;
    }

    public async Task<ClusterStatusResult> GetStatusAsync(string clusterId, string requestId, CancellationToken cancellationToken = default)
    {
        var loaded = policies.Current;
        AckCluster? cluster;
        try
        {
            cluster = await FindClusterAsync(clusterId, null, cancellationToken);
        }
        catch (AlibabaCloudException e)
        {
            LogCloudFailure(log, "reading the cluster", clusterId, requestId, e.Message);
            return new ClusterStatusResult
            {
                Outcome = StatusOutcome.CloudFailed, ErrorCode = e.Code, Retryable = CloudFailures.IsRetryable(e),
                Message = $"The cloud failed: {e.Code} (request id {e.RequestId ?? "none"}).",
            };
        }

        if (cluster is null)
        {
            return new ClusterStatusResult { Outcome = StatusOutcome.NotFound, Message = $"Cluster {clusterId} was not found." };
        }

        KeyEvidence? evidence = null;
        if (cluster.Encryption is { State: EncryptionState.Enabled, KmsKeyId: { } keyId })
        {
            (evidence, _) = await keys.ReadOneAsync(cluster.RegionId, keyId, loaded.Policy, cancellationToken);
        }

        var judge = new ClusterJudge(time);
        var report = judge.Judge(cluster, evidence, loaded.Policy);
        KeyHealth? health = null;
        if (evidence?.Metadata is { } key)
        {
            health = new KeyHealth(key.KeyId, key.RegionId, key.KeyState, key.KeySpec, key.KeyUsage, evidence.IsServiceKey == true,
                key.DeletionProtection, key.AutomaticRotation, key.DeleteDate,
                key.DeleteDate is { } d && key.KeyState == KmsKeyStates.PendingDeletion ? ClusterJudge.DaysUntil(d, time.GetUtcNow()) : null);
        }

        return new ClusterStatusResult { Outcome = StatusOutcome.Found, Status = new ClusterKmsStatus { Cluster = report, Key = health, PolicyVersion = loaded.Version } };
    }

    private async Task<EncryptionChangeResult> DecideAndApplyAsync(EncryptionChangeRequest request, LoadedPolicy loaded, ChangeProgress progress, CancellationToken token)
    {
        // The reads before the change get at most half of the time left: one slow read must not eat the time the change
        // and its follow-up need (issue: the cloud-call budget used to equal the function timeout).
        using var budget = request.Deadline is { } deadline ? new CancellationTokenSource(Half(deadline - time.GetUtcNow()), time) : null;
        using var reads = budget is null ? null : CancellationTokenSource.CreateLinkedTokenSource(token, budget.Token);
        try
        {
            return await DecideAndApplyCoreAsync(request, loaded, progress, reads?.Token ?? token, token);
        }
        catch (OperationCanceledException) when (budget?.IsCancellationRequested == true && !token.IsCancellationRequested && !progress.Written)
        {
            return Result(request, loaded, ChangeOutcome.CloudFailed,
                "The cloud did not answer the reads within half of the time left, which is kept for the change and its follow-up; nothing was changed.", []) with
            { RegionId = progress.RegionId, ErrorCode = "DeadlineExceeded", Retryable = true };
        }
    }

    private static TimeSpan Half(TimeSpan left) => left > TimeSpan.Zero ? left / 2 : TimeSpan.Zero;

    private async Task<EncryptionChangeResult> DecideAndApplyCoreAsync(
        EncryptionChangeRequest request, LoadedPolicy loaded, ChangeProgress progress, CancellationToken readToken, CancellationToken token)
    {
        if (ChangeDecider.Validate(request) is { } invalid)
        {
            return Result(request, loaded, ChangeOutcome.Invalid, invalid, []);
        }

        AckCluster? cluster;
        try
        {
            cluster = await FindClusterAsync(request.ClusterId, request.RegionId, readToken);
        }
        catch (AlibabaCloudException e)
        {
            return CloudFailure(request, loaded, e, "reading the cluster");
        }

        if (cluster is null)
        {
            return Result(request, loaded, ChangeOutcome.NotFound, $"Cluster {request.ClusterId} was not found in the configured regions ({string.Join(", ", options.Regions)}).", []);
        }

        progress.RegionId = cluster.RegionId;
        var before = Summary(cluster);
        if (ChangeDecider.Preflight(cluster) is { Outcome: { } refused } early)
        {
            return Result(request, loaded, refused, early.Message, []) with { RegionId = cluster.RegionId, Before = before, ErrorCode = early.ErrorCode };
        }

        KeyEvidence? evidence = null;
        if (!request.DisableEncryption)
        {
            var (read, listingFailure) = await keys.ReadOneAsync(cluster.RegionId, request.KmsKeyId!, loaded.Policy, readToken);
            if (read.Failure is { Kind: not AlibabaCloudErrorKind.NotFound } failure)
            {
                return CloudFailure(request, loaded, failure, "reading the key") with { RegionId = cluster.RegionId, Before = before };
            }

            if (listingFailure is not null)
            {
                // Without the listing the decision would rest on "unknown": that is the cloud's failure (503), not the policy's (403).
                return CloudFailure(request, loaded, listingFailure, "listing the region's keys") with { RegionId = cluster.RegionId, Before = before };
            }

            evidence = read;
        }

        var verdict = new ChangeDecider(time, options.CoolDown).Decide(cluster, evidence, loaded, request);
        if (verdict.Outcome is { } outcome)
        {
            return Answer(verdict, cluster, before, outcome, verdict.Message, []) with
            {
                ErrorCode = verdict.ErrorCode, After = outcome == ChangeOutcome.NoChange ? before : null,
            };
        }

        return await ApplyAsync(request, loaded, cluster, verdict, before, progress, token);
    }

    /// <summary>Sends the write, records that ACK accepted it, follows the cluster until it runs again and verifies.</summary>
    private async Task<EncryptionChangeResult> ApplyAsync(
        EncryptionChangeRequest request, LoadedPolicy loaded, AckCluster cluster, ChangeVerdict verdict, EncryptionSummary before, ChangeProgress progress,
        CancellationToken token)
    {
        // Last chance to stop without changing anything; from here on the write, once sent, is seen through.
        token.ThrowIfCancellationRequested();
        var written = await WriteAsync(request, loaded, cluster, verdict, before, progress);
        if (written.Failure is { } failure)
        {
            return failure;
        }

        IReadOnlyList<string> requestIds = written.RequestId is null ? [] : [written.RequestId];
        await audit.WriteAsync(Record(request, loaded, Answer(verdict, cluster, before, ChangeOutcome.Accepted,
            $"ACK accepted UpdateKMSEncryption for cluster {cluster.ClusterId}; following it until it runs again.", requestIds), "Accepted"),
            CancellationToken.None);

        var (current, cut) = await FollowAsync(request, cluster, token);
        var after = Summary(current);
        if (cut || current.State != ClusterStates.Running)
        {
            var why = cut ? "following it was cut short (the caller left or the deadline came)" : $"cluster {cluster.ClusterId} is still {current.State}";
            return Answer(verdict, cluster, before, ChangeOutcome.Accepted, $"ACK accepted the change; {why}. Check GET /clusters/{cluster.ClusterId}/kms later.", requestIds) with
            { After = after };
        }

        return ChangeDecider.Reached(current, request.DisableEncryption, verdict.KeyId)
            ? Answer(verdict, cluster, before, ChangeOutcome.Applied, request.DisableEncryption
                ? $"Secret encryption of {cluster.ClusterId} is off (verified)."
                : $"Secrets of {cluster.ClusterId} are encrypted with {verdict.KeyId} (verified).", requestIds) with { After = after }
            : Answer(verdict, cluster, before, ChangeOutcome.CloudFailed,
                $"ACK accepted the change but the cluster does not show it (encryption {current.Encryption.State}, key {current.Encryption.KmsKeyId ?? "none"}).", requestIds) with
            { After = after, ErrorCode = "NotVerified" };
    }

    /// <summary>The one <c>UpdateKMSEncryption</c> call: its request id, or the answer when it failed or its outcome is unknown.</summary>
    private async Task<(string? RequestId, EncryptionChangeResult? Failure)> WriteAsync(
        EncryptionChangeRequest request, LoadedPolicy loaded, AckCluster cluster, ChangeVerdict verdict, EncryptionSummary before, ChangeProgress progress)
    {
        using var writeBudget = request.Deadline is { } hard ? new CancellationTokenSource(Positive(hard - WriteReserve - time.GetUtcNow()), time) : null;
        try
        {
            var id = await ack.UpdateKmsEncryptionAsync(cluster.RegionId, cluster.ClusterId,
                new KmsEncryptionChange(verdict.KeyId, request.DisableEncryption), writeBudget?.Token ?? CancellationToken.None);
            // ACK accepted the change: whatever happens to this invocation afterwards, it is audited, never thrown.
            progress.Written = true;
            return (id, null);
        }
        catch (AlibabaCloudException e)
        {
            // The write may have happened (a timeout): from here on, whatever happens is audited, never thrown.
            progress.Written = e.Kind is AlibabaCloudErrorKind.Transient;
            var failed = e.Kind == AlibabaCloudErrorKind.Conflict
                ? Result(request, loaded, ChangeOutcome.Conflict,
                    $"ACK refused the change: cluster {cluster.ClusterId} is busy with another change ({e.Code}), perhaps one made through another instance; nothing was changed by this request.",
                    []) with { ErrorCode = e.Code }
                : CloudFailure(request, loaded, e, "UpdateKMSEncryption");
            LogCloudFailure(log, "UpdateKMSEncryption", cluster.ClusterId, request.RequestId, e.Message);
            return (null, Answer(verdict, cluster, before, failed.Outcome, failed.Message, e.RequestId is null ? [] : [e.RequestId]) with
            { ErrorCode = e.Code, Retryable = failed.Retryable });
        }
        catch (OperationCanceledException)
        {
            progress.Written = true;
            return (null, Answer(verdict, cluster, before, ChangeOutcome.CloudFailed,
                $"The deadline came while UpdateKMSEncryption was in flight: whether ACK applied it is unknown. Check GET /clusters/{cluster.ClusterId}/kms.", []) with
            { ErrorCode = "WriteOutcomeUnknown", Retryable = true });
        }
    }

    /// <summary>
    /// ACK gives no task id: re-reads the cluster until it runs again, within the follow budget and before the caller's
    /// deadline. Returns the last state read, and whether following was cut short (the change stands either way).
    /// </summary>
    private async Task<(AckCluster Current, bool Cut)> FollowAsync(EncryptionChangeRequest request, AckCluster cluster, CancellationToken token)
    {
        var until = time.GetUtcNow() + options.ChangeFollowTimeout;
        if (request.Deadline is { } end && end - FollowReserve < until)
        {
            until = end - FollowReserve;
        }

        var current = cluster;
        // The cluster as read before the write says nothing about the change: only a read after it can end following.
        var seen = false;
        try
        {
            while (true)
            {
                try
                {
                    current = await ack.GetClusterAsync(cluster.RegionId, cluster.ClusterId, token);
                    seen = true;
                }
                catch (AlibabaCloudException)
                {
                    // A failed read while following is not a failed change: keep following until the budget ends.
                }

                var left = until - time.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    // Never read since the write: the outcome is unknown, so the answer is "in progress", not "not applied".
                    return (current, !seen);
                }

                if (seen && current.State == ClusterStates.Running)
                {
                    return (current, false);
                }

                await Task.Delay(left < options.ChangePollInterval ? left : options.ChangePollInterval, time, token);
            }
        }
        catch (OperationCanceledException)
        {
            // The caller left or the deadline came while following: the change stands, the answer is "in progress".
            return (current, true);
        }
    }

    private static EncryptionChangeResult Answer(
        ChangeVerdict verdict, AckCluster cluster, EncryptionSummary before, ChangeOutcome outcome, string message, IReadOnlyList<string> requestIds) => new()
    {
        Outcome = outcome, Decision = verdict.Decision!, Message = message, ClusterId = cluster.ClusterId, RegionId = cluster.RegionId,
        ResolvedKmsKeyId = verdict.KeyId, Plan = verdict.Plan, Before = before, CloudRequestIds = requestIds,
    };

    private static TimeSpan Positive(TimeSpan value) => value > TimeSpan.Zero ? value : TimeSpan.Zero;

    private AuditRecord Record(EncryptionChangeRequest request, LoadedPolicy loaded, EncryptionChangeResult result, string outcome) => new()
    {
        Time = time.GetUtcNow(),
        Actor = request.Actor,
        Action = ChangeDecider.Action,
        ClusterId = request.ClusterId,
        RegionId = result.RegionId,
        KmsKeyId = result.ResolvedKmsKeyId ?? request.KmsKeyId,
        DisableEncryption = request.DisableEncryption,
        DryRun = request.DryRun,
        Reason = request.Reason,
        Decision = result.Decision,
        PolicyVersion = loaded.Version,
        RequestId = request.RequestId,
        CloudRequestIds = result.CloudRequestIds,
        Outcome = outcome,
        Message = result.Message,
    };

    /// <summary>What one change has got to: whether the write was sent (then nothing may throw past the audit).</summary>
    private sealed class ChangeProgress
    {
        public volatile bool Written;
        public string? RegionId;
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Cloud failure while {What} for cluster {ClusterId} (request {RequestId}): {Error}")]
    private static partial void LogCloudFailure(ILogger logger, string what, string clusterId, string requestId, string error);

    private async Task<AckCluster?> FindClusterAsync(string clusterId, string? regionId, CancellationToken token)
    {
        IEnumerable<string> regions = regionId is null ? options.Regions : [regionId];
        foreach (var region in regions)
        {
            try
            {
                var cluster = await ack.GetClusterAsync(region, clusterId, token);
                // DescribeClusterDetail finds a cluster whatever region's endpoint is asked: act only inside the configured scope.
                return options.Regions.Contains(cluster.RegionId, StringComparer.Ordinal) ? cluster : null;
            }
            catch (AlibabaCloudException e) when (e.Kind == AlibabaCloudErrorKind.NotFound)
            {
                // Try the next configured region.
            }
        }

        return null;
    }

    private static EncryptionSummary Summary(AckCluster cluster) => EncryptionSummary.From(cluster.Encryption);

    /// <summary>
    /// A cloud failure as the caller sees it: the cloud's code, status and request id, and no more. The cloud's own
    /// message (it may quote the canonical request, the access key id, the endpoint) goes to the log only.
    /// </summary>
    private EncryptionChangeResult CloudFailure(EncryptionChangeRequest request, LoadedPolicy loaded, AlibabaCloudException e, string what)
    {
        LogCloudFailure(log, what, request.ClusterId, request.RequestId, e.Message);
        var outcome = e.Kind switch
        {
            AlibabaCloudErrorKind.Conflict => ChangeOutcome.Conflict,
            AlibabaCloudErrorKind.NotFound => ChangeOutcome.NotFound,
            _ => ChangeOutcome.CloudFailed,
        };
        var status = e.StatusCode is { } code ? $"HTTP {code}, " : string.Empty;
        return Result(request, loaded, outcome,
            $"The cloud failed {what}: {e.Code} ({status}cloud request id {e.RequestId ?? "none"}); see the function's log for request {request.RequestId}.",
            e.RequestId is null ? [] : [e.RequestId]) with { ErrorCode = e.Code, Retryable = outcome == ChangeOutcome.CloudFailed && CloudFailures.IsRetryable(e) };
    }

    private static EncryptionChangeResult Result(EncryptionChangeRequest request, LoadedPolicy loaded, ChangeOutcome outcome, string message, IReadOnlyList<string> requestIds) => new()
    {
        Outcome = outcome,
        Decision = new Decision
        {
            Allowed = outcome is not ChangeOutcome.Denied,
            Enforcement = loaded.Policy.DefaultEnforcement,
            Violations = [],
            PolicyVersion = loaded.Version,
            RequestId = request.RequestId,
        },
        Message = message,
        ClusterId = request.ClusterId,
        CloudRequestIds = requestIds,
    };
}
