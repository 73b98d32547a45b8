using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AckFc.AlibabaCloud.Http;
using AckFc.AlibabaCloud.Signing;

namespace AckFc.AlibabaCloud.Cs;

/// <summary>CS (ACK) over ROA: real paths, snake_case query and JSON.</summary>
internal sealed class AckClient(AcsTransport transport) : IAckClient
{
    internal const int PageSize = 100;

    // A cloud that keeps answering full pages past any sane fleet size is broken; stop instead of looping.
    private const int MaxPages = 10_000;

    public IAsyncEnumerable<AckCluster> ListClustersAsync(string regionId, CancellationToken cancellationToken = default)
    {
        AlibabaCloudRegion.EnsureValid(regionId);
        return ListAsync(regionId, cancellationToken);
    }

    public async Task<AckCluster> GetClusterAsync(string regionId, string clusterId, CancellationToken cancellationToken = default)
    {
        AlibabaCloudRegion.EnsureValid(regionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        var request = new AcsRequest(
            AcsService.Cs, regionId, "DescribeClusterDetail", HttpMethod.Get, AcsV3Signer.EncodePath("clusters", clusterId), []);
        using var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var cluster = AcsTransport.Deserialize(request, response, CsJsonContext.Default.CsCluster);
        return Map(request, response, cluster, regionId);
    }

    public async Task<string?> UpdateKmsEncryptionAsync(
        string regionId, string clusterId, KmsEncryptionChange change, CancellationToken cancellationToken = default)
    {
        AlibabaCloudRegion.EnsureValid(regionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentNullException.ThrowIfNull(change);
        if (!change.DisableEncryption && string.IsNullOrWhiteSpace(change.KmsKeyId))
        {
            throw new ArgumentException("A KMS key id is required unless encryption is being disabled.", nameof(change));
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(
            new CsUpdateKmsEncryptionBody { DisableEncryption = change.DisableEncryption, KmsKeyId = change.KmsKeyId },
            CsJsonContext.Default.CsUpdateKmsEncryptionBody);
        var request = new AcsRequest(
            AcsService.Cs, regionId, "UpdateKMSEncryption", HttpMethod.Put,
            AcsV3Signer.EncodePath("clusters", clusterId, "kms"), [], body, IsWrite: true);
        using var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return response.RequestId;
    }

    private async IAsyncEnumerable<AckCluster> ListAsync(string regionId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var page = 1; page <= MaxPages; page++)
        {
            var request = new AcsRequest(
                AcsService.Cs, regionId, "DescribeClustersV1", HttpMethod.Get, "/api/v1/clusters",
                [
                    new("region_id", regionId),
                    new("page_number", page.ToString(CultureInfo.InvariantCulture)),
                    new("page_size", PageSize.ToString(CultureInfo.InvariantCulture)),
                ]);
            using var response = await transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var result = AcsTransport.Deserialize(request, response, CsJsonContext.Default.CsClustersPage);
            var clusters = result.Clusters ?? [];
            foreach (var cluster in clusters)
            {
                yield return Map(request, response, cluster, regionId);
            }

            if (clusters.Count == 0 || result.PageInfo is not { } info)
            {
                yield break;
            }

            var number = info.PageNumber > 0 ? info.PageNumber : page;
            var size = info.PageSize > 0 ? info.PageSize : PageSize;
            if ((long)number * size >= info.TotalCount)
            {
                yield break;
            }
        }

        throw new AlibabaCloudException(
            AlibabaCloudErrorKind.Transient, AcsErrors.InvalidResponseCode,
            $"DescribeClustersV1 still reported more clusters after {MaxPages} pages.", action: "DescribeClustersV1");
    }

    private static AckCluster Map(AcsRequest request, AcsResponse response, CsCluster? wire, string regionId)
    {
        if (wire is null || string.IsNullOrWhiteSpace(wire.ClusterId))
        {
            throw AcsTransport.InvalidResponse(request, response, "A cluster in the answer has no cluster_id.");
        }

        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in wire.Tags ?? [])
        {
            if (!string.IsNullOrEmpty(tag?.Key))
            {
                tags[tag.Key] = tag.Value ?? string.Empty;
            }
        }

        return new AckCluster(
            wire.ClusterId,
            wire.Name ?? string.Empty,
            string.IsNullOrEmpty(wire.RegionId) ? regionId : wire.RegionId,
            wire.State ?? string.Empty,
            wire.ClusterType ?? string.Empty,
            NullIfEmpty(wire.ClusterSpec),
            NullIfEmpty(wire.Profile),
            tags,
            ClusterMetadata.ParseEncryption(wire.MetaData),
            ParseUpdated(wire.Updated));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    // "updated" is informational (the cool-down hint); a shape we do not know is dropped, not fatal.
    private static DateTimeOffset? ParseUpdated(JsonElement? updated) =>
        updated is { ValueKind: JsonValueKind.String } element &&
        DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : null;
}
