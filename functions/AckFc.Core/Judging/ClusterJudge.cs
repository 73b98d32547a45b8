using System.Globalization;
using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Policy;
using AckFc.Core.Rules;

namespace AckFc.Core.Judging;

/// <summary>
/// Judges one cluster against the policy: pure, no I/O, time from <see cref="TimeProvider"/>. A read that failed is
/// <c>unknown</c> with the cloud's code and request id, never <c>pass</c>.
/// </summary>
internal sealed class ClusterJudge(TimeProvider time)
{
    public const string AesSpec = "Aliyun_AES_256";
    public const string EncryptDecrypt = "ENCRYPT/DECRYPT";

    /// <summary>The cluster's report entry. <paramref name="key"/> is ignored when encryption is off.</summary>
    public ClusterReport Judge(AckCluster cluster, KeyEvidence? key, AckFcPolicy policy)
    {
        var findings = new List<Finding>();
        string? reason = null;
        FindingStatus status;
        if (!cluster.SupportsSecretEncryption)
        {
            reason = $"Secret encryption with KMS needs ACK Pro or ACK Serverless Pro; this cluster is {cluster.ClusterSpec ?? cluster.ClusterType}.";
            status = FindingStatus.NotApplicable;
        }
        else if (cluster.Encryption.State == EncryptionState.Unknown)
        {
            reason = $"The cluster's encryption state could not be read: {cluster.Encryption.Problem}";
            findings.Add(Make(RuleCatalog.EncryptionEnabled, FindingStatus.Unknown, reason));
            status = FindingStatus.Unknown;
        }
        else
        {
            var required = policy.EncryptionRequired.Matches(cluster);
            if (cluster.Encryption.State == EncryptionState.Disabled)
            {
                findings.Add(required
                    ? Make(RuleCatalog.EncryptionEnabled, FindingStatus.Fail, "Secret encryption is off; the policy requires it for this cluster.")
                    : Make(RuleCatalog.EncryptionEnabled, FindingStatus.NotApplicable, "Secret encryption is off; the policy does not require it here."));
            }
            else
            {
                findings.Add(Make(RuleCatalog.EncryptionEnabled, FindingStatus.Pass, $"Secrets are encrypted with {cluster.Encryption.KmsKeyId}.", cluster.Encryption.KmsKeyId));
                findings.AddRange(JudgeKey(cluster, cluster.Encryption.KmsKeyId!, key, policy));
            }

            findings = [.. findings.Select(f => ApplyWaiver(f, cluster, policy))];
            status = Rollup(findings);
            if (status == FindingStatus.Unknown)
            {
                reason = findings.First(f => f.Status == FindingStatus.Unknown).Message;
            }
        }

        return new ClusterReport
        {
            ClusterId = cluster.ClusterId,
            Name = cluster.Name,
            RegionId = cluster.RegionId,
            ClusterSpec = cluster.ClusterSpec,
            ClusterType = cluster.ClusterType,
            Profile = cluster.Profile,
            State = cluster.State,
            Tags = cluster.Tags.Count == 0 ? null : cluster.Tags,
            Encryption = EncryptionSummary.From(cluster.Encryption),
            Status = status,
            StatusReason = reason,
            Findings = findings,
        };
    }

