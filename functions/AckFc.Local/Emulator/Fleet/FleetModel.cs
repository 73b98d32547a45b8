namespace AckFc.Local.Emulator;

/// <summary>A cluster as the emulator holds it. Guarded by the lock of <see cref="EmulatorState"/>.</summary>
internal sealed class EmulatedCluster
{
    public required string ClusterId { get; init; }

    /// <summary>The account that owns the cluster (the management account for top-level clusters).</summary>
    public string AccountId { get; init; } = "";
    public required string Name { get; set; }
    public required string RegionId { get; init; }
    public required string ClusterType { get; init; }
    public required string ClusterSpec { get; init; }
    public required string Profile { get; init; }
    public required string State { get; set; }
    public required string CurrentVersion { get; init; }
    public required Dictionary<string, string> Tags { get; init; }
    public string? EncryptionKeyId { get; set; }
    public bool EncryptionDisabled { get; set; }
    public DateTimeOffset Created { get; init; }
    public DateTimeOffset Updated { get; set; }

    /// <summary>While <c>updating</c>: when the change completes.</summary>
    public DateTimeOffset? UpdatingUntil { get; set; }
    public string? PendingKeyId { get; set; }
    public bool PendingDisable { get; set; }

    /// <summary>When the last encryption change completed; the cool-down counts from here.</summary>
    public DateTimeOffset? LastChangeCompleted { get; set; }

    public bool SupportsSecretEncryption => ClusterSpec.StartsWith("ack.pro.", StringComparison.Ordinal);

    public bool EncryptionEnabled => !EncryptionDisabled && !string.IsNullOrEmpty(EncryptionKeyId);

    /// <summary>
    /// Applies a change whose <c>updating</c> time has passed. Done lazily on every read, so the emulator needs
    /// no timers and a fake clock moves clusters forward exactly when a test advances it.
    /// </summary>
    public void Settle(DateTimeOffset now)
    {
        if (UpdatingUntil is { } until && now >= until)
        {
            if (PendingDisable)
            {
                EncryptionDisabled = true;
            }
            else
            {
                EncryptionKeyId = PendingKeyId;
                EncryptionDisabled = false;
            }

            State = "running";
            Updated = until;
            LastChangeCompleted = until;
            UpdatingUntil = null;
            PendingKeyId = null;
            PendingDisable = false;
        }
    }
}

/// <summary>A KMS key as the emulator holds it. Guarded by the lock of <see cref="EmulatorState"/>.</summary>
internal sealed class EmulatedKey
{
    public required string KeyId { get; init; }
    public required string RegionId { get; init; }
    public required string AccountId { get; init; }
    public required string KeyState { get; set; }
    public required string KeySpec { get; init; }
    public required string KeyUsage { get; init; }
    public required string Origin { get; init; }
    public required string ProtectionLevel { get; init; }
    public required string CreatorType { get; init; }
    public required string Creator { get; init; }
    public string Description { get; init; } = "";
    public DateTimeOffset CreationDate { get; init; }
    public DateTimeOffset? DeleteDate { get; set; }
    public bool DeletionProtection { get; set; }
    public string? DeletionProtectionDescription { get; set; }
    public required string AutomaticRotation { get; set; }
    public string? RotationInterval { get; set; }
    public DateTimeOffset? LastRotationDate { get; init; }
    public DateTimeOffset? NextRotationDate { get; set; }
    public required string PrimaryKeyVersion { get; init; }
    public DateTimeOffset? MaterialExpireTime { get; set; }
    public string? DkmsInstanceId { get; init; }
    public required List<string> Aliases { get; init; }
    public required Dictionary<string, string> Tags { get; init; }

    /// <summary>The state before <c>ScheduleKeyDeletion</c>, restored by <c>CancelKeyDeletion</c>.</summary>
    public string? StateBeforeDeletion { get; set; }

    public string Arn => $"acs:kms:{RegionId}:{AccountId}:key/{KeyId}";

    public string AliasArn(string alias) => $"acs:kms:{RegionId}:{AccountId}:{alias}";

    /// <summary>True once the deletion date has passed: the key no longer exists.</summary>
    public bool IsGone(DateTimeOffset now) => KeyState == "PendingDeletion" && DeleteDate is { } at && now >= at;

    /// <summary>Imported material that expired sends the key back to <c>PendingImport</c>, as KMS does.</summary>
    public void Settle(DateTimeOffset now)
    {
        if (Origin == "EXTERNAL" && MaterialExpireTime is { } expires && now >= expires && KeyState is "Enabled" or "Disabled")
        {
            KeyState = "PendingImport";
        }
    }
}

/// <summary>An account of the resource directory as the emulator holds it (the management account included).</summary>
internal sealed class EmulatedAccount
{
    public required string AccountId { get; init; }
    public required string DisplayName { get; init; }
    public required string Status { get; init; }
    public required string JoinMethod { get; init; }
    public required string Type { get; init; }
    public required string FolderId { get; init; }
    public required DateTimeOffset JoinTime { get; init; }
    public required bool IsManagement { get; init; }

    /// <summary>The role the management account may assume; null when the member lacks it.</summary>
    public string? Role { get; init; }
    public int MaxSessionDuration { get; init; } = 3600;
    public required Dictionary<string, string> Tags { get; init; }
    public int AssumeRoleThrottles { get; set; }
    public int ApiThrottles { get; set; }

    public bool Joined => Status is "CreateSuccess" or "InviteSuccess" or "PromoteSuccess";

    public string? RoleArn => Role is null ? null : $"acs:ram::{AccountId}:role/{Role}";
}

/// <summary>A validated fleet, ready to be served.</summary>
internal sealed record CompiledFleet(string AccountId, IReadOnlyList<string> Regions, List<EmulatedCluster> Clusters, List<EmulatedKey> Keys)
{
    /// <summary>Every account, the management account first.</summary>
    public List<EmulatedAccount> Accounts { get; init; } = [];

    public string ResourceDirectoryId { get; init; } = "rd-ackfc0001";
}
