using AckFc.Core.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Tests.Settings;

/// <summary>Core's settings declared like every other options class: bound by variable name, checked at start, messages naming the variable.</summary>
public sealed class AckFcCoreOptionsTests
{
    private static AckFcCoreOptions Resolve(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        using var services = new ServiceCollection().AddLogging().AddAckFcCore(configuration).BuildServiceProvider();
        return services.GetRequiredService<AckFcCoreOptions>();
    }

    [Fact]
    public void Defaults_FromRegionsOnly()
    {
        var options = Resolve(("ACKFC_REGIONS", " cn-hangzhou, cn-shanghai ,cn-hangzhou"));

        Assert.Equal(["cn-hangzhou", "cn-shanghai"], options.Regions);
        Assert.Null(options.PolicyPath);
        Assert.Equal((4, 8, false), (options.RegionConcurrency, options.KeyConcurrency, options.ReportPassingFindings));
        Assert.Equal((TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5)), (options.ChangeFollowTimeout, options.ChangePollInterval, options.CoolDown));
    }

    [Fact]
    public void EverySetting_Bound()
    {
        var options = Resolve(
            ("ACKFC_REGIONS", "cn-beijing"), ("FC_REGION", "cn-hangzhou"), ("ACKFC_POLICY", "/code/policy.yaml"),
            ("ACKFC_SWEEP_CONCURRENCY", "2"), ("ACKFC_KEY_CONCURRENCY", "64"), ("ACKFC_CHANGE_TIMEOUT_SECONDS", "0"),
            ("ACKFC_CHANGE_POLL_SECONDS", "7"), ("ACKFC_REPORT_PASSING_FINDINGS", "true"));

        Assert.Equal(["cn-beijing"], options.Regions);
        Assert.Equal("/code/policy.yaml", options.PolicyPath);
        Assert.Equal((2, 64, true), (options.RegionConcurrency, options.KeyConcurrency, options.ReportPassingFindings));
        Assert.Equal((TimeSpan.Zero, TimeSpan.FromSeconds(7)), (options.ChangeFollowTimeout, options.ChangePollInterval));
    }

    [Fact]
    public void GuardOwnRoles_DefaultAndBound()
    {
        Assert.Equal(["ackfc-webhook", "ackfc-compliance", "ackfc-guard"], Resolve(("ACKFC_REGIONS", "cn-hangzhou")).GuardOwnRoles);
        Assert.Equal(["ops-guard", "ackfc.x_y"], Resolve(("ACKFC_REGIONS", "cn-hangzhou"), ("ACKFC_GUARD_OWN_ROLES", " ops-guard , ackfc.x_y,ops-guard ")).GuardOwnRoles);
    }

    [Theory]
    [InlineData("ops guard", "ACKFC_GUARD_OWN_ROLES: 'ops guard' is not a RAM role name")]
    [InlineData(" , ", "ACKFC_GUARD_OWN_ROLES must name at least one RAM role")]
    public void GuardOwnRoles_Bad_FailsNamingTheVariable(string value, string message)
    {
        var e = Assert.Throws<OptionsValidationException>(() => Resolve(("ACKFC_REGIONS", "cn-hangzhou"), ("ACKFC_GUARD_OWN_ROLES", value)));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoRegions_FunctionRegionUsed() =>
        Assert.Equal(["cn-shenzhen"], Resolve(("ACKFC_REGIONS", "  "), ("FC_REGION", "cn-shenzhen")).Regions);

    [Theory]
    [InlineData("ACKFC_REGIONS", "", "ACKFC_REGIONS is required")]
    [InlineData("ACKFC_REGIONS", "cn-hangzhou,Mars", "ACKFC_REGIONS: 'Mars' is not a region id")]
    [InlineData("FC_REGION", "moon base", "FC_REGION: 'moon base' is not a region id")]
    [InlineData("ACKFC_SWEEP_CONCURRENCY", "0", "ACKFC_SWEEP_CONCURRENCY must be a whole number from 1 to 64")]
    [InlineData("ACKFC_KEY_CONCURRENCY", "65", "ACKFC_KEY_CONCURRENCY must be a whole number from 1 to 64")]
    [InlineData("ACKFC_CHANGE_TIMEOUT_SECONDS", "3601", "ACKFC_CHANGE_TIMEOUT_SECONDS must be a whole number from 0 to 3600")]
    [InlineData("ACKFC_CHANGE_POLL_SECONDS", "0", "ACKFC_CHANGE_POLL_SECONDS must be a whole number from 1 to 600")]
    [InlineData("ACKFC_SWEEP_CONCURRENCY", "lots", "ACKFC_SWEEP_CONCURRENCY")]
    [InlineData("ACKFC_REPORT_PASSING_FINDINGS", "maybe", "ACKFC_REPORT_PASSING_FINDINGS")]
    public void BadValue_FailsAtStartNamingTheVariable(string variable, string value, string expected)
    {
        (string, string)[] settings = variable is "ACKFC_REGIONS" or "FC_REGION"
            ? [(variable, value)]
            : [("ACKFC_REGIONS", "cn-hangzhou"), (variable, value)];

        var error = Assert.Throws<OptionsValidationException>(() => Resolve(settings));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
