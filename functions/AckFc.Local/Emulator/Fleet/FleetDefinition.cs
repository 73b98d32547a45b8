namespace AckFc.Local.Emulator;

/// <summary>
/// A fleet as written in a fleet file (YAML or JSON, camelCase names) or built in code. Dates are ISO 8601
/// (<c>2026-05-01T00:00:00Z</c>) or relative to the emulator's start (<c>now</c>, <c>now+5d</c>, <c>now-12h</c>,
/// <c>now+30m</c>), so a file can keep a key "five days from deletion" whenever it is loaded.
/// </summary>
public sealed class FleetDefinition
{
    /// <summary>The account id used in ARNs and as the <c>Creator</c> of customer keys.</summary>
    public string AccountId { get; set; } = "1000000000000001";

    /// <summary>Every region the emulator serves; each cluster and key names one of them.</summary>
    public List<string> Regions { get; set; } = [];

    /// <summary>The ACK clusters.</summary>
    public List<ClusterDefinition> Clusters { get; set; } = [];

    /// <summary>The KMS keys, with their aliases.</summary>
    public List<KeyDefinition> Keys { get; set; } = [];

    /// <summary>Secrets Manager secrets (<c>GetSecretValue</c>), e.g. the webhook's signing keys.</summary>
    public List<SecretDefinition> Secrets { get; set; } = [];

    /// <summary>The management account's display name in <c>ListAccounts</c>.</summary>
    public string DisplayName { get; set; } = "management";

    /// <summary>The resource directory id <c>ListAccounts</c> reports.</summary>
    public string ResourceDirectoryId { get; set; } = "rd-ackfc0001";

    /// <summary>
    /// The member accounts of the resource directory. Empty for a single-account fleet: the top-level
    /// clusters and keys always belong to the management account (<see cref="AccountId"/>).
    /// </summary>
    public List<AccountDefinition> Accounts { get; set; } = [];
}

/// <summary>A member account of the resource directory, with what it holds and the role the sweep assumes in it.</summary>
public sealed class AccountDefinition
{
    /// <summary>Unique across the fleet and different from the management account's.</summary>
    public string AccountId { get; set; } = "";

    /// <summary>The name <c>ListAccounts</c> reports; the id when empty.</summary>
    public string? DisplayName { get; set; }

    /// <summary>
    /// <c>CreateSuccess</c>, <c>InviteSuccess</c>, <c>PromoteSuccess</c> (joined) or one of the not-joined states
    /// (<c>PromoteVerifying</c>, <c>CreateVerifying</c>, …).
    /// </summary>
    public string Status { get; set; } = "CreateSuccess";

    /// <summary><c>created</c> or <c>invited</c>.</summary>
    public string JoinMethod { get; set; } = "created";

    /// <summary><c>ResourceAccount</c> or <c>CloudAccount</c>.</summary>
    public string Type { get; set; } = "ResourceAccount";

    /// <summary>The folder the account sits in (<c>fd-…</c>); the root folder when empty.</summary>
    public string? FolderId { get; set; }

    /// <summary>When the account joined (ISO 8601 or relative); defaults to a fixed date.</summary>
    public string? JoinTime { get; set; }

    /// <summary>
    /// The RAM role the management account may assume (<c>acs:ram::{accountId}:role/{role}</c>). Null or empty:
    /// the member has no such role and <c>AssumeRole</c> answers <c>EntityNotExist.Role</c>.
    /// </summary>
    public string? Role { get; set; } = "ResourceDirectoryAccountAccessRole";

    /// <summary>The role's longest session in seconds (900 to 43200); <c>DurationSeconds</c> above it is refused.</summary>
    public int MaxSessionDuration { get; set; } = 3600;

    /// <summary>The account's tags (<c>ListAccounts</c> with <c>IncludeTags</c>).</summary>
    public Dictionary<string, string> Tags { get; set; } = [];

    /// <summary>The account's ACK clusters (ids unique across every account).</summary>
    public List<ClusterDefinition> Clusters { get; set; } = [];

    /// <summary>The account's KMS keys (ids and aliases unique across every account).</summary>
    public List<KeyDefinition> Keys { get; set; } = [];

    /// <summary>Faults that belong to this account; none when null.</summary>
    public AccountFaults? Faults { get; set; }
}

/// <summary>
/// Faults of one member account, counted from the start or the last reset: the first N calls fail, the later
/// ones succeed, so a sweep that retries gets through and one that gives up reports the account unknown.
/// </summary>
public sealed class AccountFaults
{
    /// <summary>The first N <c>AssumeRole</c> calls for this account's role answer <c>Throttling.Api</c>; -1 means all of them.</summary>
    public int AssumeRoleThrottles { get; set; }

    /// <summary>The first N CS/KMS calls signed with this account's STS credentials answer <c>Throttling.User</c>; -1 means all.</summary>
    public int ApiThrottles { get; set; }
}

/// <summary>One KMS Secrets Manager secret of a fleet: its current (<c>ACSCurrent</c>) version.</summary>
public sealed class SecretDefinition
{
    /// <summary>Unique within its region.</summary>
    public string SecretName { get; set; } = "";

    /// <summary>One of <see cref="FleetDefinition.Regions"/>; secrets are regional.</summary>
    public string RegionId { get; set; } = "";

    /// <summary>The secret's text (<c>SecretData</c>).</summary>
    public string SecretData { get; set; } = "";

    /// <summary>The version id; generated when empty.</summary>
    public string? VersionId { get; set; }
}

/// <summary>One ACK cluster of a fleet.</summary>
public sealed class ClusterDefinition
{
    /// <summary>Unique across the fleet.</summary>
    public string ClusterId { get; set; } = "";

