using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace AckFc.AlibabaCloud.Http;

/// <summary>
/// One token bucket per (service, region), shared by every scope of the process, so a sweep that fans out
/// over many clusters stays under the cloud's quota instead of throttling itself.
/// </summary>
internal sealed class AcsRateLimiterRegistry(IOptions<AlibabaCloudOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<(AcsService Service, string RegionId), Lazy<RateLimiter>> _limiters = new();

    public RateLimiter Get(AcsService service, string regionId) =>
        _limiters.GetOrAdd((service, regionId), key => new Lazy<RateLimiter>(() => Create(key.Service))).Value;

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

    private TokenBucketRateLimiter Create(AcsService service)
    {
        var qps = service == AcsService.Cs ? options.Value.CsQps : options.Value.KmsQps;

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
