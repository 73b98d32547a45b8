using Microsoft.Extensions.Logging;

namespace AckFc.Local.Emulator;

/// <summary>An access key the emulator accepts. <see cref="ToString"/> hides the secret and the token.</summary>
/// <param name="AccessKeyId">The id clients put in <c>Credential=</c>.</param>
/// <param name="AccessKeySecret">The HMAC key.</param>
/// <param name="SecurityToken">
/// When set, requests with this id must carry exactly this STS token (<c>x-acs-security-token</c>); when null, any
/// signed token is accepted, which is what a local run with made-up STS credentials needs.
/// </param>
public sealed record EmulatorCredential(string AccessKeyId, string AccessKeySecret, string? SecurityToken = null)
{
    /// <summary>
    /// Who this key stands for in emitted events. Null: <see cref="EmulatorIdentity.DefaultRole"/> for a request
    /// signed with an STS token, else <see cref="EmulatorIdentity.DefaultUser"/>.
    /// </summary>
    public EmulatorIdentity? Identity { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"EmulatorCredential {{ AccessKeyId = {AccessKeyId}, AccessKeySecret = ***, SecurityToken = {(SecurityToken is null ? "any" : "***")} }}";
}

/// <summary>How to start an emulated region. Every property has a working default.</summary>
public sealed class EmulatorOptions
{
    /// <summary>The access key id accepted when no credentials are configured and the environment has none.</summary>
    public const string DefaultAccessKeyId = "ackfc-local-key-id";

    /// <summary>The matching secret: public on purpose, it only opens the local emulator.</summary>
    public const string DefaultAccessKeySecret = "ackfc-local-key-secret-do-not-use-in-production";

    /// <summary>Where Kestrel listens; port 0 picks a free port (see <see cref="RunningEmulator.BaseAddress"/>).</summary>
    public string Urls { get; set; } = "http://127.0.0.1:0";

    /// <summary>An in-memory fleet; wins over <see cref="FleetFile"/>. Neither set means the demo fleet.</summary>
    public FleetDefinition? Fleet { get; set; }

    /// <summary>A fleet file (<c>.yaml</c>, <c>.yml</c> or <c>.json</c>).</summary>
    public string? FleetFile { get; set; }

    /// <summary>
    /// Accepted access keys. Empty means: <c>ALIBABA_CLOUD_ACCESS_KEY_ID</c>/<c>_SECRET</c> when both are set,
    /// else <see cref="DefaultAccessKeyId"/>/<see cref="DefaultAccessKeySecret"/>.
    /// </summary>
    public IList<EmulatorCredential> Credentials { get; } = [];

    /// <summary>How long <c>UpdateKMSEncryption</c> keeps a cluster <c>updating</c>; zero applies the change at once.</summary>
    public TimeSpan UpdatingDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>ACK's cool-down after a completed change, during which another change answers 409.</summary>
    public TimeSpan CoolDown { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest accepted difference between <c>x-acs-date</c> and the emulator's clock.</summary>
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Seed of every random choice the faults make, so a failing run can be replayed.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>How many calls the call log keeps (oldest dropped first); counters are never dropped.</summary>
    public int CallLogCapacity { get; set; } = 10_000;

    /// <summary>The emulator's clock: signature skew, nonce expiry, <c>updating</c> and cool-down all read it.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Where ActionTrail events go: each is posted to <c>{sink}/invoke</c> as Function Compute invokes a function. More
    /// can be added while running (<see cref="EmulatorEvents.AddSink"/>). Events are recorded even with no sink.
    /// </summary>
    public IList<Uri> EventSinks { get; } = [];

    /// <summary>How long after the call an event is delivered (0 to one hour); measured on <see cref="TimeProvider"/>.</summary>
    public TimeSpan EventDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Share (0–1) of events delivered a second time with the same id, as EventBridge may do.</summary>
    public double EventDuplicateRate { get; set; }

    /// <summary>Where to log one line per answered request; null logs nothing (benchmarks, tests).</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    internal void Validate()
    {
        static void Require(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentException(message);
            }
        }

        Require(!string.IsNullOrWhiteSpace(Urls), "EmulatorOptions.Urls (--urls) must be an http:// URL such as http://127.0.0.1:0.");
        Require(UpdatingDuration >= TimeSpan.Zero, "EmulatorOptions.UpdatingDuration (--updating-seconds, ACKFC_EMULATOR_UPDATING_SECONDS) must not be negative.");
        Require(CoolDown >= TimeSpan.Zero, "EmulatorOptions.CoolDown (--cooldown-seconds, ACKFC_EMULATOR_COOLDOWN_SECONDS) must not be negative.");
        Require(MaxClockSkew > TimeSpan.Zero, "EmulatorOptions.MaxClockSkew must be positive.");
        Require(CallLogCapacity > 0, "EmulatorOptions.CallLogCapacity must be positive.");
        Require(EventDelay >= TimeSpan.Zero && EventDelay <= MaxEventDelay,
            "EmulatorOptions.EventDelay (--event-delay-ms, ACKFC_EMULATOR_EVENT_DELAY_MS) must be from 0 to 3600000 milliseconds.");
        Require(EventDuplicateRate is >= 0 and <= 1,
            "EmulatorOptions.EventDuplicateRate (--event-duplicate-rate, ACKFC_EMULATOR_EVENT_DUPLICATE_RATE) must be a number from 0 to 1.");
        foreach (var sink in EventSinks)
        {
            Require(IsSink(sink),
                $"EmulatorOptions.EventSinks (--event-sink, ACKFC_EMULATOR_EVENT_SINKS): '{sink}' must be an absolute http:// or https:// URL such as http://127.0.0.1:9000.");
        }

        foreach (var credential in Credentials)
        {
            Require(!string.IsNullOrWhiteSpace(credential.AccessKeyId) && !string.IsNullOrEmpty(credential.AccessKeySecret),
                "EmulatorOptions.Credentials: every credential needs an access key id and a secret.");
            Require(credential.Identity is null
                    || (EmulatorIdentity.Types.Contains(credential.Identity.Type, StringComparer.Ordinal) && !string.IsNullOrWhiteSpace(credential.Identity.UserName)),
                $"EmulatorOptions.Credentials: the identity of {credential.AccessKeyId} needs a type ({string.Join(", ", EmulatorIdentity.Types)}) and a user name.");
        }
    }

    internal static readonly TimeSpan MaxEventDelay = TimeSpan.FromHours(1);

    internal static bool IsSink(Uri? sink) =>
        sink is { IsAbsoluteUri: true } && (sink.Scheme == Uri.UriSchemeHttp || sink.Scheme == Uri.UriSchemeHttps) && sink.Query.Length == 0;

    internal IReadOnlyList<EmulatorCredential> ResolveCredentials()
    {
        if (Credentials.Count > 0)
        {
            return [.. Credentials];
        }

        var id = Environment.GetEnvironmentVariable("ALIBABA_CLOUD_ACCESS_KEY_ID");
        var secret = Environment.GetEnvironmentVariable("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
        return !string.IsNullOrWhiteSpace(id) && !string.IsNullOrEmpty(secret)
            ? [new EmulatorCredential(id, secret)]
            : [new EmulatorCredential(DefaultAccessKeyId, DefaultAccessKeySecret)];
    }
}