    /// <summary>The key rules (ACKFC-KEY-001 … 010) for a key a cluster uses or is about to use.</summary>
    public IReadOnlyList<Finding> JudgeKey(AckCluster cluster, string keyId, KeyEvidence? evidence, AckFcPolicy policy)
    {
        var findings = new List<Finding>();
        if (evidence?.Metadata is not { } key)
        {
            var failure = evidence?.Failure;
            if (failure is { Kind: AlibabaCloudErrorKind.NotFound })
            {
                findings.Add(Make(RuleCatalog.KeyMissing, FindingStatus.Fail,
                    $"Key {keyId} does not exist in {cluster.RegionId} ({failure.Code}): the cluster cannot decrypt its Secrets.", keyId) with
                { ErrorCode = failure.Code, RequestId = failure.RequestId });
            }
            else
            {
                var why = failure is null ? "it was not read" : $"{failure.Code}: {failure.ErrorMessage}";
                findings.Add(Make(RuleCatalog.KeyMissing, FindingStatus.Unknown, $"Key {keyId} could not be read ({why}).", keyId) with
                { ErrorCode = failure?.Code, RequestId = failure?.RequestId });
            }

            return findings;
        }

        var now = time.GetUtcNow();
        var id = key.KeyId;
        findings.Add(Make(RuleCatalog.KeyMissing, FindingStatus.Pass, $"Key {id} exists.", id));

        findings.Add(key.KeyState == KmsKeyStates.Disabled
            ? Make(RuleCatalog.KeyDisabled, FindingStatus.Fail, $"Key {id} is disabled: the API server cannot read Secrets or ServiceAccounts.", id)
            : Make(RuleCatalog.KeyDisabled, FindingStatus.Pass, $"Key {id} is {key.KeyState}.", id));

        if (key.KeyState == KmsKeyStates.PendingDeletion)
        {
            var days = key.DeleteDate is { } deleteDate ? DaysUntil(deleteDate, now) : (int?)null;
            var when = key.DeleteDate is { } d ? $" on {d.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}" : string.Empty;
            var countdown = days switch
            {
                null => "is scheduled for deletion",
                <= 0 => "is deleted today",
                1 => "is deleted in 1 day",
                _ => $"is deleted in {days} days",
            };
            findings.Add(Make(RuleCatalog.KeyPendingDeletion, FindingStatus.Fail,
                $"Key {id} {countdown}{when}; the cluster's Secrets become unreadable then. Cancel the deletion or switch keys.", id) with
            {
                DaysUntilDeletion = days,
                Details = key.DeleteDate is { } dd ? new Dictionary<string, string> { ["deleteDate"] = dd.ToString("O", CultureInfo.InvariantCulture) } : null,
            });
        }
        else
        {
            findings.Add(Make(RuleCatalog.KeyPendingDeletion, FindingStatus.Pass, $"Key {id} is not scheduled for deletion.", id));
        }

        findings.Add(JudgeMaterial(key, policy, now));

        var allowList = policy.Keys.AllowedIn(cluster.RegionId);
        if (allowList.Count == 0)
        {
            findings.Add(Make(RuleCatalog.KeyNotAllowed, FindingStatus.Pass, "The policy allows any key.", id));
        }
        else
        {
            var names = new List<string> { id };
            if (key.Arn is not null)
            {
                names.Add(key.Arn);
            }

            names.AddRange(evidence.Aliases ?? []);
            var allowed = names.Any(n => allowList.Any(g => g.IsMatch(n)));
            findings.Add(allowed
                ? Make(RuleCatalog.KeyNotAllowed, FindingStatus.Pass, $"Key {id} is on the allow-list.", id)
                : Make(RuleCatalog.KeyNotAllowed, FindingStatus.Fail,
                    $"Key {id} is not on the policy's allow-list ({string.Join(", ", allowList)}).", id));
        }

        var typeProblems = new List<string>();
        if (key.KeySpec != AesSpec)
        {
            typeProblems.Add($"spec {key.KeySpec ?? "unknown"} (needs {AesSpec})");
        }

        if (key.KeyUsage != EncryptDecrypt)
        {
            typeProblems.Add($"usage {key.KeyUsage ?? "unknown"} (needs {EncryptDecrypt})");
        }

        if (policy.Keys.RequireHsm && key.ProtectionLevel != KmsProtectionLevels.Hsm)
        {
            typeProblems.Add($"protection {key.ProtectionLevel ?? "unknown"} (the policy needs HSM)");
        }

        findings.Add(typeProblems.Count == 0
            ? Make(RuleCatalog.KeyWrongType, FindingStatus.Pass, $"Key {id} is {AesSpec} for {EncryptDecrypt}.", id)
            : Make(RuleCatalog.KeyWrongType, FindingStatus.Fail, $"Key {id} has {string.Join(", ", typeProblems)}.", id));

        findings.Add(evidence.IsServiceKey switch
        {
            true => Make(RuleCatalog.ServiceKey, FindingStatus.Fail,
                $"Key {id} is a service key created by a cloud service; ACK needs a customer master key.", id),
            false => Make(RuleCatalog.ServiceKey, FindingStatus.Pass, $"Key {id} is a customer master key.", id),
            null => Make(RuleCatalog.ServiceKey, FindingStatus.Unknown, $"Whether key {id} is a service key could not be read.", id),
        });

        findings.Add(key.RegionId is null
            ? Make(RuleCatalog.KeyOtherRegion, FindingStatus.Unknown, $"Key {id} has no ARN to tell its region.", id)
            : key.RegionId == cluster.RegionId
                ? Make(RuleCatalog.KeyOtherRegion, FindingStatus.Pass, $"Key {id} is in {cluster.RegionId}.", id)
                : Make(RuleCatalog.KeyOtherRegion, FindingStatus.Fail,
                    $"Key {id} is in {key.RegionId}, not in the cluster's region {cluster.RegionId}.", id));

        findings.Add(key.DeletionProtection
            ? Make(RuleCatalog.DeletionProtection, FindingStatus.Pass, $"Key {id} has deletion protection.", id)
            : policy.Keys.RequireDeletionProtection
                ? Make(RuleCatalog.DeletionProtection, FindingStatus.Fail,
                    $"Key {id} has no deletion protection: anyone with kms:ScheduleKeyDeletion can start the countdown.", id)
                : Make(RuleCatalog.DeletionProtection, FindingStatus.NotApplicable, "The policy does not require deletion protection.", id));

        findings.Add(key.AutomaticRotation == KmsRotationStates.Enabled
            ? Make(RuleCatalog.Rotation, FindingStatus.Pass, $"Key {id} rotates automatically.", id)
            : policy.Keys.RequireRotation
                ? Make(RuleCatalog.Rotation, FindingStatus.Fail, $"Automatic rotation of key {id} is {key.AutomaticRotation ?? "off"}.", id)
                : Make(RuleCatalog.Rotation, FindingStatus.NotApplicable, "The policy does not require rotation.", id));

        return findings;
    }

