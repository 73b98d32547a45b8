using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace AckFc.AlibabaCloud.Http;

/// <summary>
/// One token bucket per (service, region), shared by every scope of the process, so a sweep that fans out
/// over many clusters stays under the cloud's quota instead of throttling itself. STS and ResourceManager have
/// one bucket each for all regions: their quotas belong to the calling account, not to a region.
/// </summary>
internal sealed class AcsRateLimiterRegistry(IOptions<AlibabaCloudOptions> options) : IDisposable
{
    /// <summary>
    /// STS answers <c>Throttling.Api</c> above 100 AssumeRole calls a second, a quota shared by the account and all
    /// its RAM users and roles.
    /// </summary>
    internal const int StsQps = 100;

    /// <summary>
    /// No quota is published for ListAccounts; a sweep lists a directory once, a page of 100 members per call, so a
    /// low rate costs nothing and keeps clear of whatever the limit is.
    /// </summary>
    internal const int ResourceManagerQps = 10;

    private const string AccountWide = "*";

    private readonly ConcurrentDictionary<(AcsService Service, string RegionId), Lazy<RateLimiter>> _limiters = new();

    public RateLimiter Get(AcsService service, string regionId) =>
        _limiters.GetOrAdd((service, KeyRegion(service, regionId)), key => new Lazy<RateLimiter>(() => Create(key.Service))).Value;

    public ValueTask<RateLimitLease> AcquireAsync(AcsService service, string regionId, CancellationToken cancellationToken) =>
        Get(service, regionId).AcquireAsync(1, cancellationToken);

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values.Where(l => l.IsValueCreated))
        {
            limiter.Value.Dispose();
        }

        _limiters.Clear();
    }

    private static string KeyRegion(AcsService service, string regionId) =>
        service is AcsService.Sts or AcsService.ResourceManager ? AccountWide : regionId;

    private TokenBucketRateLimiter Create(AcsService service)
    {
        var qps = service switch
        {
            AcsService.Cs => options.Value.CsQps,
            AcsService.Kms => options.Value.KmsQps,
            AcsService.Sts => StsQps,
            AcsService.ResourceManager => ResourceManagerQps,
            _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
        };

        // A one-second burst, refilled in steps no shorter than 50 ms: the replenishment runs on a timer, and a timer
        // cannot tick every 1/qps seconds at high rates (at 10,000 QPS that would be every 0.1 ms), which starved callers.
        var steps = Math.Clamp(qps, 1, 20);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = qps,
            TokensPerPeriod = (int)Math.Ceiling(qps / (double)steps),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1.0 / steps),
            QueueLimit = 100_000,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }
}
