using System.Collections.Concurrent;
using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Encryption;
using AckFc.Core.Evidence;
using AckFc.Core.Judging;
using AckFc.Core.Policy;
using AckFc.Core.Rules;
using AckFc.Core.Settings;
using Microsoft.Extensions.Logging;

namespace AckFc.Core.Compliance;

/// <summary>
/// The fleet sweep. Per region it makes the fewest calls that can judge every cluster: the cluster pages, one
/// service-key listing, one alias listing only when the allow-list names aliases, and one DescribeKey per distinct key.
/// Nothing that fails is dropped: a failed read becomes an <c>unknown</c> finding and a report error.
/// </summary>
internal sealed partial class ComplianceService(
    IAckClient ack,
    IKmsClient kms,
    IPolicyProvider policies,
    IEncryptionService encryption,
    IAuditSink audit,
    AckFcCoreOptions options,
    TimeProvider time,
    ILogger<ComplianceService> logger) : IComplianceService
{
    public const string Actor = "compliance sweep";

    private readonly KeyEvidenceReader reader = new(kms);

    private readonly KeyRemediation keyActions = new(kms);

    public async Task<ComplianceReport> SweepAsync(SweepRequest request, CancellationToken cancellationToken = default)
    {
        var started = time.GetUtcNow();
        var loaded = policies.Current;
        var regions = request.Regions is { Count: > 0 } asked ? [.. asked.Distinct(StringComparer.Ordinal)] : options.Regions.ToList();
        var errors = new ConcurrentQueue<ReportError>();

        // The deadline stops new work; what is already listed is still reported.
        // The deadline runs on our TimeProvider, so tests can move it; a deadline already past cancels at once.
        var left = request.Deadline is { } end ? end - started : Timeout.InfiniteTimeSpan;
        using var clock = left > TimeSpan.Zero ? new CancellationTokenSource(left, time) : new CancellationTokenSource();
        if (left <= TimeSpan.Zero && left != Timeout.InfiniteTimeSpan)
        {
            await clock.CancelAsync();
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, clock.Token);

        if (logger.IsEnabled(LogLevel.Information))
        {
            LogSweepStarted(request.SweepId, request.Mode, string.Join(',', regions));
        }

        var results = new ConcurrentDictionary<string, RegionResult>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            regions,
            new ParallelOptions { MaxDegreeOfParallelism = options.RegionConcurrency, CancellationToken = CancellationToken.None },
            async (region, _) => results[region] = await SweepRegionAsync(region, loaded.Policy, errors, deadline.Token));

        var clusters = regions.SelectMany(r => results.TryGetValue(r, out var result) ? result.Clusters : []).ToList();
        var actions = new List<RemediationAction>();
        if (request.Mode == SweepMode.Remediate && loaded.Policy.Remediation.Any)
        {
            actions = await RemediateAsync(request, loaded, results.Values.ToList(), errors, deadline.Token, cancellationToken);
        }
        else if (loaded.Policy.Remediation.Any)
        {
            actions = [.. RemediationPlanner.Plan(loaded.Policy, Reports(results.Values)).Select(a => a with { Reason = a.Reason + " (report mode: not applied)" })];
        }

        var timedOut = deadline.IsCancellationRequested;
        if (timedOut)
        {
            errors.Enqueue(new ReportError
            {
                Scope = "deadline",
                Code = cancellationToken.IsCancellationRequested ? "Cancelled" : "DeadlineExceeded",
                Message = "The sweep stopped starting new work at its deadline; clusters not judged by then are unknown.",
            });
        }

        var errorList = errors.ToList();
        var complete = !timedOut && !errorList.Any(e => e.Scope is "region" or "deadline");
        var report = new ComplianceReport
        {
            SweepId = request.SweepId,
            StartedAt = started,
            FinishedAt = time.GetUtcNow(),
            Complete = complete,
            Mode = request.Mode,
            Regions = regions,
            PolicyVersion = loaded.Version,
            TriggerTime = request.TriggerTime,
            Summary = ReportSummary.From(clusters),
            Clusters = clusters,
            Actions = actions,
            Errors = errorList,
        };
        LogSweepFinished(request.SweepId, report.Summary.Clusters, report.Summary.Fail, report.Summary.Unknown, complete);
        return report;
    }

    private sealed record RegionResult(string RegionId, List<ClusterReport> Clusters);

    private static IEnumerable<RegionReports> Reports(IEnumerable<RegionResult> regions) => regions.Select(r => new RegionReports(r.RegionId, r.Clusters));

    private async Task<RegionResult> SweepRegionAsync(string region, AckFcPolicy policy, ConcurrentQueue<ReportError> errors, CancellationToken token)
    {
        var judge = new ClusterJudge(time);
        var listed = new List<AckCluster>();
        try
        {
            await ClusterListing.ReadIntoAsync(ack, region, listed, token);
        }
        catch (Exception e) when (e is AlibabaCloudException or OperationCanceledException)
        {
            errors.Enqueue(ErrorOf("region", region, e, "DescribeClustersV1"));
        }

        var keyIds = listed
            .Where(c => c.SupportsSecretEncryption && c.Encryption is { State: EncryptionState.Enabled, KmsKeyId: not null })
            .Select(c => c.Encryption.KmsKeyId!)
            .Distinct(StringComparer.Ordinal)
            .ToList();

        var keys = new Dictionary<string, KeyEvidence>(StringComparer.Ordinal);
        if (keyIds.Count > 0 && !token.IsCancellationRequested)
        {
            var read = await reader.ReadRegionAsync(region, keyIds, policy, options.KeyConcurrency, token);
            if (read.ServiceKeyListingFailure is { } serviceFailure)
            {
                errors.Enqueue(ErrorOf("region", region, serviceFailure, "ListKeys") with { Message = "Service keys could not be listed, so ACKFC-KEY-007 is unknown: " + Message(serviceFailure) });
            }

            if (read.AliasListingFailure is { } aliasFailure)
            {
                errors.Enqueue(ErrorOf("region", region, aliasFailure, "ListAliases") with { Message = "Aliases could not be listed, so alias entries of the allow-list could not match: " + Message(aliasFailure) });
            }

            foreach (var (id, evidence) in read.Keys)
            {
                keys[id] = evidence;
                if (evidence.Failure is { Kind: not AlibabaCloudErrorKind.NotFound } failure)
                {
                    errors.Enqueue(ErrorOf("key", region, failure, "DescribeKey") with { KmsKeyId = id });
                }
            }
        }

        var clusters = new List<ClusterReport>(listed.Count);
        foreach (var cluster in listed)
        {
            var keyId = cluster.Encryption.KmsKeyId;
            var evidence = keyId is not null && keys.TryGetValue(keyId, out var known)
                ? known
                : keyId is not null && token.IsCancellationRequested
                    ? KeyEvidence.Failed(new AlibabaCloudException(AlibabaCloudErrorKind.Transient, "DeadlineExceeded", "the sweep reached its deadline before reading this key", action: "DescribeKey"))
                    : null;
            var judged = judge.Judge(cluster, evidence, policy);
            clusters.Add(options.ReportPassingFindings ? judged : judged with
            {
                // A fleet report is read for what is wrong; passing rules stay visible by id at a fraction of the size.
                Findings = [.. judged.Findings.Where(f => f.Status != FindingStatus.Pass)],
                PassedRules = [.. judged.Findings.Where(f => f.Status == FindingStatus.Pass).Select(f => f.RuleId)],
            });
        }

        return new RegionResult(region, clusters);
    }

    private async Task<List<RemediationAction>> RemediateAsync(
        SweepRequest request, LoadedPolicy loaded, IReadOnlyList<RegionResult> regions, ConcurrentQueue<ReportError> errors, CancellationToken token,
        CancellationToken invocation)
    {
        var cap = loaded.Policy.Remediation.MaxChangesPerSweep;
        var done = new List<RemediationAction>();
        var applied = 0;
        foreach (var action in RemediationPlanner.Plan(loaded.Policy, Reports(regions)))
        {
            if (token.IsCancellationRequested)
            {
                done.Add(action with { Status = RemediationStatus.Planned, Reason = action.Reason + " (not applied: the sweep reached its deadline)" });
                continue;
            }

            if (applied >= cap)
            {
                done.Add(action with { Reason = action.Reason + $" (not applied: the policy's cap of {cap} changes per sweep was reached)" });
                continue;
            }

            var result = await ApplyAsync(request, action, token, invocation);
            if (result.Status == RemediationStatus.Applied)
            {
                applied++;
            }

            if (result.Status == RemediationStatus.Failed)
            {
                errors.Enqueue(new ReportError
                {
                    Scope = "remediation", RegionId = result.RegionId, ClusterId = result.ClusterId, KmsKeyId = result.KmsKeyId,
                    Action = result.Kind.ToString(), Code = result.ErrorCode ?? "Failed", Message = result.Reason, RequestId = result.RequestId,
                });
            }

            done.Add(result);
            await audit.WriteAsync(new AuditRecord
            {
                Time = time.GetUtcNow(), Actor = request.Actor, Action = result.Kind.ToString(), ClusterId = result.ClusterId,
                RegionId = result.RegionId, KmsKeyId = result.KmsKeyId, Reason = $"remediation of {result.RuleId} by sweep {request.SweepId}",
                PolicyVersion = loaded.Version, RequestId = request.SweepId,
                CloudRequestIds = result.RequestId is null ? [] : [result.RequestId],
                Outcome = result.Status.ToString(), Message = result.Reason,
            }, CancellationToken.None);
        }

        return done;
    }

    /// <summary>Re-reads the state right before acting, so a retried sweep never applies an action twice.</summary>
    private async Task<RemediationAction> ApplyAsync(
        SweepRequest request, RemediationAction action, CancellationToken token, CancellationToken invocation)
    {
        var started = time.GetUtcNow();
        var writing = false;
        try
        {
            switch (action.Kind)
            {
                case RemediationKind.EnableEncryption:
                    var change = await encryption.ChangeAsync(
                        new EncryptionChangeRequest(action.ClusterId!, action.KmsKeyId, false, false, $"remediation of {action.RuleId}", request.Actor, request.SweepId, action.RegionId),
                        token);
                    return change.Outcome switch
                    {
                        ChangeOutcome.Applied => action with { Status = RemediationStatus.Applied, Reason = change.Message, RequestId = change.CloudRequestIds.Count > 0 ? change.CloudRequestIds[^1] : null },
                        ChangeOutcome.Accepted => action with { Status = RemediationStatus.Applied, Reason = "Accepted by ACK, state unconfirmed: " + change.Message, RequestId = change.CloudRequestIds.Count > 0 ? change.CloudRequestIds[^1] : null },
                        ChangeOutcome.NoChange => action with { Status = RemediationStatus.Skipped, Reason = "Already encrypted when re-read: " + change.Message },
                        ChangeOutcome.Denied or ChangeOutcome.Conflict or ChangeOutcome.Invalid or ChangeOutcome.NotFound =>
                            action with { Status = RemediationStatus.Skipped, Reason = change.Message, ErrorCode = change.ErrorCode },
                        _ => action with { Status = RemediationStatus.Failed, Reason = change.Message, ErrorCode = change.ErrorCode },
                    };

                default:
                    return await keyActions.ApplyAsync(action, () => writing = true, null, token);
            }
        }
        catch (AlibabaCloudException e)
        {
            return action with { Status = RemediationStatus.Failed, ErrorCode = e.Code, RequestId = e.RequestId, Reason = $"{Describe(action.Kind)} failed: {e.Code}: {e.ErrorMessage}" };
        }
        catch (OperationCanceledException) when (action.Kind == RemediationKind.EnableEncryption || writing)
        {
            // The write may have reached the cloud before the deadline cut the call (or ACK's follow-up) short: re-read
            // once, so an accepted action is never recorded as not applied.
            return await ConfirmAsync(action, started, invocation);
        }
        catch (OperationCanceledException)
        {
            return action with { Status = RemediationStatus.Planned, Reason = action.Reason + " (not applied: the sweep reached its deadline)" };
        }
    }

    /// <summary>How long the one re-read after an interrupted action may take.</summary>
    internal static readonly TimeSpan ConfirmBudget = TimeSpan.FromSeconds(5);

    private async Task<RemediationAction> ConfirmAsync(RemediationAction action, DateTimeOffset started, CancellationToken invocation)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(invocation);
        budget.CancelAfter(ConfirmBudget);
        try
        {
            if (action.Kind == RemediationKind.EnableEncryption)
            {
                var now = await ack.GetClusterAsync(action.RegionId, action.ClusterId!, budget.Token);
                var reached = now.Encryption.State == EncryptionState.Enabled && now.Encryption.KmsKeyId == action.KmsKeyId;
                if (reached || now.State != ClusterStates.Running || now.Updated >= started)
                {
                    return action with
                    {
                        Status = RemediationStatus.Applied,
                        Reason = reached
                            ? $"Enabled encryption with {action.KmsKeyId} (the sweep's deadline cut the follow-up short; confirmed on re-read)."
                            : $"Accepted by ACK, state unconfirmed: the sweep's deadline cut the follow-up short while cluster {action.ClusterId} was {now.State}.",
                    };
                }
            }
            else
            {
                var (done, keyId) = await keyActions.IsDoneAsync(action, budget.Token);
                if (done)
                {
                    return action with { Status = RemediationStatus.Applied, Reason = $"{Describe(action.Kind)} key {keyId} (the answer was cut short by the sweep's deadline; confirmed on re-read)." };
                }
            }

            return action with { Status = RemediationStatus.Planned, Reason = action.Reason + " (not applied: the sweep reached its deadline; confirmed on re-read)" };
        }
        catch (Exception e) when (e is AlibabaCloudException or OperationCanceledException)
        {
            return action with
            {
                Status = RemediationStatus.Failed,
                ErrorCode = "Unconfirmed",
                Reason = $"{Describe(action.Kind)} {action.KmsKeyId} was interrupted by the sweep's deadline after it may have reached the cloud; whether it was applied is unconfirmed (the next sweep re-reads it).",
            };
        }
    }

    private static string Describe(RemediationKind kind) => KeyRemediation.Describe(kind);

    private static string Message(Exception e) => e is AlibabaCloudException cloud ? $"{cloud.Code}: {cloud.ErrorMessage}" : "the deadline was reached";

    private static ReportError ErrorOf(string scope, string region, Exception e, string action) => e is AlibabaCloudException cloud
        ? new ReportError { Scope = scope, RegionId = region, Action = action, Code = cloud.Code, Message = cloud.ErrorMessage, RequestId = cloud.RequestId }
        : new ReportError { Scope = scope, RegionId = region, Action = action, Code = "DeadlineExceeded", Message = $"{action} did not finish before the sweep's deadline." };

    [LoggerMessage(Level = LogLevel.Information, Message = "Sweep {SweepId} started ({Mode}) over {Regions}")]
    private partial void LogSweepStarted(string sweepId, SweepMode mode, string regions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sweep {SweepId} finished: {Clusters} clusters, {Fail} fail, {Unknown} unknown, complete {Complete}")]
    private partial void LogSweepFinished(string sweepId, int clusters, int fail, int unknown, bool complete);
}
