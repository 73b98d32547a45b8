using System.Collections.Concurrent;
using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Compliance;
using AckFc.Core.Policy;

namespace AckFc.Core.Encryption;

/// <summary>Clusters with a change in flight in this instance: a second request for the same cluster is a conflict, not a second call.</summary>
internal sealed class ChangeLocks
{
    private readonly ConcurrentDictionary<string, byte> inFlight = new(StringComparer.Ordinal);

    public bool TryEnter(string clusterId) => inFlight.TryAdd(clusterId, 0);

    public void Exit(string clusterId) => inFlight.TryRemove(clusterId, out _);
}

/// <summary>
/// Gates <c>UpdateKMSEncryption</c> behind the policy: read, preflight, decide, then act only when allowed, needed and
/// not a dry run; follow the cluster until it runs again and verify. Writes are never retried here.
/// </summary>
internal sealed class EncryptionService(
    IAckClient ack,
    IKmsClient kms,
    IPolicyProvider policies,
    IAuditSink audit,
    ChangeLocks locks,
    AckFcCoreOptions options,
    TimeProvider time) : IEncryptionService
{
    public async Task<EncryptionChangeResult> ChangeAsync(EncryptionChangeRequest request, CancellationToken cancellationToken = default)
    {
        var loaded = policies.Current;
        EncryptionChangeResult result;
        if (request.DryRun)
        {
            // A dry run changes nothing, so any number may run beside a change of the same cluster.
            result = await DecideAndApplyAsync(request, loaded, cancellationToken);
        }
        else if (!locks.TryEnter(request.ClusterId))
        {
            result = Result(request, loaded, ChangeOutcome.Conflict, "Another change of this cluster is in progress in this instance.", []);
        }
        else
        {
            try
            {
                result = await DecideAndApplyAsync(request, loaded, cancellationToken);
            }
            finally
            {
                locks.Exit(request.ClusterId);
            }
        }

        await audit.WriteAsync(new AuditRecord
        {
            Time = time.GetUtcNow(),
            Actor = request.Actor,
            Action = "UpdateKMSEncryption",
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
            Outcome = result.Outcome.ToString(),
            Message = result.Message,
        }, CancellationToken.None);
        return result;
    }

    public async Task<ClusterKmsStatus> GetStatusAsync(string clusterId, string requestId, CancellationToken cancellationToken = default)
    {
        var loaded = policies.Current;
        var cluster = await FindClusterAsync(clusterId, null, cancellationToken)
            ?? throw new AlibabaCloudException(AlibabaCloudErrorKind.NotFound, "ErrorClusterNotFound",
                $"cluster {clusterId} was not found in {string.Join(", ", options.Regions)}", 404, action: "DescribeClusterDetail");
        KeyEvidence? evidence = null;
        if (cluster.Encryption is { State: EncryptionState.Enabled, KmsKeyId: { } keyId })
        {
            evidence = await ReadKeyAsync(cluster.RegionId, keyId, loaded.Policy, cancellationToken);
        }

        var judge = new ClusterJudge(time);
        var report = judge.Judge(cluster, evidence, loaded.Policy);
        KeyHealth? health = null;
        if (evidence?.Metadata is { } key)
        {
            health = new KeyHealth(key.KeyId, key.RegionId, key.KeyState, key.KeySpec, key.KeyUsage, evidence.IsServiceKey == true,
                key.DeletionProtection, key.AutomaticRotation, key.DeleteDate,
                key.DeleteDate is { } d && key.KeyState == "PendingDeletion" ? ClusterJudge.DaysUntil(d, time.GetUtcNow()) : null);
        }

        return new ClusterKmsStatus { Cluster = report, Key = health, PolicyVersion = loaded.Version };
    }

    private async Task<EncryptionChangeResult> DecideAndApplyAsync(EncryptionChangeRequest request, LoadedPolicy loaded, CancellationToken token)
    {
        var requestIds = new List<string>();
        if (!request.DisableEncryption && string.IsNullOrWhiteSpace(request.KmsKeyId))
        {
            return Result(request, loaded, ChangeOutcome.Invalid, "kms_key_id is required unless disable_encryption is true.", []);
        }

        AckCluster? cluster;
        try
        {
            cluster = await FindClusterAsync(request.ClusterId, request.RegionId, token);
        }
        catch (AlibabaCloudException e)
        {
            return CloudFailure(request, loaded, e, "reading the cluster");
        }

        if (cluster is null)
        {
            return Result(request, loaded, ChangeOutcome.NotFound, $"Cluster {request.ClusterId} was not found.", []);
        }

        var before = Summary(cluster);
        if (!cluster.SupportsSecretEncryption)
        {
            return Result(request, loaded, ChangeOutcome.Invalid,
                $"Cluster {cluster.ClusterId} is {cluster.ClusterSpec ?? cluster.ClusterType}: only ACK Pro clusters can encrypt Secrets with KMS.", []) with
            { RegionId = cluster.RegionId, Before = before };
        }

        if (cluster.State != "running")
        {
            return Result(request, loaded, ChangeOutcome.Conflict, $"Cluster {cluster.ClusterId} is {cluster.State}; changes wait until it is running.", []) with
            { RegionId = cluster.RegionId, Before = before, ErrorCode = "ErrorClusterState" };
        }

        var violations = new List<Violation>();
        string? keyId = null;
        if (request.DisableEncryption)
        {
            if (loaded.Policy.NeverDisable.Matches(cluster))
            {
                violations.Add(new Violation(RuleCatalog.NeverDisable,
                    $"The policy never allows Secret encryption to be turned off on cluster {cluster.ClusterId} ({cluster.Name}).",
                    new Dictionary<string, string> { ["clusterId"] = cluster.ClusterId }));
            }
        }
        else
        {
            var evidence = await ReadKeyAsync(cluster.RegionId, request.KmsKeyId!, loaded.Policy, token);
            if (evidence.Failure is { Kind: not AlibabaCloudErrorKind.NotFound } failure)
            {
                return CloudFailure(request, loaded, failure, "reading the key") with { RegionId = cluster.RegionId, Before = before };
            }

            keyId = evidence.Metadata?.KeyId ?? request.KmsKeyId;
            var judge = new ClusterJudge(time);
            foreach (var finding in judge.JudgeKey(cluster, keyId!, evidence, loaded.Policy).Where(f => f.Status is FindingStatus.Fail or FindingStatus.Unknown))
            {
                var details = new Dictionary<string, string> { ["kmsKeyId"] = keyId! };
                if (finding.DaysUntilDeletion is { } days)
                {
                    details["daysUntilDeletion"] = days.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                violations.Add(new Violation(finding.RuleId, finding.Message, details));
            }
        }

        var blocking = violations.Where(v => loaded.Policy.EnforcementOf(v.RuleId) == Enforcement.Enforce).ToList();
        var dryRunRules = violations.Where(v => loaded.Policy.EnforcementOf(v.RuleId) == Enforcement.DryRun).ToList();
        var decision = new Decision
        {
            Allowed = blocking.Count == 0,
            Enforcement = blocking.Count > 0 ? Enforcement.Enforce
                : dryRunRules.Count > 0 ? Enforcement.DryRun
                : violations.Count > 0 ? Enforcement.Warn
                : loaded.Policy.DefaultEnforcement,
            Violations = violations,
            PolicyVersion = loaded.Version,
            RequestId = request.RequestId,
        };
        var plan = new ChangePlan("UpdateKMSEncryption", cluster.ClusterId, cluster.RegionId, request.DisableEncryption ? null : keyId, request.DisableEncryption);
        EncryptionChangeResult Answer(ChangeOutcome outcome, string message) => new()
        {
            Outcome = outcome, Decision = decision, Message = message, ClusterId = cluster.ClusterId, RegionId = cluster.RegionId,
            ResolvedKmsKeyId = keyId, Plan = plan, Before = before, CloudRequestIds = requestIds,
        };

        if (!decision.Allowed)
        {
            return Answer(ChangeOutcome.Denied, $"Denied by policy: {string.Join(" ", blocking.Select(v => $"[{v.RuleId}] {v.Message}"))}");
        }

        var desiredReached = request.DisableEncryption
            ? cluster.Encryption.State == EncryptionState.Disabled
            : cluster.Encryption.State == EncryptionState.Enabled && cluster.Encryption.KmsKeyId == keyId;
        if (desiredReached)
        {
            return Answer(ChangeOutcome.NoChange, request.DisableEncryption
                ? "Secret encryption is already off; nothing was changed."
                : $"Secrets are already encrypted with {keyId}; nothing was changed.") with { After = before };
        }

        if (request.DryRun || dryRunRules.Count > 0)
        {
            var why = request.DryRun ? "Dry run" : $"Rules in dryrun enforcement ({string.Join(", ", dryRunRules.Select(v => v.RuleId))})";
            return Answer(ChangeOutcome.DryRun, $"{why}: the change is allowed and would call UpdateKMSEncryption; nothing was changed.");
        }

        if (cluster.Updated is { } updated && time.GetUtcNow() - updated < options.CoolDown)
        {
            return Answer(ChangeOutcome.Conflict,
                $"Cluster {cluster.ClusterId} changed at {updated:O}; ACK refuses another change within {options.CoolDown.TotalMinutes:0} minutes.") with
            { ErrorCode = "CoolDown" };
        }

        try
        {
            var id = await ack.UpdateKmsEncryptionAsync(cluster.RegionId, cluster.ClusterId,
                new KmsEncryptionChange(request.DisableEncryption ? null : keyId, request.DisableEncryption), token);
            if (id is not null)
            {
                requestIds.Add(id);
            }
        }
        catch (AlibabaCloudException e)
        {
            var failed = CloudFailure(request, loaded, e, "UpdateKMSEncryption");
            return Answer(failed.Outcome, failed.Message) with { ErrorCode = e.Code, CloudRequestIds = e.RequestId is null ? requestIds : [.. requestIds, e.RequestId] };
        }

        // ACK gives no task id: follow the cluster until it runs again, within our time budget.
        var until = time.GetUtcNow() + options.ChangeFollowTimeout;
        AckCluster current = cluster;
        while (true)
        {
            try
            {
                current = await ack.GetClusterAsync(cluster.RegionId, cluster.ClusterId, token);
            }
            catch (AlibabaCloudException)
            {
                // A failed read while following is not a failed change: keep following until the budget ends.
            }

            if (current.State == "running" || time.GetUtcNow() >= until)
            {
                break;
            }

            await Task.Delay(options.ChangePollInterval, time, token);
        }

        var after = Summary(current);
        if (current.State != "running")
        {
            return Answer(ChangeOutcome.Accepted, $"ACK accepted the change; cluster {cluster.ClusterId} is still {current.State}. Check GET /clusters/{cluster.ClusterId}/kms later.") with { After = after };
        }

        var verified = request.DisableEncryption
            ? current.Encryption.State == EncryptionState.Disabled
            : current.Encryption.State == EncryptionState.Enabled && current.Encryption.KmsKeyId == keyId;
        return verified
            ? Answer(ChangeOutcome.Applied, request.DisableEncryption
                ? $"Secret encryption of {cluster.ClusterId} is off (verified)."
                : $"Secrets of {cluster.ClusterId} are encrypted with {keyId} (verified).") with { After = after }
            : Answer(ChangeOutcome.CloudFailed, $"ACK accepted the change but the cluster does not show it (encryption {current.Encryption.State}, key {current.Encryption.KmsKeyId ?? "none"}).") with
            { After = after, ErrorCode = "NotVerified" };
    }

    private async Task<AckCluster?> FindClusterAsync(string clusterId, string? regionId, CancellationToken token)
    {
        IEnumerable<string> regions = regionId is null ? options.Regions : [regionId];
        foreach (var region in regions)
        {
            try
            {
                return await ack.GetClusterAsync(region, clusterId, token);
            }
            catch (AlibabaCloudException e) when (e.Kind == AlibabaCloudErrorKind.NotFound)
            {
                // Try the next configured region.
            }
        }

        return null;
    }

    private async Task<KeyEvidence> ReadKeyAsync(string region, string keyIdOrAlias, AckFcPolicy policy, CancellationToken token)
    {
        KmsKeyMetadata metadata;
        try
        {
            metadata = await kms.DescribeKeyAsync(region, keyIdOrAlias, token);
        }
        catch (AlibabaCloudException e)
        {
            return KeyEvidence.Failed(e);
        }

        bool? isService;
        try
        {
            isService = false;
            await foreach (var key in kms.ListKeysAsync(region, [KmsKeyFilter.ServiceKeys], token))
            {
                if (key.KeyId == metadata.KeyId)
                {
                    isService = true;
                    break;
                }
            }
        }
        catch (AlibabaCloudException)
        {
            isService = null;
        }

        List<string>? aliases = null;
        if (policy.Keys.NeedsAliases || keyIdOrAlias.StartsWith("alias/", StringComparison.Ordinal))
        {
            aliases = keyIdOrAlias.StartsWith("alias/", StringComparison.Ordinal) ? [keyIdOrAlias] : [];
            try
            {
                await foreach (var alias in kms.ListAliasesAsync(region, token))
                {
                    if (alias.KeyId == metadata.KeyId && !aliases.Contains(alias.AliasName))
                    {
                        aliases.Add(alias.AliasName);
                    }
                }
            }
            catch (AlibabaCloudException)
            {
                // Without the listing only the alias the caller named can match the allow-list.
            }

            if (aliases.Any(a => a.StartsWith("alias/acs/", StringComparison.Ordinal)))
            {
                isService = true;
            }
        }

        return KeyEvidence.Read(metadata, isService, aliases);
    }

    private static EncryptionSummary Summary(AckCluster cluster) => EncryptionSummary.From(cluster.Encryption);

    private static EncryptionChangeResult CloudFailure(EncryptionChangeRequest request, LoadedPolicy loaded, AlibabaCloudException e, string what)
    {
        var outcome = e.Kind switch
        {
            AlibabaCloudErrorKind.Conflict => ChangeOutcome.Conflict,
            AlibabaCloudErrorKind.NotFound => ChangeOutcome.NotFound,
            AlibabaCloudErrorKind.ClientError when e.StatusCode is 400 => ChangeOutcome.Invalid,
            _ => ChangeOutcome.CloudFailed,
        };
        return Result(request, loaded, outcome, $"The cloud refused {what}: {e.Code}: {e.ErrorMessage}", e.RequestId is null ? [] : [e.RequestId]) with { ErrorCode = e.Code };
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
