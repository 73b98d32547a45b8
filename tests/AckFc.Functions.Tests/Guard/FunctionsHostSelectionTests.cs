using AckFc.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AckFc.Functions.Tests.Guard;

/// <summary><c>ACKFC_FUNCTION</c> and the guard: <c>guard</c> serves it alone, <c>all</c> adds it.</summary>
public sealed class FunctionsHostSelectionTests
{
    private static async Task<IReadOnlyList<FunctionMetadata>> FunctionsOf(string selection)
    {
        await using var host = FunctionsHost.Build(["ACKFC_REGIONS=cn-hangzhou", "ACKFC_FUNCTION=" + selection], b => b.Urls = "http://127.0.0.1:0");
        return host.Functions;
    }

    [Fact]
    public async Task Guard_ServesOnlyTheGuard_WithItsEventBridgeTrigger()
    {
        var guard = Assert.Single(await FunctionsOf("guard"));

        Assert.Equal(("guard", TriggerKind.EventBridge), (guard.Name, guard.Trigger));
        Assert.Equal(GuardFunction.FilterPattern, guard.FilterPattern);
    }

    [Theory]
    [InlineData("all", "compliance,guard,webhook")]
    [InlineData("webhook", "webhook")]
    [InlineData("compliance", "compliance")]
    public async Task Selection_ServesItsFunctions(string selection, string expected)
    {
        var functions = await FunctionsOf(selection);

        Assert.Equal(expected, string.Join(',', functions.Select(f => f.Name).Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void Selection_BadValue_ListsGuardAmongTheChoices()
    {
        var e = Assert.Throws<OptionsValidationException>(() => FunctionsHost.SelectionOf(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ACKFC_FUNCTION"] = "gaurd" }).Build()));

        Assert.Contains("webhook, compliance, guard or all", e.Message, StringComparison.Ordinal);
        Assert.Contains("'gaurd'", e.Message, StringComparison.Ordinal);
    }
}
