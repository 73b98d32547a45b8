namespace AckFc.AlibabaCloud.Cs;

/// <summary>An ACK cluster as AckFc needs it: identity, type and its Secret-encryption state.</summary>
/// <param name="ClusterId">The cluster id (<c>c…</c>).</param>
/// <param name="Name">The display name.</param>
/// <param name="RegionId">The region the cluster lives in.</param>
/// <param name="State">The lifecycle state as ACK reports it (<c>running</c>, <c>updating</c>, …).</param>
/// <param name="ClusterType"><c>ManagedKubernetes</c>, <c>Kubernetes</c>, <c>ExternalKubernetes</c>, …</param>
/// <param name="ClusterSpec"><c>ack.pro.small</c>, <c>ack.standard</c>, … (null when ACK does not say).</param>
/// <param name="Profile"><c>Default</c>, <c>Serverless</c>, <c>Edge</c>, <c>Lingjun</c> (null when ACK does not say).</param>
/// <param name="Tags">Cluster tags, key to value.</param>
/// <param name="Encryption">Secret encryption as read from <c>meta_data</c>.</param>
/// <param name="Updated">When ACK last changed the cluster, if it says (used for the change cool-down).</param>
public sealed record AckCluster(
    string ClusterId,
    string Name,
    string RegionId,
    string State,
    string ClusterType,
    string? ClusterSpec,
    string? Profile,
    IReadOnlyDictionary<string, string> Tags,
    ClusterEncryption Encryption,
    DateTimeOffset? Updated = null)
{
    /// <summary>True for ACK Pro and ACK Serverless Pro: the only clusters that can encrypt Secrets with KMS.</summary>
    public bool SupportsSecretEncryption =>
        ClusterSpec is not null && ClusterSpec.StartsWith("ack.pro.", StringComparison.Ordinal);
}

/// <summary>What <c>meta_data.Capabilities</c> says about Secret encryption.</summary>
public enum EncryptionState
{
    /// <summary><c>meta_data</c> was missing, empty or malformed: see <see cref="ClusterEncryption.Problem"/>.</summary>
    Unknown,
    /// <summary>No key, or <c>DisableEncryption</c> is true.</summary>
    Disabled,
    /// <summary>A key is set and encryption is not disabled.</summary>
    Enabled,
}

/// <summary>Secret encryption of one cluster.</summary>
/// <param name="State">Enabled, disabled, or unknown when <c>meta_data</c> could not be read.</param>
/// <param name="KmsKeyId">The key from <c>Capabilities.EncryptionKMSKeyId</c> (may be set while disabled).</param>
/// <param name="Problem">Why the state is unknown; null otherwise.</param>
public sealed record ClusterEncryption(EncryptionState State, string? KmsKeyId, string? Problem = null)
{
    public static ClusterEncryption Off { get; } = new(EncryptionState.Disabled, null);

    public static ClusterEncryption On(string kmsKeyId) => new(EncryptionState.Enabled, kmsKeyId);

    public static ClusterEncryption Unreadable(string problem) => new(EncryptionState.Unknown, null, problem);
}

/// <summary>The body of ACK's <c>UpdateKMSEncryption</c>.</summary>
/// <param name="KmsKeyId">The key to encrypt with (required unless disabling).</param>
/// <param name="DisableEncryption">True turns encryption off.</param>
public sealed record KmsEncryptionChange(string? KmsKeyId, bool DisableEncryption);
