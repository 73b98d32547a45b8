namespace AckFc.Local.Emulator;

/// <summary>One ActionTrail-shaped CloudEvent the emulator emitted, as tests read it back.</summary>
/// <param name="Id">The CloudEvent <c>id</c> (also <c>data.eventId</c>); a duplicate delivery carries the same one.</param>
/// <param name="Type"><c>kms:ActionTrail:ApiCall</c>, <c>cs:ActionTrail:ConsoleOperation</c>, …</param>
/// <param name="Subject"><c>acs.kms:{region}:{account}:key/{keyId}</c> or <c>acs.cs:{region}:{account}:cluster/{clusterId}</c>.</param>
/// <param name="EventName">The API name (<c>data.eventName</c>).</param>
/// <param name="ErrorCode">The error code of a failed call; empty when it succeeded.</param>
/// <param name="Time">When the call was answered (emulator clock).</param>
/// <param name="Json">The CloudEvent exactly as posted to the sinks.</param>
public sealed record EmittedEvent(string Id, string Type, string Subject, string EventName, string ErrorCode, DateTimeOffset Time, string Json);
