using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Guard;
using AckFc.Core.Reporting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace AckFc.Core.Tests.Guard;

public sealed class GuardServiceCollectionExtensionsTests
{
    [Fact]
    public void AddAckFcGuard_WithCoreAndReporting_ResolvesAScopedGuardSharingOneMemory()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ACKFC_REGIONS"] = "cn-hangzhou",
            ["ACKFC_REPORT_DIR"] = Path.Combine(Path.GetTempPath(), "ackfc-guard-di-" + Guid.NewGuid().ToString("N")),
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(Substitute.For<IAckClient>());
        services.AddSingleton(Substitute.For<IKmsClient>());
        services.AddAckFcCore(configuration).AddAckFcReporting(configuration).AddAckFcGuard(configuration);
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        using var one = provider.CreateScope();
        using var two = provider.CreateScope();
        var first = one.ServiceProvider.GetRequiredService<IGuardService>();

        Assert.IsType<GuardService>(first);
        Assert.Same(first, one.ServiceProvider.GetRequiredService<IGuardService>());
        Assert.NotSame(first, two.ServiceProvider.GetRequiredService<IGuardService>());
        Assert.Same(provider.GetRequiredService<GuardState>(), provider.GetRequiredService<GuardState>());
        Assert.NotNull(provider.GetRequiredService<IReportStore>());
    }
}
