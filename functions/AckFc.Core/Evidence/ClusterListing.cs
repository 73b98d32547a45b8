using AckFc.AlibabaCloud.Cs;

namespace AckFc.Core.Evidence;

/// <summary>A region's clusters as every orchestrator reads them: all pages, each cluster once.</summary>
internal static class ClusterListing
{
    /// <summary>
    /// Adds the region's clusters to <paramref name="into"/>, each once: pages can shift while they are read, so a
    /// cluster may be listed twice. A failure is thrown after the clusters read before it were added.
    /// </summary>
    public static async Task ReadIntoAsync(IAckClient ack, string region, List<AckCluster> into, CancellationToken token)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var cluster in ack.ListClustersAsync(region, token))
        {
            if (seen.Add(cluster.ClusterId))
            {
                into.Add(cluster);
            }
        }
    }
}
