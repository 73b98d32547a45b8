using AckFc.AlibabaCloud.Http;

namespace AckFc.AlibabaCloud.Tests.Http;

/// <summary>The wait after throttling: never sooner than asked, growing with each attempt, spread, capped.</summary>
public sealed class AcsResilienceTests
{
    [Theory]
    // asked ms, attempt (0-based, the one that failed), base ms, max ms, jitter → expected ms
    [InlineData(100, 0, 0, 20_000, 0.0, 100)]
    [InlineData(100, 0, 0, 20_000, 0.5, 150)]
    [InlineData(100, 1, 0, 20_000, 0.0, 200)]
    [InlineData(100, 3, 0, 20_000, 0.0, 800)]
    [InlineData(100, 3, 0, 20_000, 0.999, 1599.2)]
    [InlineData(-1, 0, 0, 20_000, 0.0, 50)]          // neither the cloud nor the settings ask: the 50 ms floor
    [InlineData(-1, 2, 1_000, 20_000, 0.0, 4_000)]    // the base delay when it is longer than what was asked
    [InlineData(30_000, 0, 0, 20_000, 0.0, 20_000)]   // never longer than the maximum
    [InlineData(100, 40, 0, 20_000, 0.0, 20_000)]     // many attempts: capped, no overflow
    public void ThrottledDelay_Table(int askedMs, int attempt, int baseMs, int maxMs, double jitter, double expectedMs)
    {
        TimeSpan? asked = askedMs < 0 ? null : TimeSpan.FromMilliseconds(askedMs);

        var delay = AcsResilience.ThrottledDelay(asked, attempt, TimeSpan.FromMilliseconds(baseMs), TimeSpan.FromMilliseconds(maxMs), jitter);

        Assert.Equal(expectedMs, delay.TotalMilliseconds, precision: 1);
    }

    [Fact]
    public void ThrottledDelay_RetriesOfOneBurstSpreadOverMoreThanAWindow()
    {
        // Five attempts of a call throttled in a one-second window must not all land inside the next second, or a burst
        // larger than the limit fails although the limit would serve it a little later (the fault storm's unknowns).
        var waited = Enumerable.Range(0, 4).Sum(n => AcsResilience.ThrottledDelay(TimeSpan.FromMilliseconds(100), n, TimeSpan.Zero, TimeSpan.FromSeconds(20), 0).TotalMilliseconds);

        Assert.True(waited > 1_000, $"four retries after 100 ms of retry-after wait only {waited} ms in all");
        Assert.Equal(10, AcsResilience.ThrottledAttempts(5));
    }
}
