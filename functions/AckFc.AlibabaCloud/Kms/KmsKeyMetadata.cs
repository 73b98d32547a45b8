namespace AckFc.AlibabaCloud.Kms;

/// <summary>Every field of KMS <c>DescribeKey</c>'s <c>KeyMetadata</c> that AckFc reads.</summary>
public sealed record KmsKeyMetadata
{
    public required string KeyId { get; init; }
    public string? Arn { get; init; }
    /// <summary><c>Enabled</c>, <c>Disabled</c>, <c>PendingDeletion</c>, <c>PendingImport</c>.</summary>
    public required string KeyState { get; init; }
    /// <summary><c>Aliyun_AES_256</c>, <c>Aliyun_SM4</c>, <c>RSA_2048</c>, …</summary>
    public string? KeySpec { get; init; }
    /// <summary><c>ENCRYPT/DECRYPT</c> or <c>SIGN/VERIFY</c>.</summary>
    public string? KeyUsage { get; init; }
    /// <summary><c>Aliyun_KMS</c> or <c>EXTERNAL</c> (imported material).</summary>
    public string? Origin { get; init; }
    /// <summary><c>SOFTWARE</c> or <c>HSM</c>.</summary>
    public string? ProtectionLevel { get; init; }
    public string? Creator { get; init; }
    public string? Description { get; init; }
    public DateTimeOffset? CreationDate { get; init; }
    /// <summary>When a key in <c>PendingDeletion</c> is deleted.</summary>
    public DateTimeOffset? DeleteDate { get; init; }
    public bool DeletionProtection { get; init; }
    public string? DeletionProtectionDescription { get; init; }
    /// <summary><c>Enabled</c>, <c>Disabled</c> or <c>Suspended</c>.</summary>
    public string? AutomaticRotation { get; init; }
    public string? RotationInterval { get; init; }
    public DateTimeOffset? LastRotationDate { get; init; }
    public DateTimeOffset? NextRotationDate { get; init; }
    public string? PrimaryKeyVersion { get; init; }
    /// <summary>When imported material expires; null means never.</summary>
    public DateTimeOffset? MaterialExpireTime { get; init; }
    public string? DkmsInstanceId { get; init; }

    /// <summary>The region named in the ARN (<c>acs:kms:{region}:{account}:key/{id}</c>), if there is one.</summary>
    public string? RegionId => ArnPart(Arn, 2);

    /// <summary>The account named in the ARN, if there is one.</summary>
    public string? AccountId => ArnPart(Arn, 3);

    private static string? ArnPart(string? arn, int index)
    {
        if (string.IsNullOrEmpty(arn))
        {
            return null;
        }

        var parts = arn.Split(':');
        return parts.Length > index && parts[index].Length > 0 ? parts[index] : null;
    }
}

/// <summary>One entry of <c>ListKeys</c>.</summary>
public sealed record KmsKeyReference(string KeyId, string? KeyArn);

/// <summary>One entry of <c>ListAliases</c>.</summary>
public sealed record KmsAlias(string AliasName, string KeyId, string? AliasArn);

/// <summary>One <c>ListKeys</c> filter: AND across filters, OR within <see cref="Values"/>.</summary>
public sealed record KmsKeyFilter(string Key, IReadOnlyList<string> Values)
{
    /// <summary>Keys created by cloud services (service keys), the reliable way to tell them apart.</summary>
    public static KmsKeyFilter ServiceKeys { get; } = new("CreatorType", ["Service"]);
}

/// <summary>
/// One version of a Secrets Manager secret (<c>GetSecretValue</c>). <see cref="ToString"/> leaves the value out, so a
/// log line or an exception that formats the record never carries it.
/// </summary>
public sealed record KmsSecretValue(string SecretName, string? VersionId, string SecretData, string? SecretDataType)
{
    public override string ToString() => $"KmsSecretValue {{ SecretName = {SecretName}, VersionId = {VersionId}, SecretDataType = {SecretDataType} }}";
}
