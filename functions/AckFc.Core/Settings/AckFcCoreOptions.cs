using System.ComponentModel.DataAnnotations;
using AckFc.AlibabaCloud;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Settings;

/// <summary>
/// Settings of the Core services (contracts §1), bound from environment variables (the names in
/// <see cref="ConfigurationKeyNameAttribute"/>) and validated when the host starts; every message names the variable.
/// </summary>
public sealed class AckFcCoreOptions : IValidatableObject
{
    /// <summary><c>ACKFC_REGIONS</c>: the comma-separated regions to sweep.</summary>
    [ConfigurationKeyName("ACKFC_REGIONS")]
    public string? RegionList { get; set; }

    /// <summary><c>FC_REGION</c>: the function's own region, used when <c>ACKFC_REGIONS</c> is not set.</summary>
    [ConfigurationKeyName("FC_REGION")]
    public string? FunctionRegion { get; set; }

    /// <summary>The regions to sweep and act in, from <see cref="RegionList"/> or else <see cref="FunctionRegion"/>.</summary>
    public IReadOnlyList<string> Regions { get; set; } = [];

    /// <summary><c>ACKFC_POLICY</c>: a policy file; null means the bundled policy.</summary>
    [ConfigurationKeyName("ACKFC_POLICY")]
    public string? PolicyPath { get; set; }

    /// <summary><c>ACKFC_SWEEP_CONCURRENCY</c>: regions swept at once.</summary>
    [ConfigurationKeyName("ACKFC_SWEEP_CONCURRENCY")]
    [WholeNumber("ACKFC_SWEEP_CONCURRENCY", 1, 64)]
    public int RegionConcurrency { get; set; } = 4;

    /// <summary><c>ACKFC_KEY_CONCURRENCY</c>: DescribeKey calls in flight per region.</summary>
    [ConfigurationKeyName("ACKFC_KEY_CONCURRENCY")]
    [WholeNumber("ACKFC_KEY_CONCURRENCY", 1, 64)]
    public int KeyConcurrency { get; set; } = 8;

    /// <summary><c>ACKFC_CHANGE_TIMEOUT_SECONDS</c>: how long the webhook follows a cluster in <c>updating</c>.</summary>
    [ConfigurationKeyName("ACKFC_CHANGE_TIMEOUT_SECONDS")]
    [WholeNumber("ACKFC_CHANGE_TIMEOUT_SECONDS", 0, 3600)]
    public int ChangeTimeoutSeconds { get; set; } = 25;

    /// <summary><c>ACKFC_CHANGE_POLL_SECONDS</c>: how often it re-reads the cluster meanwhile.</summary>
    [ConfigurationKeyName("ACKFC_CHANGE_POLL_SECONDS")]
    [WholeNumber("ACKFC_CHANGE_POLL_SECONDS", 1, 600)]
    public int ChangePollSeconds { get; set; } = 2;

    /// <summary><c>ACKFC_REPORT_PASSING_FINDINGS</c>: list passing findings in sweep reports (else only their rule ids).</summary>
    [ConfigurationKeyName("ACKFC_REPORT_PASSING_FINDINGS")]
    public bool ReportPassingFindings { get; set; }

    /// <summary>The role names the guard recognises as AckFc's own when no <c>ACKFC_GUARD_OWN_ROLES</c> is set.</summary>
    public const string DefaultGuardOwnRoles = "ackfc-webhook,ackfc-compliance,ackfc-guard";

    /// <summary>
    /// <c>ACKFC_GUARD_OWN_ROLES</c>: comma-separated RAM role names whose STS sessions are AckFc itself; the key guard
    /// never answers their events with an action (loop safety).
    /// </summary>
    [ConfigurationKeyName("ACKFC_GUARD_OWN_ROLES")]
    public string? GuardOwnRoleList { get; set; }

    /// <summary>The role names of <see cref="GuardOwnRoleList"/> (or the default), parsed.</summary>
    public IReadOnlyList<string> GuardOwnRoles { get; set; } = DefaultGuardOwnRoles.Split(',');

    /// <summary>How long the webhook follows a change (from <see cref="ChangeTimeoutSeconds"/>; tests set it finer).</summary>
    public TimeSpan ChangeFollowTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>How often a change is re-read while followed (from <see cref="ChangePollSeconds"/>).</summary>
    public TimeSpan ChangePollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>ACK refuses a second <c>UpdateKMSEncryption</c> within this time of the last change.</summary>
    public TimeSpan CoolDown { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The variable the regions came from, for messages.</summary>
    private string RegionVariable => string.IsNullOrWhiteSpace(RegionList) ? "FC_REGION" : "ACKFC_REGIONS";

    /// <summary>Derives the typed values from the bound ones; a blank variable means "not set".</summary>
    internal void Normalise()
    {
        RegionList = Text(RegionList);
        FunctionRegion = Text(FunctionRegion);
        PolicyPath = Text(PolicyPath);
        GuardOwnRoleList = Text(GuardOwnRoleList);
        GuardOwnRoles = [.. (GuardOwnRoleList ?? DefaultGuardOwnRoles).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)];
        if ((RegionList ?? FunctionRegion) is { } text)
        {
            Regions = [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)];
        }

        ChangeFollowTimeout = TimeSpan.FromSeconds(ChangeTimeoutSeconds);
        ChangePollInterval = TimeSpan.FromSeconds(ChangePollSeconds);
    }

    private static bool IsRoleName(string role) =>
        role.Length is > 0 and <= 64 && role.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Regions.Count == 0)
        {
            yield return new ValidationResult(
                "ACKFC_REGIONS is required: the comma-separated regions to sweep, e.g. cn-hangzhou,cn-shanghai (FC_REGION is used when it is not set).",
                [nameof(RegionList)]);
        }

        foreach (var region in Regions.Where(r => !AlibabaCloudRegion.IsValid(r)))
        {
            yield return new ValidationResult($"{RegionVariable}: '{region}' is not a region id such as cn-hangzhou.", [nameof(RegionList)]);
        }

        if (GuardOwnRoles.Count == 0)
        {
            yield return new ValidationResult("ACKFC_GUARD_OWN_ROLES must name at least one RAM role, e.g. ackfc-guard.", [nameof(GuardOwnRoleList)]);
        }

        foreach (var role in GuardOwnRoles.Where(r => !IsRoleName(r)))
        {
            // The value is a role name, not a secret: naming it helps.
            yield return new ValidationResult(
                $"ACKFC_GUARD_OWN_ROLES: '{role}' is not a RAM role name (1 to 64 letters, digits, '.', '-' or '_').", [nameof(GuardOwnRoleList)]);
        }
    }

    /// <summary>Binds the settings; a value the binder cannot convert fails validation naming the variable, as any bad value does.</summary>
    internal static void Bind(IConfiguration configuration, AckFcCoreOptions options)
    {
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(AckFcCoreOptions), [e.Message]);
        }
    }
}

/// <summary>Source-generated validator of <see cref="AckFcCoreOptions"/> (AOT-safe).</summary>
[OptionsValidator]
internal sealed partial class AckFcCoreOptionsValidator : IValidateOptions<AckFcCoreOptions>;
