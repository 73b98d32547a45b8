using AckFc.AlibabaCloud;
using Microsoft.Extensions.Configuration;

namespace AckFc.Core.Settings;

/// <summary>Settings of the Core services, read from the environment (contracts §1).</summary>
public sealed class AckFcCoreOptions
{
    /// <summary><c>ACKFC_REGIONS</c>, else <c>FC_REGION</c>.</summary>
    public IReadOnlyList<string> Regions { get; init; } = [];

    /// <summary><c>ACKFC_POLICY</c>: a policy file; null means the bundled policy.</summary>
    public string? PolicyPath { get; init; }

    /// <summary><c>ACKFC_SWEEP_CONCURRENCY</c>: regions swept at once.</summary>
    public int RegionConcurrency { get; init; } = 4;

    /// <summary><c>ACKFC_KEY_CONCURRENCY</c>: DescribeKey calls in flight per region.</summary>
    public int KeyConcurrency { get; init; } = 8;

    /// <summary><c>ACKFC_CHANGE_TIMEOUT_SECONDS</c>: how long the webhook follows a cluster in <c>updating</c>.</summary>
    public TimeSpan ChangeFollowTimeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary><c>ACKFC_CHANGE_POLL_SECONDS</c>: how often it re-reads the cluster meanwhile.</summary>
    public TimeSpan ChangePollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary><c>ACKFC_REPORT_PASSING_FINDINGS</c>: list passing findings in sweep reports (else only their rule ids).</summary>
    public bool ReportPassingFindings { get; init; }

    /// <summary>ACK refuses a second <c>UpdateKMSEncryption</c> within this time of the last change.</summary>
    public TimeSpan CoolDown { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Reads and checks the settings; a bad value throws naming the variable.</summary>
    public static AckFcCoreOptions FromConfiguration(IConfiguration configuration)
    {
        var regionText = configuration["ACKFC_REGIONS"];
        var variable = "ACKFC_REGIONS";
        if (string.IsNullOrWhiteSpace(regionText))
        {
            regionText = configuration["FC_REGION"];
            variable = "FC_REGION";
        }

        if (string.IsNullOrWhiteSpace(regionText))
        {
            throw new InvalidOperationException("ACKFC_REGIONS is required: the comma-separated regions to sweep, e.g. cn-hangzhou,cn-shanghai (FC_REGION is used when it is not set).");
        }

        var regions = regionText.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        foreach (var region in regions)
        {
            if (!AlibabaCloudRegion.IsValid(region))
            {
                throw new InvalidOperationException($"{variable}: '{region}' is not a region id such as cn-hangzhou.");
            }
        }

        return new AckFcCoreOptions
        {
            Regions = regions,
            PolicyPath = string.IsNullOrWhiteSpace(configuration["ACKFC_POLICY"]) ? null : configuration["ACKFC_POLICY"],
            RegionConcurrency = Int(configuration, "ACKFC_SWEEP_CONCURRENCY", 4, 1, 64),
            KeyConcurrency = Int(configuration, "ACKFC_KEY_CONCURRENCY", 8, 1, 64),
            ChangeFollowTimeout = TimeSpan.FromSeconds(Int(configuration, "ACKFC_CHANGE_TIMEOUT_SECONDS", 25, 0, 3600)),
            ChangePollInterval = TimeSpan.FromSeconds(Int(configuration, "ACKFC_CHANGE_POLL_SECONDS", 2, 1, 600)),
            ReportPassingFindings = configuration["ACKFC_REPORT_PASSING_FINDINGS"] switch
            {
                null or "" or "false" => false,
                "true" => true,
                var other => throw new InvalidOperationException($"ACKFC_REPORT_PASSING_FINDINGS must be true or false, not '{other}'."),
            },
        };
    }

    private static int Int(IConfiguration configuration, string name, int fallback, int min, int max)
    {
        var text = configuration[name];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new InvalidOperationException($"{name} must be a whole number from {min} to {max}, not '{text}'.");
    }
}
