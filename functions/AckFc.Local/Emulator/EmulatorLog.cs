using Microsoft.Extensions.Logging;

namespace AckFc.Local.Emulator;

internal static partial class EmulatorLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Product} {Action} {RegionId} -> {Status} {ErrorCode} ({RequestId})")]
    public static partial void Answered(ILogger logger, string product, string action, string regionId, int status, string errorCode, string requestId);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Fault injected on {Action}: {Fault}")]
    public static partial void FaultInjected(ILogger logger, string action, string fault);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Emulator failure on {Action}")]
    public static partial void Failure(ILogger logger, Exception exception, string action);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Event {Type} {EventName} {Subject} {ErrorCode} ({EventId})")]
    public static partial void EventEmitted(ILogger logger, string type, string eventName, string subject, string errorCode, string eventId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Event {EventName} ({EventId}) not delivered to {Sink}: {Problem}")]
    public static partial void EventDeliveryFailed(ILogger logger, string eventName, string eventId, string sink, string problem);
}
