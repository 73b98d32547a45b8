using System.Diagnostics;

namespace AckFc.Core.Tests.TestDoubles;

/// <summary>Waits with a deadline: a condition that never comes true fails the test with what it waited for, never hangs it.</summary>
internal static class Wait
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Polls <paramref name="condition"/> every few milliseconds, running <paramref name="step"/> between polls.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, Action? step = null, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"Gave up after {limit.TotalSeconds:0} s waiting for {what}.");
            }

            step?.Invoke();
            await Task.Delay(5);
        }
    }
}
