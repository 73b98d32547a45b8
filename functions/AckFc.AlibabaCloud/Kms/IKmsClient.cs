namespace AckFc.AlibabaCloud.Kms;

/// <summary>
/// The KMS (2016-01-20) operations AckFc uses, against the endpoint of the given region. Every method throws
/// <see cref="AlibabaCloudException"/> for an answer of the cloud that is not a success.
/// </summary>
public interface IKmsClient
{
    /// <summary><c>DescribeKey</c>, by key id or by <c>alias/…</c>.</summary>
    Task<KmsKeyMetadata> DescribeKeyAsync(string regionId, string keyIdOrAlias, CancellationToken cancellationToken = default);

    /// <summary><c>ListKeys</c> with filters, all pages.</summary>
    IAsyncEnumerable<KmsKeyReference> ListKeysAsync(
        string regionId, IReadOnlyList<KmsKeyFilter> filters, CancellationToken cancellationToken = default);

    /// <summary><c>ListAliases</c>, all pages.</summary>
    IAsyncEnumerable<KmsAlias> ListAliasesAsync(string regionId, CancellationToken cancellationToken = default);

    /// <summary><c>CancelKeyDeletion</c>; returns the request id.</summary>
    Task<string?> CancelKeyDeletionAsync(string regionId, string keyId, CancellationToken cancellationToken = default);

    /// <summary><c>SetDeletionProtection</c> on the key's ARN; returns the request id.</summary>
    Task<string?> SetDeletionProtectionAsync(
        string regionId, string keyArn, bool enable, string? description, CancellationToken cancellationToken = default);

    /// <summary><c>EnableKey</c>; returns the request id.</summary>
    Task<string?> EnableKeyAsync(string regionId, string keyId, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>GetSecretValue</c> (Secrets Manager): the current version (<c>ACSCurrent</c>) of a secret. The value never
    /// appears in an exception message: a malformed answer names the field, not the body.
    /// </summary>
    Task<KmsSecretValue> GetSecretValueAsync(string regionId, string secretName, CancellationToken cancellationToken = default);
}
