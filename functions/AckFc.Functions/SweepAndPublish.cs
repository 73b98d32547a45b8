using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using AckFc.Core.Settings;
using AckFc.Worker;

namespace AckFc.Functions;

/// <summary>
/// A sweep as both functions run it: the payload parsed strictly and held to the configured regions, then the sweep
/// inside the invocation's time and the report set published. The sweep gets its own deadline, a reserve before
/// Function Compute's (<see cref="SweepRun.ReserveFor"/>), so there is always time left to write the report set;
/// publishing runs on a token bounded only by the hard deadline (less a moment to answer), never on the invocation's
/// token, which fires earlier.
/// </summary>
public sealed class SweepAndPublish(IComplianceService compliance, IReportPublisher publisher, AckFcCoreOptions core, TimeProvider time)
{
    /// <summary>The sweep a payload asks for; <see cref="BadRequestException"/> naming the field when it breaks the contract.</summary>
    /// <param name="what">What the payload is called in errors (<c>body</c>, <c>payload</c>).</param>
    public SweepRequest Parse(ReadOnlySpan<byte> payload, string what, string sweepId, string actor, DateTimeOffset? triggerTime = null)
    {
        var parsed = SweepPayload.Parse(payload, what);
        parsed.RequireConfiguredRegions(core.Regions);
        return new SweepRequest(parsed.Mode, parsed.Regions, sweepId, actor, triggerTime);
    }

    public async Task<PublishedReport> RunAsync(SweepRequest request, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var now = time.GetUtcNow();
        var left = context.Deadline is { } hard ? hard - now : (TimeSpan?)null;
        var sweepDeadline = context.Deadline is { } end && left is { } total ? end - SweepRun.ReserveFor(total) : request.Deadline;
        var report = await compliance.SweepAsync(request with { Deadline = sweepDeadline }, context.CancellationToken);

        // The invocation's token may have fired (the caller left, or the margin was reached): the report is still written.
        using var publishing = left is { } timeout
            ? new CancellationTokenSource(Max(context.Deadline!.Value - SweepRun.AnswerMarginFor(timeout) - time.GetUtcNow(), TimeSpan.FromMilliseconds(1)), time)
            : new CancellationTokenSource();
        return await publisher.PublishAsync(report, publishing.Token);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
