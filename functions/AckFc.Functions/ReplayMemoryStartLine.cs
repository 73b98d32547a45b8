using AckFc.Core.Reporting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AckFc.Functions;

/// <summary>Says at host start which replay memory the webhook uses: per instance, or shared on the OSS report store.</summary>
internal sealed partial class ReplayMemoryStartLine(ReportStoreOptions store, ILogger<ReplayMemoryStartLine> logger) : IHostedService
{
    /// <summary>The memory in words, as the start line gives it.</summary>
    public static string Describe(ReportStoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.IsOss
            ? $"shared on {OssReplayMemory.Describe(store)} (create-only objects; a per-instance cache in front)"
            : $"per instance ({ReportStoreOptions.Variable} is not oss://…): a signature replayed to another instance is not caught";
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogReplayMemory(logger, Describe(store));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 61, Level = LogLevel.Information, Message = "Webhook replay memory: {ReplayMemory}")]
    private static partial void LogReplayMemory(ILogger logger, string replayMemory);
}
