namespace AckFc.Local.Emulator;

/// <summary>The caller of a request whose signature verified: its access key id and who it stands for.</summary>
internal sealed record VerifiedCaller(string AccessKeyId, EmulatorIdentity Identity);