    /// <summary>Whole days from now until <paramref name="when"/>, rounded down; 0 when it is today or past.</summary>
    public static int DaysUntil(DateTimeOffset when, DateTimeOffset now) =>
        when <= now ? 0 : (int)Math.Floor((when - now).TotalDays);

    /// <summary>fail &gt; unknown &gt; waived &gt; pass; notApplicable only when nothing else is there.</summary>
    public static FindingStatus Rollup(IEnumerable<Finding> findings)
    {
        var statuses = findings.Select(f => f.Status).ToHashSet();
        return statuses.Contains(FindingStatus.Fail) ? FindingStatus.Fail
            : statuses.Contains(FindingStatus.Unknown) ? FindingStatus.Unknown
            : statuses.Contains(FindingStatus.Waived) ? FindingStatus.Waived
            : statuses.Contains(FindingStatus.Pass) ? FindingStatus.Pass
            : FindingStatus.NotApplicable;
    }

    private static Finding JudgeMaterial(KmsKeyMetadata key, AckFcPolicy policy, DateTimeOffset now)
    {
        var id = key.KeyId;
        if (key.KeyState == KmsKeyStates.PendingImport)
        {
            return Make(RuleCatalog.KeyMaterial, FindingStatus.Fail,
                $"Key {id} has no key material (PendingImport): nothing can be decrypted with it.", id);
        }

        if (key.Origin == KmsKeyOrigins.External && key.MaterialExpireTime is { } expires)
        {
            var days = DaysUntil(expires, now);
            if (days <= policy.Keys.MaterialExpiryWarningDays)
            {
                return Make(RuleCatalog.KeyMaterial, FindingStatus.Fail,
                    $"The imported material of key {id} expires in {days} days ({expires.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}); the key then returns to PendingImport.", id) with
                {
                    Severity = Severity.High,
                    Details = new Dictionary<string, string> { ["materialExpireTime"] = expires.ToString("O", CultureInfo.InvariantCulture) },
                };
            }
        }

        return Make(RuleCatalog.KeyMaterial, FindingStatus.Pass,
            key.Origin == KmsKeyOrigins.External ? $"The imported material of key {id} does not expire soon." : $"Key {id} has KMS-generated material.", id);
    }

    private Finding ApplyWaiver(Finding finding, AckCluster cluster, AckFcPolicy policy)
    {
        if (finding.Status != FindingStatus.Fail)
        {
            return finding;
        }

        var waivers = policy.Waivers.Where(w => w.RuleId == finding.RuleId && w.Selector.Matches(cluster)).ToList();
        if (waivers.Count == 0)
        {
            return finding;
        }

        var now = time.GetUtcNow();
        var live = waivers.Where(w => w.Expires > now).OrderByDescending(w => w.Expires).FirstOrDefault();
        if (live is not null)
        {
            return finding with { Status = FindingStatus.Waived, Waiver = new WaiverInfo(live.Reason, live.Owner, live.Expires, false) };
        }

        var last = waivers.OrderByDescending(w => w.Expires).First();
        return finding with
        {
            Waiver = new WaiverInfo(last.Reason, last.Owner, last.Expires, true),
            Message = finding.Message + $" (The waiver owned by {last.Owner} expired on {last.Expires.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.)",
        };
    }

    private static Finding Make(string ruleId, FindingStatus status, string message, string? keyId = null)
    {
        var rule = RuleCatalog.Get(ruleId);
        return new Finding
        {
            RuleId = ruleId,
            Status = status,
            Severity = rule.Severity,
            Message = message,
            KmsKeyId = keyId,
            CloudConfigRule = rule.CloudConfigRule,
        };
    }
}
