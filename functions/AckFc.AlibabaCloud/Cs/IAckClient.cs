namespace AckFc.AlibabaCloud.Cs;

/// <summary>
/// The ACK (CS 2015-12-15) operations AckFc uses. Every method throws <see cref="AlibabaCloudException"/>
/// for an answer of the cloud that is not a success, after the retries the operation allows.
/// </summary>
public interface IAckClient
{
    /// <summary>Every cluster of a region (<c>DescribeClustersV1</c>, <c>region_id</c> filter, 100 a page, all pages).</summary>
    IAsyncEnumerable<AckCluster> ListClustersAsync(string regionId, CancellationToken cancellationToken = default);

    /// <summary>One cluster (<c>DescribeClusterDetail</c>) through the endpoint of <paramref name="regionId"/>.</summary>
    Task<AckCluster> GetClusterAsync(string regionId, string clusterId, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>UpdateKMSEncryption</c>. Retried only after a throttling answer (the request was not executed).
    /// Returns the request id the cloud gave the call.
    /// </summary>
    Task<string?> UpdateKmsEncryptionAsync(
        string regionId, string clusterId, KmsEncryptionChange change, CancellationToken cancellationToken = default);
}
