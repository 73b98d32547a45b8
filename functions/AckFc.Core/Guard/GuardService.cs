using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Encryption;
using AckFc.Core.Evidence;
using AckFc.Core.Judging;
using AckFc.Core.Policy;
using AckFc.Core.Reporting;
using AckFc.Core.Rules;
using AckFc.Core.Settings;
using Microsoft.Extensions.Logging;

namespace AckFc.Core.Guard;

/// <summary>
/// The key guard's orchestrator: parse → de-duplicate → recognise AckFc's own calls → classify → read the state now
/// (the key through <see cref="KeyEvidenceReader"/>, the region's cluster pages as the sweep reads them) → judge →
/// <see cref="GuardDecider"/> → act (re-read first, one per key, capped per hour) → notify → audit. An event costs the
/// cluster pages, one DescribeKey and the protective action; the service-key listing is never read here.
/// </summary>
internal sealed partial class GuardService(
    IAckClient ack,
    IKmsClient kms,
    IPolicyProvider policies,
    IEncryptionService encryption,
    IAuditSink audit,
    AckFcCoreOptions options,
    GuardState state,
    TimeProvider time,
    ILogger<GuardService> logger,
    Notifier? notifier = null,
    IReportStore? store = null) : IGuardService
{
    public const string Actor = "key guard";

    /// <summary>Clusters per <c>DescribeClustersV1</c> page (IAckClient's contract), to count the pages read.</summary>
    public const int ClusterPageSize = 100;

    private readonly KeyEvidenceReader reader = new(kms);
    private readonly KeyRemediation keyActions = new(kms);

    public async Task<GuardAnswer> HandleAsync(ReadOnlyMemory<byte> body, GuardInvocation invocation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        var events = GuardEventParser.Parse(body);
        var answers = new List<GuardEventAnswer>(events.Count);
        foreach (var e in events)
        {
            answers.Add(await HandleOneAsync(e, invocation, cancellationToken));
        }

        return new GuardAnswer { Events = answers };
    }

    private async Task<GuardEventAnswer> HandleOneAsync(GuardEvent e, GuardInvocation invocation, CancellationToken token)
    {
        var key = e.DedupeKey;
        var day = "guard-" + (e.Time ?? e.EventTime ?? time.GetUtcNow()).UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
        GuardEventAnswer answer;
        if (!state.TryBegin(key))
        {
            answer = Answer(e, GuardDecision.Duplicate, $"Event {e.Id} from {e.Source ?? "an unnamed source"} was handled already (or is being handled) by this instance.");
            Log(e, answer);
            return answer;
        }

        var handled = false;
        try
        {
            var markers = await MarkersAsync(day, token);
            if (markers.Contains("event." + hash))
            {
                handled = true;
                answer = Answer(e, GuardDecision.Duplicate, $"Event {e.Id} was handled already (its record is in the report store).");
            }
            else
            {
                var calls = new CloudCallCounter();
                answer = await DecideAndActAsync(e, invocation, day, hash, markers, calls, token);
                answer = answer with { CloudCalls = calls.Count };
                handled = answer.Decision != GuardDecision.Failed;
                if (handled)
                {
                    await MarkAsync(day, "event." + hash, token);
                }
            }
        }
        finally
        {
            state.End(key, handled);
        }

        Log(e, answer);
        return answer;
    }

    private async Task<GuardEventAnswer> DecideAndActAsync(
        GuardEvent e, GuardInvocation invocation, string day, string hash, IReadOnlyCollection<string> markers, CloudCallCounter calls, CancellationToken token)
    {
        if (!string.IsNullOrEmpty(e.ErrorCode))
        {
            return Answer(e, GuardDecision.Ignored, $"The call failed ({e.ErrorCode}), so it changed nothing.") with { RegionId = e.RegionId };
        }

        if (OwnCall(e, invocation) is { } own)
        {
            return Answer(e, GuardDecision.Own, own) with { RegionId = e.RegionId };
        }

        var classified = GuardEventClassifier.Classify(e, options.Regions);
        if (classified.Kind is not { } kind)
        {
            return Answer(e, GuardDecision.Ignored, classified.IgnoredReason!) with { RegionId = classified.RegionId };
        }

        var loaded = policies.Current;
        var region = classified.RegionId!;
        if (!loaded.Policy.Guard.Reacts(GuardEventKinds.ReactionOf(kind)))
        {
            return Answer(e, GuardDecision.Ignored, $"The policy turns the guard's reaction {GuardPolicy.NameOf(GuardEventKinds.ReactionOf(kind))} off.") with { RegionId = region };
        }

        // One key (or cluster) at a time: its read, the decision and the actions, so a second event reads what the first left.
        using var held = await state.LockAsync(
            kind == GuardEventKind.EncryptionDrift ? $"cluster:{region}/{classified.ClusterId}" : $"key:{region}/{classified.Key}", token);
        GuardSituation situation;
        KeyEvidence? keyNow;
        try
        {
            (situation, keyNow) = await ReadAsync(kind, classified, loaded.Policy, calls, token);
        }
        catch (AlibabaCloudException failure)
        {
            LogCloudFailure(e.EventName ?? "event", failure.Action ?? "a read", failure.Message);
            return Answer(e, GuardDecision.Failed,
                $"Reading the state failed ({failure.Action ?? "read"}: {failure.Code}, cloud request id {failure.RequestId ?? "none"}); Function Compute retries the event.") with
            { RegionId = region, KmsKeyId = classified.Key, };
        }

        if (kind == GuardEventKind.EncryptionDrift && situation.Clusters.Any(c => c.Cluster.State == ClusterStates.Updating))
        {
            // The change the event reports is still being applied: what the cluster shows now is not yet its outcome.
            return Answer(e, GuardDecision.Failed,
                $"The cluster {classified.ClusterId} is still updating its encryption; Function Compute retries the event once the change has settled.") with
            { RegionId = region, CloudCalls = calls.Count };
        }

        if (kind == GuardEventKind.DeleteAlias && situation.Clusters.Count == 0 && situation.Key == classified.Key)
        {
            return Answer(e, GuardDecision.Healthy,
                $"{classified.Key} named no key this instance has seen and is gone from {region}'s alias listing, and no cluster names it; the daily sweep re-checks the allow-list.") with
            { RegionId = region, KmsKeyId = classified.Key };
        }

        var verdict = GuardDecider.Decide(situation, loaded.Policy);
        var answer = Answer(e, verdict.Decision, verdict.Reason) with
        {
            Severity = verdict.Severity,
            RuleId = verdict.RuleId ?? (verdict.Decision == GuardDecision.Resolved ? GuardEventKinds.PrimaryRule(kind) : null),
            RegionId = region,
            KmsKeyId = situation.Key ?? (situation.Clusters.Count > 0 ? situation.Clusters[0].Cluster.Encryption.KmsKeyId : null),
            Clusters = verdict.Clusters,
        };
        if (verdict.Decision is not (GuardDecision.Alerted or GuardDecision.Resolved))
        {
            return answer;
        }

        var actions = new List<RemediationAction>();
        string? failed = null;
        foreach (var planned in verdict.Actions)
        {
            var done = planned.Apply ? await ActAsync(e, planned.Action, keyNow?.Metadata, loaded, day, hash, calls, token) : planned.Action;
            actions.Add(done);
            if (done.Status == RemediationStatus.Failed)
            {
                failed ??= done.Reason;
            }
        }

        held.Dispose();
        answer = answer with { Actions = actions };
        if (failed is not null)
        {
            answer = answer with { Decision = GuardDecision.Failed, Reason = $"{answer.Reason} An action failed: {failed} Function Compute retries the event." };
        }

        var notified = await NotifyAsync(e, answer, classified, day, hash, markers, token);
        answer = answer with { Notified = notified };
        await AuditAsync(e, answer, loaded, invocation);
        return answer;
    }

    /// <summary>The state now: the region's clusters (all pages), those the event concerns, and their key.</summary>
    private async Task<(GuardSituation Situation, KeyEvidence? Key)> ReadAsync(GuardEventKind kind, GuardClassification classified, AckFcPolicy policy, CloudCallCounter calls, CancellationToken token)
    {
        var region = classified.RegionId!;
        var named = classified.Key;
        string? keyId = named;
        if (kind == GuardEventKind.DeleteAlias)
        {
            keyId = state.KeyOfAlias(region, named!) ?? await FreshAliasAsync(region, named!, calls, token);
        }

        var listed = await ListClustersAsync(region, calls, token);
        KeyEvidence? evidence = null;
        var read = false;
        List<AckCluster> affected;
        if (kind == GuardEventKind.EncryptionDrift)
        {
            affected = [.. listed.Where(c => c.ClusterId == classified.ClusterId)];
            keyId = affected.Count > 0 && affected[0] is { Encryption: { State: EncryptionState.Enabled, KmsKeyId: { } used } } ? used : null;
        }
        else
        {
            if (kind != GuardEventKind.DeleteAlias && keyId!.StartsWith("alias/", StringComparison.Ordinal))
            {
                // ACK names clusters' keys by id: an alias is resolved first (the map, else DescribeKey, which is read anyway).
                if (state.KeyOfAlias(region, keyId) is { } known)
                {
                    keyId = known;
                }
                else
                {
                    (evidence, read) = (await ReadKeyAsync(region, keyId, policy, calls, token), true);
                    keyId = evidence.Metadata?.KeyId ?? keyId;
                }
            }

            affected = [.. listed.Where(c => c.SupportsSecretEncryption && c.Encryption is { State: EncryptionState.Enabled, KmsKeyId: { } used }
                && (used == keyId || used == named))];
        }

        if (affected.Count > 0 && !read && (keyId ?? named) is { } toRead)
        {
            evidence = await ReadKeyAsync(region, toRead, policy, calls, token);
            keyId = evidence.Metadata?.KeyId ?? keyId;
        }

        var judge = new ClusterJudge(time);
        var judged = affected.Select(c => new GuardJudgedCluster(c, judge.Judge(c, evidence, policy))).ToList();
        return (new GuardSituation(kind, region, kind == GuardEventKind.EncryptionDrift ? keyId : keyId ?? named, judged), evidence);
    }

    /// <summary>DescribeKey (and the alias listing when the policy's allow-list names aliases); a failed read other than "not found" throws.</summary>
    private async Task<KeyEvidence> ReadKeyAsync(string region, string key, AckFcPolicy policy, CloudCallCounter calls, CancellationToken token)
    {
        calls.Add(1 + (KeyEvidenceReader.NeedsAliases(policy, key.StartsWith("alias/", StringComparison.Ordinal)) ? 1 : 0));
        var (read, listingFailure) = await reader.ReadOneAsync(region, key, policy, token, readServiceKeys: false);
        if (read.Failure is { Kind: not AlibabaCloudErrorKind.NotFound } failure)
        {
            throw failure;
        }

        if (listingFailure is not null)
        {
            throw listingFailure;
        }

        if (read.Metadata is { } metadata && read.Aliases is { Count: > 0 } aliases)
        {
            state.LearnAliases(region, aliases.Select(a => (a, metadata.KeyId)));
        }

        return read;
    }

    private async Task<List<AckCluster>> ListClustersAsync(string region, CloudCallCounter calls, CancellationToken token)
    {
        var listed = new List<AckCluster>();
        try
        {
            await ClusterListing.ReadIntoAsync(ack, region, listed, token);
        }
        finally
        {
            // The pages read (the client hides them; it reads 100 a page): at least one.
            calls.Add(Math.Max(1, (listed.Count + ClusterPageSize - 1) / ClusterPageSize));
        }

        return listed;
    }

    /// <summary>The alias was not known to this instance: a fresh listing (it may still hold it if the event was fast).</summary>
    private async Task<string?> FreshAliasAsync(string region, string alias, CloudCallCounter calls, CancellationToken token)
    {
        calls.Add();
        var listed = new List<(string, string)>();
        await foreach (var a in kms.ListAliasesAsync(region, token))
        {
            listed.Add((a.AliasName, a.KeyId));
        }

        state.LearnAliases(region, listed);
        return state.KeyOfAlias(region, alias);
    }

    /// <summary>
    /// One protective action, under the event's lock and on the key as just read: the hourly cap, then a claim in the
    /// store so two instances act once, then the action if the state read still calls for it.
    /// </summary>
    private async Task<RemediationAction> ActAsync(
        GuardEvent e, RemediationAction action, KmsKeyMetadata? keyNow, LoadedPolicy loaded, string day, string hash, CloudCallCounter calls, CancellationToken token)
    {
        if (action.Kind != RemediationKind.EnableEncryption && (keyNow is null || !KeyRemediation.StillNeeded(action.Kind, keyNow)))
        {
            return action with { Status = RemediationStatus.Skipped, Reason = action.Reason + " (skipped: not needed as the key reads now)" };
        }

        var cap = loaded.Policy.Guard.MaxActionsPerHour;
        var now = time.GetUtcNow();
        if (!state.TryTakeAction(now, cap))
        {
            return action with { Reason = action.Reason + $" (not applied: the policy's cap of {cap} guard actions per hour was reached)" };
        }

        RemediationAction result;
        var target = action.Kind == RemediationKind.EnableEncryption ? action.ClusterId : action.KmsKeyId;
        var claim = "claim." + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{hash}|{action.Kind}|{target}")))[..32];
        if (store is not null && !await TryClaimAsync(day, claim, token))
        {
            result = action with { Status = RemediationStatus.Skipped, Reason = action.Reason + " (skipped: another instance claimed this event's action)" };
        }
        else if (action.Kind == RemediationKind.EnableEncryption)
        {
            result = await ReEnableAsync(e, action, calls, token);
        }
        else
        {
            result = await keyActions.ActAsync(action, keyNow!, null, calls, token);
        }

        if (result.Status != RemediationStatus.Applied)
        {
            state.ReturnAction(now);
        }

        return result;
    }

    /// <summary>Drift: encryption back on through the webhook's change path (same locks, cool-down check and audit).</summary>
    private async Task<RemediationAction> ReEnableAsync(GuardEvent e, RemediationAction action, CloudCallCounter calls, CancellationToken token)
    {
        calls.Add(2);
        var change = await encryption.ChangeAsync(new EncryptionChangeRequest(
            action.ClusterId!, action.KmsKeyId, false, false, $"key guard: {e.EventName} {e.Id} turned encryption off ({action.RuleId})", Actor,
            e.RequestId ?? e.Id, action.RegionId), token);
        var requestId = change.CloudRequestIds.Count > 0 ? change.CloudRequestIds[^1] : null;
        return change.Outcome switch
        {
            ChangeOutcome.Applied => action with { Status = RemediationStatus.Applied, Reason = change.Message, RequestId = requestId },
            ChangeOutcome.Accepted => action with { Status = RemediationStatus.Applied, Reason = "Accepted by ACK, state unconfirmed: " + change.Message, RequestId = requestId },
            ChangeOutcome.NoChange => action with { Status = RemediationStatus.Skipped, Reason = "Already encrypted when re-read: " + change.Message },
            ChangeOutcome.Conflict when change.ErrorCode == "CoolDown" => action with
            {
                Status = RemediationStatus.Failed, ErrorCode = change.ErrorCode,
                Reason = $"ACK's 5-minute cool-down refused re-enabling encryption for now ({change.Message}); the action is kept pending and retried with the event.",
            },
            ChangeOutcome.Conflict => action with
            {
                Status = RemediationStatus.Failed, ErrorCode = change.ErrorCode ?? "Conflict",
                Reason = $"The cluster is busy ({change.Message}); the action is kept pending and retried with the event.",
            },
            ChangeOutcome.Denied or ChangeOutcome.Invalid or ChangeOutcome.NotFound or ChangeOutcome.DryRun =>
                action with { Status = RemediationStatus.Skipped, Reason = change.Message, ErrorCode = change.ErrorCode },
            _ => action with { Status = RemediationStatus.Failed, Reason = change.Message, ErrorCode = change.ErrorCode },
        };
    }

    /// <summary>Why the event is AckFc's own call, or null: its access key, or an STS session of one of its roles.</summary>
    private string? OwnCall(GuardEvent e, GuardInvocation invocation)
    {
        var who = e.Identity;
        if (!string.IsNullOrEmpty(invocation.OwnAccessKeyId) && string.Equals(who.AccessKeyId, invocation.OwnAccessKeyId, StringComparison.Ordinal))
        {
            return $"{e.EventName} was made with this function's own credentials: never answered with an action.";
        }

        if (string.Equals(who.Type, GuardIdentity.AssumedRole, StringComparison.Ordinal) && who.UserName is { } user
            && options.GuardOwnRoles.FirstOrDefault(r => user.StartsWith(r + ":", StringComparison.Ordinal)) is { } role)
        {
            return $"{e.EventName} was made by AckFc's role {role} (ACKFC_GUARD_OWN_ROLES): never answered with an action.";
        }

        return null;
    }

    /// <summary>
    /// The alert, once per event: a retry after a failed action (same event) does not alert again, in this instance
    /// (memory) or another (the store's <c>notified.</c> marker).
    /// </summary>
    private async Task<IReadOnlyList<string>> NotifyAsync(
        GuardEvent e, GuardEventAnswer answer, GuardClassification classified, string day, string hash, IReadOnlyCollection<string> markers, CancellationToken token)
    {
        if (notifier is null || notifier.Channels.Count == 0 || markers.Contains("notified." + hash) || !state.TryMarkNotified(e.DedupeKey))
        {
            return [];
        }

        var alert = new GuardAlert
        {
            EventId = e.Id,
            EventName = e.EventName ?? "unknown",
            Decision = answer.Decision switch { GuardDecision.Resolved => "resolved", GuardDecision.Failed => "failed", _ => "alerted" },
            Resolved = answer.Decision == GuardDecision.Resolved,
            Severity = answer.Severity,
            RuleId = answer.RuleId,
            Reason = answer.Reason,
            RegionId = answer.RegionId ?? e.RegionId ?? "unknown",
            KmsKeyId = answer.KmsKeyId,
            ClusterId = classified.ClusterId,
            EventTime = e.EventTime ?? e.Time,
            IdentityType = e.Identity.Type,
            UserName = e.Identity.UserName,
            SourceIpAddress = e.SourceIpAddress,
            Clusters = [.. answer.Clusters.Select(c => new GuardAlertCluster(c.ClusterId, c.Name, c.RegionId, c.Status))],
            Actions = answer.Actions,
        };
        var outcome = await notifier.NotifyGuardAsync(alert, token);
        if (outcome.Delivered.Count > 0)
        {
            await MarkAsync(day, "notified." + hash, token);
        }

        return outcome.Delivered;
    }

    private async Task AuditAsync(GuardEvent e, GuardEventAnswer answer, LoadedPolicy loaded, GuardInvocation invocation)
    {
        var acted = answer.Actions.FirstOrDefault(a => a.Status is RemediationStatus.Applied or RemediationStatus.Failed);
        await audit.WriteAsync(new AuditRecord
        {
            Time = time.GetUtcNow(),
            Actor = Actor,
            Action = acted is null ? "Alert" : acted.Kind.ToString(),
            ClusterId = answer.Clusters.Count == 1 ? answer.Clusters[0].ClusterId : null,
            RegionId = answer.RegionId,
            KmsKeyId = answer.KmsKeyId,
            Reason = $"{e.EventName} event {e.Id} by {e.Identity} from {e.SourceIpAddress ?? "unknown"}; {answer.Clusters.Count} cluster(s): "
                     + string.Join(", ", answer.Clusters.Select(c => c.ClusterId)),
            PolicyVersion = loaded.Version,
            RequestId = invocation.RequestId,
            CloudRequestIds = [.. answer.Actions.Select(a => a.RequestId).OfType<string>()],
            Outcome = JsonDecision(answer.Decision),
            Message = answer.Reason,
        }, CancellationToken.None);
    }

    private async Task<IReadOnlyCollection<string>> MarkersAsync(string day, CancellationToken token)
    {
        if (store is null)
        {
            return [];
        }

        try
        {
            return await store.LoadMarkersAsync(day, token);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or AlibabaCloudException)
        {
            LogStoreFailure("reading the guard's markers", ex.Message);
            return [];
        }
    }

    private async Task MarkAsync(string day, string name, CancellationToken token)
    {
        if (store is null)
        {
            return;
        }

        try
        {
            await store.TryCreateMarkerAsync(day, name, token);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or AlibabaCloudException)
        {
            // The in-memory record still holds; a duplicate in another instance then re-reads and finds nothing to do.
            LogStoreFailure("recording a handled event", ex.Message);
        }
    }

    private async Task<bool> TryClaimAsync(string day, string name, CancellationToken token)
    {
        try
        {
            return await store!.TryCreateMarkerAsync(day, name, token);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or AlibabaCloudException)
        {
            // Without the store the per-instance lock and the re-read before acting still hold.
            LogStoreFailure("claiming an action", ex.Message);
            return true;
        }
    }

    private static GuardEventAnswer Answer(GuardEvent e, GuardDecision decision, string reason) =>
        new() { EventId = e.Id, EventName = e.EventName, Decision = decision, Reason = reason, RegionId = e.RegionId };

    private static string JsonDecision(GuardDecision decision) => decision switch
    {
        GuardDecision.Ignored => "ignored",
        GuardDecision.Duplicate => "duplicate",
        GuardDecision.Own => "own",
        GuardDecision.Healthy => "healthy",
        GuardDecision.Alerted => "alerted",
        GuardDecision.Resolved => "resolved",
        _ => "failed",
    };

    private void Log(GuardEvent e, GuardEventAnswer answer)
    {
        var latency = e.DeliveryLatency is { } l ? l.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms" : "unknown";
        var level = answer.Decision switch
        {
            GuardDecision.Failed => LogLevel.Error,
            GuardDecision.Alerted => LogLevel.Warning,
            _ => LogLevel.Information,
        };
        LogEvent(level, JsonDecision(answer.Decision), e.EventName ?? "unknown", answer.KmsKeyId ?? "none", answer.Clusters.Count, latency, answer.CloudCalls, answer.Reason);
    }

    [LoggerMessage(EventId = 9300, Message = "Guard {Decision}: {EventName} key {KmsKeyId}, {Clusters} cluster(s), delivery latency {Latency}, {CloudCalls} cloud call(s): {Reason}")]
    private partial void LogEvent(LogLevel level, string decision, string eventName, string kmsKeyId, int clusters, string latency, int cloudCalls, string reason);

    [LoggerMessage(EventId = 9301, Level = LogLevel.Warning, Message = "Guard: cloud failure while handling {EventName} ({What}): {Error}")]
    private partial void LogCloudFailure(string eventName, string what, string error);

    [LoggerMessage(EventId = 9302, Level = LogLevel.Warning, Message = "Guard: the report store failed {What}: {Error}")]
    private partial void LogStoreFailure(string what, string error);
}
