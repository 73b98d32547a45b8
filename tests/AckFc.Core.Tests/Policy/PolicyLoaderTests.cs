using CsCheck;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AckFc.Core.Policy;
using AckFc.Core.Tests.Reporting;
using Json.Schema;
using YamlDotNet.RepresentationModel;

namespace AckFc.Core.Tests.Policy;

public sealed class PolicyLoaderTests
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "policy.schema.json"))));

    private static LoadedPolicy Parse(string yaml) => PolicyLoader.Parse(Encoding.UTF8.GetBytes(yaml), "p.yaml");

    public static TheoryData<string> ShippedPolicies() =>
    [
        "docs/policies/strict-production.yaml",
        "docs/policies/waivers.yaml",
        "docs/policies/remediation.yaml",
        "functions/AckFc.Local/Runner/demo-policy.yaml",
        "functions/AckFc.Core/Policy/default-policy.yaml",
    ];

    [Theory]
    [MemberData(nameof(ShippedPolicies))]
    public void ShippedPolicy_LoadsAndMatchesThePublishedSchema(string path)
    {
        var file = Path.Combine(RepoPaths.Root, path);
        var loaded = PolicyLoader.LoadFile(file);
        var schema = Schema.Value;

        using var document = JsonDocument.Parse(YamlToJson(File.ReadAllText(file))!.ToJsonString());
        var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.True(result.IsValid, string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))), loaded.Version);
    }

    [Fact]
    public void LoadBundled_SafeDefaults()
    {
        var policy = PolicyLoader.LoadBundled().Policy;

        Assert.False(policy.Remediation.Any);
        Assert.Empty(policy.Keys.Allowed);
        Assert.Same(ClusterSelector.All.GetType(), policy.NeverDisable.GetType());
        Assert.False(policy.NeverDisable.MatchesNothing);
    }

    [Theory]
    [InlineData("version: 1\nencrypton:\n  required: {}\n", 2, 1, "unknown key 'encrypton'")]
    [InlineData("version: 1\nkeys:\n  requireRotation: maybe\n", 3, 20, "true or false")]
    [InlineData("version: 1\nwaivers:\n  - rule: ACKFC-KEY-999\n    reason: r\n    owner: o\n    expires: 2027-01-01\n", 3, 11, "not a rule id")]
    [InlineData("version: 1\nwaivers:\n  - rule: ACKFC-KEY-010\n    reason: r\n    owner: o\n", 3, 5, "expires is required")]
    [InlineData("version: 1\nkeys:\n  allowed: [\"alias/[a-z]\"]\n", 3, 13, "not a valid glob")]
    [InlineData("version: 1\nkeys:\n  allowedByRegion:\n    Hangzhou: [\"*\"]\n", 4, 5, "not a region id")]
    [InlineData("version: 2\n", 1, 10, "version must be 1")]
    [InlineData("version: 1\nremediation:\n  enableEncryption:\n    enabled: true\n", 4, 5, "defaultKeys")]
    public void Parse_Mistake_FailsWithLineColumnAndTheKey(string yaml, int line, int column, string message)
    {
        var e = Assert.Throws<PolicyException>(() => Parse(yaml));

        Assert.Equal((line, column), ((int)e.Line, (int)e.Column));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"p.yaml:{line}:{column}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_StrayColonInBlock_LocatedErrorNotLibraryException()
    {
        // Found by the mutation test: YamlDotNet throws ArgumentException for this, not a YamlException.
        var e = Assert.Throws<PolicyException>(() => Parse("version: 1\nremediation:\n  enableEncryption:\n   : enabled: true\n"));

        Assert.True(e.Line > 1, e.Message);
        Assert.StartsWith($"p.yaml:{e.Line}:{e.Column}: not valid YAML", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Mutations_LoadOrFailWithLocation()
    {
        // 10,000 mutants of the demo policy (CsCheck; a failure prints the seed that replays it): one to three
        // characters replaced, inserted or deleted, from YAML's structural characters and a few letters.
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "functions/AckFc.Local/Runner/demo-policy.yaml"));
        var edit = Gen.Select(Gen.Int[0, text.Length - 1], Gen.Char["ax:- \n[]{}'\"#0*&!|>%@`\t"], Gen.Int[0, 2]);
        edit.Array[1, 3].Sample(edits =>
        {
            var mutant = new StringBuilder(text);
            foreach (var (at, c, kind) in edits)
            {
                var position = Math.Min(at, mutant.Length - 1);
                _ = kind switch
                {
                    0 => mutant.Remove(position, 1).Insert(position, c),
                    1 => mutant.Insert(position, c),
                    _ => mutant.Remove(position, 1),
                };
            }

            try
            {
                Parse(mutant.ToString());
            }
            catch (PolicyException e)
            {
                Assert.Matches(@"^p\.yaml:\d+:\d+: ", e.Message);
            }
        }, iter: 10_000);
    }

    private static JsonNode? YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Convert(stream.Documents[0].RootNode);

        static JsonNode? Convert(YamlNode node) => node switch
        {
            YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, Convert(c.Value)))),
            YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(Convert)]),
            YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain, Value: "true" or "false" } s => JsonValue.Create(s.Value == "true"),
            YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s when int.TryParse(s.Value, out var n) => JsonValue.Create(n),
            YamlScalarNode s => JsonValue.Create(s.Value),
            _ => null,
        };
    }
}
