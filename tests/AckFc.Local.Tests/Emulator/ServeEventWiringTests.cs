using AckFc.Local.Runner;

namespace AckFc.Local.Tests.Emulator;

/// <summary>What <c>serve</c> wires: the emulator's events go to the running host's <c>/invoke</c>, with delay and duplicates passed through.</summary>
public sealed class ServeEventWiringTests
{
    [Fact]
    public async Task EventsToHost_DisableKeyReachesTheHostsInvoke()
    {
        var reports = Path.Combine(Path.GetTempPath(), "ackfc-events-" + Guid.NewGuid().ToString("N"));
        await using var stack = await LocalRun.StartAsync(
            new LocalSettings(null, LocalSettings.DefaultPolicy, reports, "http://127.0.0.1:0", false,
                EventsToHost: true, EventDelay: TimeSpan.FromMilliseconds(20), EventDuplicateRate: 0.5),
            CancellationToken.None);
        using var http = new HttpClient { BaseAddress = stack.Emulator.BaseAddress };

        var disabled = await http.PostAsync("/_emulator/keys/key-demo-hz-prod/disable", null);
        await Wait.UntilAsync(() => stack.Emulator.Events.GetDeliveries().Count >= 1, "a delivery to the host");

        Assert.Equal(200, (int)disabled.StatusCode);
        Assert.Equal([stack.HostAddress], stack.Emulator.Events.Sinks);
        Assert.Equal(TimeSpan.FromMilliseconds(20), stack.Emulator.Events.Delay);
        Assert.Equal(0.5, stack.Emulator.Events.DuplicateRate);
        var delivery = stack.Emulator.Events.GetDeliveries()[0];
        Assert.Equal(stack.Emulator.Events.GetEmitted()[0].Id, delivery.EventId);
        // The host answered (whatever it decided): the event reached its /invoke.
        Assert.NotEqual(0, delivery.Status);
    }

    [Fact]
    public async Task WithoutEventsToHost_NoSink()
    {
        var reports = Path.Combine(Path.GetTempPath(), "ackfc-events-" + Guid.NewGuid().ToString("N"));
        await using var stack = await LocalRun.StartAsync(
            new LocalSettings(null, LocalSettings.DefaultPolicy, reports, "http://127.0.0.1:0", false), CancellationToken.None);

        Assert.Empty(stack.Emulator.Events.Sinks);
    }
}
