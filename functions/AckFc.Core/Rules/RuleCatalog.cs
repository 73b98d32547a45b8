namespace AckFc.Core.Rules;

/// <summary>How bad a failed rule is.</summary>
public enum Severity
{
    [JsonStringEnumMemberName("info")] Info,
    [JsonStringEnumMemberName("low")] Low,
    [JsonStringEnumMemberName("medium")] Medium,
    [JsonStringEnumMemberName("high")] High,
    [JsonStringEnumMemberName("critical")] Critical,
}

/// <summary>The outcome of one rule for one cluster, and the rolled-up status of a cluster.</summary>
public enum FindingStatus
{
    [JsonStringEnumMemberName("pass")] Pass,
    [JsonStringEnumMemberName("fail")] Fail,
    /// <summary>Could not be judged (a read failed, access denied): never counted as a pass.</summary>
    [JsonStringEnumMemberName("unknown")] Unknown,
    [JsonStringEnumMemberName("notApplicable")] NotApplicable,
    /// <summary>Failed, but a live waiver covers it.</summary>
    [JsonStringEnumMemberName("waived")] Waived,
}

/// <summary>One rule of the catalogue (contracts §6).</summary>
/// <param name="Id">Stable rule id, e.g. <c>ACKFC-KEY-003</c>.</param>
/// <param name="Title">What the rule checks, in a few words.</param>
/// <param name="Severity">Severity of a failure (KEY-004 can be lowered to high for expiring material).</param>
/// <param name="CloudConfigRule">The Alibaba Cloud Config managed rule that checks the same thing, if any.</param>
public sealed record RuleDefinition(string Id, string Title, Severity Severity, string? CloudConfigRule);

/// <summary>The rule catalogue of contracts §6. Ids are a public contract: never renumber.</summary>
public static class RuleCatalog
{
    public const string EncryptionEnabled = "ACKFC-ENC-001";
    public const string KeyMissing = "ACKFC-KEY-001";
    public const string KeyDisabled = "ACKFC-KEY-002";
    public const string KeyPendingDeletion = "ACKFC-KEY-003";
    public const string KeyMaterial = "ACKFC-KEY-004";
    public const string KeyNotAllowed = "ACKFC-KEY-005";
    public const string KeyWrongType = "ACKFC-KEY-006";
    public const string ServiceKey = "ACKFC-KEY-007";
    public const string KeyOtherRegion = "ACKFC-KEY-008";
    public const string DeletionProtection = "ACKFC-KEY-009";
    public const string Rotation = "ACKFC-KEY-010";
    public const string NeverDisable = "ACKFC-POL-001";

    public static IReadOnlyList<RuleDefinition> All { get; } =
    [
        new(EncryptionEnabled, "Secret encryption is enabled", Severity.High, "ack-cluster-encryption-enabled"),
        new(KeyMissing, "The cluster's key exists", Severity.Critical, null),
        new(KeyDisabled, "The cluster's key is enabled", Severity.Critical, null),
        new(KeyPendingDeletion, "The cluster's key is not pending deletion", Severity.Critical, "kms-key-state-not-pending-deletion"),
        new(KeyMaterial, "The key's material is imported and not about to expire", Severity.Critical, null),
        new(KeyNotAllowed, "The key is on the policy's allow-list", Severity.High, null),
        new(KeyWrongType, "The key is Aliyun_AES_256 for ENCRYPT/DECRYPT", Severity.High, null),
        new(ServiceKey, "The key is a customer master key, not a service key", Severity.High, null),
        new(KeyOtherRegion, "The key is in the cluster's region", Severity.High, null),
        new(DeletionProtection, "Deletion protection is on", Severity.Medium, "kms-key-delete-protection-enabled"),
        new(Rotation, "Automatic rotation is on", Severity.Low, "kms-key-rotation-enabled"),
        new(NeverDisable, "Encryption is never disabled on a protected cluster", Severity.High, null),
    ];

    private static readonly Dictionary<string, RuleDefinition> ById = All.ToDictionary(r => r.Id, StringComparer.Ordinal);

    /// <summary>The rule with this id; throws for an id that is not in the catalogue.</summary>
    public static RuleDefinition Get(string id) =>
        ById.TryGetValue(id, out var rule) ? rule : throw new ArgumentException($"'{id}' is not a rule id of the catalogue.", nameof(id));

    public static bool IsKnown(string id) => ById.ContainsKey(id);
}
