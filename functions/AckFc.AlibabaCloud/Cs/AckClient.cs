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

    /// <summary>Pages of one listing read at the same time after the first.</summary>
    internal const int PageConcurrency = 4;

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
        // Page 1 tells how many clusters there are; the pages after it are read up to PageConcurrency at a time and
        // yielded in page order, so a region of 1,000 clusters costs about three round trips instead of ten. The
        // calls are the same as one page after the other: a page is only asked for while the last answer says more.
        var (first, more, lastPage) = await ReadPageAsync(regionId, 1, cancellationToken).ConfigureAwait(false);
        foreach (var cluster in first)
        {
            yield return cluster;
        }

        if (!more)
        {
            yield break;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = new Queue<(int Page, Task<(IReadOnlyList<AckCluster> Clusters, bool More, int LastPage)> Read)>();
        var next = 2;
        try
        {
            while (true)
            {
                while (inFlight.Count < PageConcurrency && next <= Math.Min(lastPage, MaxPages))
                {
                    inFlight.Enqueue((next, ReadPageAsync(regionId, next, stop.Token)));
                    next++;
                }

                if (inFlight.Count == 0)
                {
                    if (next > MaxPages)
                    {
                        throw new AlibabaCloudException(
                            AlibabaCloudErrorKind.Transient, AcsErrors.InvalidResponseCode,
                            $"DescribeClustersV1 still reported more clusters after {MaxPages} pages.", action: "DescribeClustersV1");
                    }

                    // The listing grew while it was read: the last answer asks for pages past the first estimate.
                    lastPage = next;
                    continue;
                }

                var (_, read) = inFlight.Dequeue();
                var page = await read.ConfigureAwait(false);
                foreach (var cluster in page.Clusters)
                {
                    yield return cluster;
                }

                if (!page.More)
                {
                    yield break;
                }

                lastPage = Math.Max(lastPage, page.LastPage);
            }
        }
        finally
        {
            // Pages asked for ahead of an end (or of a failure) are not needed: cancel them and observe their outcome.
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var (_, read) in inFlight)
            {
                try
                {
                    await read.ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationCanceledException or AlibabaCloudException)
                {
                    // Not needed; the listing has its answer.
                }
            }
        }
    }

    /// <summary>One page; whether the answer says more clusters follow, and the last page its total implies.</summary>
    private async Task<(IReadOnlyList<AckCluster> Clusters, bool More, int LastPage)> ReadPageAsync(
        string regionId, int page, CancellationToken cancellationToken)
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
        var wire = result.Clusters ?? [];
        var clusters = new List<AckCluster>(wire.Count);
        foreach (var cluster in wire)
        {
            clusters.Add(Map(request, response, cluster, regionId));
        }

        if (wire.Count == 0 || result.PageInfo is not { } info)
        {
            return (clusters, false, page);
        }

        var number = info.PageNumber > 0 ? info.PageNumber : page;
        var size = info.PageSize > 0 ? info.PageSize : PageSize;
        var more = (long)number * size < info.TotalCount;
        var last = (int)Math.Min(MaxPages, (info.TotalCount + size - 1) / size);
        return (clusters, more, Math.Max(last, more ? page + 1 : page));
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
