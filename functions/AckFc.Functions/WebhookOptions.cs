using System.ComponentModel.DataAnnotations;
using System.Globalization;
using AckFc.Core.Signatures;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AckFc.Functions;

/// <summary>
/// The webhook's settings, bound from environment variables (the names in <see cref="ConfigurationKeyNameAttribute"/>)
/// and validated when the host starts. The variables are bound as text so that a value that is not a number fails
/// validation naming the variable, rather than the binder.
/// </summary>
public sealed class WebhookOptions
{
    public const int DefaultReplayCapacity = 50_000;

    /// <summary><c>ACKFC_WEBHOOK_SECRETS</c>: <c>keyId:secret,…</c>, secrets of 32+ characters (<see cref="SigningKey"/>).</summary>
    [ConfigurationKeyName("ACKFC_WEBHOOK_SECRETS")]
    [SigningKeyList("ACKFC_WEBHOOK_SECRETS")]
    public string? SecretList { get; set; }

    /// <summary>
    /// <c>ACKFC_WEBHOOK_REPLAY_CAPACITY</c>: signatures remembered inside the window to refuse replays (about 200 bytes
    /// each). When that many valid requests arrived within the window, more are refused with 503 rather than let a
    /// replay through or let memory grow without bound.
    /// </summary>
    [ConfigurationKeyName("ACKFC_WEBHOOK_REPLAY_CAPACITY")]
    [WholeNumber("ACKFC_WEBHOOK_REPLAY_CAPACITY", 100, 10_000_000)]
    public string? ReplayCapacitySetting { get; set; }

    /// <summary>Key id to secret, from <see cref="SecretList"/>. Empty: every call that needs a signature is refused.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; internal set; } = new Dictionary<string, string>();

    /// <summary>How far the signature time may be from ours.</summary>
    public TimeSpan Window { get; internal set; } = TimeSpan.FromSeconds(300);

    /// <summary>From <see cref="ReplayCapacitySetting"/>; <see cref="DefaultReplayCapacity"/> when it is not set.</summary>
    public int ReplayCapacity { get; internal set; } = DefaultReplayCapacity;

    /// <summary>Fills the typed values from the bound text (what does not parse is left for the validator to report).</summary>
    internal void Resolve()
    {
        if (SigningKey.TryParseList(SecretList, out var keys, out _))
        {
            Secrets = keys;
        }

        if (WholeNumberAttribute.TryParse(ReplayCapacitySetting, out var capacity))
        {
            ReplayCapacity = capacity;
        }
    }
}

/// <summary>Source-generated validator of <see cref="WebhookOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class WebhookOptionsValidator : IValidateOptions<WebhookOptions>;

/// <summary>A <c>keyId:secret,…</c> list; the error names the variable, the entry's position and key id, never a secret.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class SigningKeyListAttribute(string variable) : ValidationAttribute
{
    public string Variable { get; } = variable;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        SigningKey.TryParseList(value as string, out _, out var error)
            ? ValidationResult.Success
            : new ValidationResult($"{Variable}: {error}", validationContext.MemberName is { } m ? [m] : null);
}

/// <summary>An optional whole number within bounds, given as text.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class WholeNumberAttribute(string variable, int minimum, int maximum) : ValidationAttribute
{
    public string Variable { get; } = variable;

    public int Minimum { get; } = minimum;

    public int Maximum { get; } = maximum;

    public static bool TryParse(string? text, out int value)
    {
        value = 0;
        return !string.IsNullOrEmpty(text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var text = value as string;
        return string.IsNullOrEmpty(text) || (TryParse(text, out var number) && number >= Minimum && number <= Maximum)
            ? ValidationResult.Success
            : new ValidationResult(
                string.Create(CultureInfo.InvariantCulture, $"{Variable} must be a whole number from {Minimum} to {Maximum}, not '{text}'."),
                validationContext.MemberName is { } m ? [m] : null);
    }
}
