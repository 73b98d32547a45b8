using System.Text.Json;
using AckFc.Local.Emulator;
using Microsoft.Extensions.Time.Testing;

namespace AckFc.Local.Tests.Emulator;

public sealed class FleetLoaderTests
{
    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AckFc.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("AckFc.sln not found above the test output directory.");
    }

    [Fact]
    public async Task Load_DocumentedExample_ServedAsWritten()
    {
        var path = Path.Combine(RepoRoot(), "docs", "examples", "fleet.yaml");

        await using var emulator = await TestEmulator.StartAsync(configure: o => o.FleetFile = path);

        Assert.Equal(["cn-hangzhou", "cn-shanghai"], emulator.State.Regions);
        Assert.Equal(4, emulator.State.GetClusters().Count);
        var retiring = emulator.State.GetKey("alias/ackfc-retiring")!;
        Assert.Equal(TestEmulator.Start.AddDays(5), retiring.DeleteDate);
        Assert.Equal("Oss", emulator.State.GetKey("key-acs-oss-sh")!.Creator);
        Assert.Equal("unavailable", emulator.State.GetCluster("c-reports-hz")!.State);
        Assert.Equal("prod", emulator.State.GetCluster("c-prod-hz")!.Tags["env"]);
    }

    [Fact]
    public void Parse_Json_SameModelAsYaml()
    {
        var fleet = FleetLoader.Parse(
            """{"regions":["cn-hangzhou"],"keys":[{"keyId":"k1","regionId":"cn-hangzhou","aliases":["alias/a"]}],"clusters":[{"clusterId":"c1","regionId":"cn-hangzhou","encryption":{"kmsKeyId":"k1"}}]}""",
            json: true);

        FleetLoader.Validate(fleet);
        Assert.Equal("k1", fleet.Clusters[0].Encryption!.KmsKeyId);
        Assert.Equal("alias/a", fleet.Keys[0].Aliases[0]);
    }

    [Fact]
    public void Parse_YamlUnknownField_ErrorNamesLineAndField()
    {
        var ex = Assert.Throws<FleetFileException>(() => FleetLoader.Parse("regions: [cn-hangzhou]\nclusters:\n  - clusterId: c1\n    colour: blue\n", json: false, "bad.yaml"));

        Assert.Contains("bad.yaml", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 4", ex.Message, StringComparison.Ordinal);
        Assert.Contains("colour", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_JsonUnknownField_ErrorNamesField()
    {
        var ex = Assert.Throws<FleetFileException>(() => FleetLoader.Parse("""{"regions":["cn-hangzhou"],"colour":"blue"}""", json: true, "bad.json"));

        Assert.Contains("bad.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("colour", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralProblems_ListsEveryOne()
    {
        var fleet = new FleetDefinition
        {
            Regions = ["cn-hangzhou"],
            Keys =
            [
                new KeyDefinition { KeyId = "k1", RegionId = "cn-hangzhou", Aliases = ["alias/same"], KeyState = "PendingDeletion" },
                new KeyDefinition { KeyId = "k2", RegionId = "cn-beijing", Aliases = ["alias/same"], KeySpec = "AES" },
            ],
            Clusters = [new ClusterDefinition { ClusterId = "c1", RegionId = "cn-hangzhou", State = "sleeping", Created = "yesterday" }],
        };

        var ex = Assert.Throws<FleetFileException>(() => FleetLoader.Validate(fleet));

        Assert.Contains("needs deleteDate", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'cn-beijing' is not in regions", ex.Message, StringComparison.Ordinal);
        Assert.Contains("alias 'alias/same' is used twice", ex.Message, StringComparison.Ordinal);
        Assert.Contains("keySpec 'AES'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("state 'sleeping'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("created 'yesterday'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("6 problem(s)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_MissingFleetFile_ClearError()
    {
        var ex = await Assert.ThrowsAsync<FleetFileException>(() => TestEmulator.StartAsync(configure: o => o.FleetFile = "no-such-fleet.yaml"));

        Assert.Contains("no-such-fleet.yaml", ex.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be read", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_InvalidFleetFile_ClearError()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ackfc-fleet-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, "regions: []\n");
        try
        {
            var ex = await Assert.ThrowsAsync<FleetFileException>(() => TestEmulator.StartAsync(configure: o => o.FleetFile = path));

            Assert.Contains("regions must list at least one region", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("now", 0)]
    [InlineData("now+5d", 5 * 24 * 60)]
    [InlineData("now-12h", -12 * 60)]
    [InlineData("now+30m", 30)]
    public void TryParseTime_Relative_FromNow(string text, int minutes)
    {
        Assert.True(FleetLoader.TryParseTime(text, TestEmulator.Start, out var value));
        Assert.Equal(TestEmulator.Start.AddMinutes(minutes), value);
    }

    [Fact]
    public void TryParseTime_Garbage_False() => Assert.False(FleetLoader.TryParseTime("soon", TestEmulator.Start, out _));
}

public sealed class FleetGeneratorTests
{
    private static string Serialize(FleetDefinition fleet) => JsonSerializer.Serialize(fleet);

    [Fact]
    public void Generate_SameSeed_SameFleet() =>
        Assert.Equal(Serialize(FleetGenerator.Generate(500, 5, 40, seed: 7)), Serialize(FleetGenerator.Generate(500, 5, 40, seed: 7)));

    [Fact]
    public void Generate_OtherSeed_OtherFleet() =>
        Assert.NotEqual(Serialize(FleetGenerator.Generate(500, 5, 40, seed: 7)), Serialize(FleetGenerator.Generate(500, 5, 40, seed: 8)));

    [Fact]
    public async Task Generate_LargeFleet_ValidWithRequestedSizesAndEveryRisk()
    {
        var fleet = FleetGenerator.Generate(2000, 30, 300, seed: 1);

        FleetLoader.Validate(fleet, new FakeTimeProvider(TestEmulator.Start));
        await using var emulator = await TestEmulator.StartAsync(fleet: fleet);

        Assert.Equal(2000, emulator.State.GetClusters().Count);
        Assert.Equal(30, emulator.State.Regions.Count);
        var keys = emulator.State.GetKeys();
        Assert.Equal(300, keys.Count);
        Assert.Contains(keys, k => k.KeyState == "Disabled");
        Assert.Contains(keys, k => k.KeyState == "PendingDeletion");
        Assert.Contains(keys, k => k.CreatorType == "Service");
        Assert.Contains(keys, k => k.KeySpec != "Aliyun_AES_256");
        Assert.Contains(emulator.State.GetClusters(), c => c.ClusterSpec == "ack.standard");
        Assert.Contains(emulator.State.GetClusters(), c => c.EncryptionKeyId is null && c.ClusterSpec.StartsWith("ack.pro.", StringComparison.Ordinal));
    }
}