    /// <summary>Display name; the id when empty.</summary>
    public string? Name { get; set; }

    /// <summary>One of <see cref="FleetDefinition.Regions"/>.</summary>
    public string RegionId { get; set; } = "";

    /// <summary><c>ManagedKubernetes</c>, <c>Kubernetes</c>, <c>ExternalKubernetes</c>.</summary>
    public string ClusterType { get; set; } = "ManagedKubernetes";

    /// <summary><c>ack.pro.small</c> (Pro), <c>ack.standard</c> (Basic), <c>ack.pro.xlarge</c>, …</summary>
    public string ClusterSpec { get; set; } = "ack.pro.small";

    /// <summary><c>Default</c>, <c>Serverless</c>, <c>Edge</c>, <c>Lingjun</c>.</summary>
    public string Profile { get; set; } = "Default";

    /// <summary>ACK cluster state; <c>running</c> unless a scenario needs another.</summary>
    public string State { get; set; } = "running";

    /// <summary>Kubernetes version as ACK names it.</summary>
    public string CurrentVersion { get; set; } = "1.31.1-aliyun.1";

    /// <summary>Cluster tags.</summary>
    public Dictionary<string, string> Tags { get; set; } = [];

    /// <summary>Secret encryption; null means it was never turned on.</summary>
    public EncryptionDefinition? Encryption { get; set; }

    /// <summary>Creation time (ISO 8601 or <c>now-…</c>); defaults to a fixed date.</summary>
    public string? Created { get; set; }

    /// <summary>Last change (ISO 8601 or <c>now-…</c>); defaults to <see cref="Created"/>.</summary>
    public string? Updated { get; set; }
}

/// <summary>What <c>meta_data.Capabilities</c> says about Secret encryption.</summary>
public sealed class EncryptionDefinition
{
    /// <summary>The key in <c>EncryptionKMSKeyId</c>; it need not exist (that is what ACKFC-KEY-001 finds).</summary>
    public string? KmsKeyId { get; set; }

    /// <summary><c>DisableEncryption</c>.</summary>
    public bool Disabled { get; set; }
}

/// <summary>One KMS key of a fleet, with every <c>KeyMetadata</c> field of <c>DescribeKey</c>.</summary>
public sealed class KeyDefinition
{
    /// <summary>Unique across the fleet.</summary>
    public string KeyId { get; set; } = "";

    /// <summary>One of <see cref="FleetDefinition.Regions"/>; keys are regional.</summary>
    public string RegionId { get; set; } = "";

    /// <summary><c>Enabled</c>, <c>Disabled</c>, <c>PendingDeletion</c>, <c>PendingImport</c>.</summary>
    public string KeyState { get; set; } = "Enabled";

    /// <summary><c>Aliyun_AES_256</c>, <c>Aliyun_SM4</c>, <c>RSA_2048</c>, <c>RSA_3072</c>, <c>EC_P256</c>, <c>EC_P256K</c>, <c>EC_SM2</c>.</summary>
    public string KeySpec { get; set; } = "Aliyun_AES_256";

    /// <summary><c>ENCRYPT/DECRYPT</c> or <c>SIGN/VERIFY</c>.</summary>
    public string KeyUsage { get; set; } = "ENCRYPT/DECRYPT";

    /// <summary><c>Aliyun_KMS</c> or <c>EXTERNAL</c> (imported material, BYOK).</summary>
    public string Origin { get; set; } = "Aliyun_KMS";

    /// <summary><c>SOFTWARE</c> or <c>HSM</c>.</summary>
    public string ProtectionLevel { get; set; } = "SOFTWARE";

    /// <summary><c>User</c> (a customer key) or <c>Service</c> (created by a cloud service, alias <c>alias/acs/…</c>).</summary>
    public string CreatorType { get; set; } = "User";

    /// <summary>Who created the key; the account id for customer keys, the service name for service keys when empty.</summary>
    public string? Creator { get; set; }

    /// <summary>Free text.</summary>
    public string? Description { get; set; }

    /// <summary>ISO 8601 or relative; defaults to a fixed date.</summary>
    public string? CreationDate { get; set; }

    /// <summary>When a <c>PendingDeletion</c> key is deleted (required for that state).</summary>
    public string? DeleteDate { get; set; }

    /// <summary>Deletion protection on or off.</summary>
    public bool DeletionProtection { get; set; }

    /// <summary>Why deletion protection is on.</summary>
    public string? DeletionProtectionDescription { get; set; }

    /// <summary><c>Enabled</c>, <c>Disabled</c> or <c>Suspended</c>.</summary>
    public string AutomaticRotation { get; set; } = "Disabled";

    /// <summary>Rotation period, e.g. <c>31536000s</c>.</summary>
    public string? RotationInterval { get; set; }

    /// <summary>Last rotation (ISO 8601 or relative).</summary>
    public string? LastRotationDate { get; set; }

    /// <summary>Next rotation (ISO 8601 or relative).</summary>
    public string? NextRotationDate { get; set; }

    /// <summary>The current key version id; generated when empty.</summary>
    public string? PrimaryKeyVersion { get; set; }

    /// <summary>When imported material expires (EXTERNAL keys only); empty means never.</summary>
    public string? MaterialExpireTime { get; set; }

    /// <summary>The dedicated KMS instance, if any.</summary>
    public string? DkmsInstanceId { get; set; }

    /// <summary>Aliases (<c>alias/…</c>), unique across the fleet.</summary>
    public List<string> Aliases { get; set; } = [];

    /// <summary>Key tags (matched by the <c>TagKey</c>/<c>TagValue</c> filters of <c>ListKeys</c>).</summary>
    public Dictionary<string, string> Tags { get; set; } = [];
}
