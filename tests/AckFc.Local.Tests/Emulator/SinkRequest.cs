namespace AckFc.Local.Tests.Emulator;

/// <summary>One request the sink received.</summary>
internal sealed record SinkRequest(string Method, string Target, Dictionary<string, string> Headers, string Body, DateTimeOffset ReceivedAt);
