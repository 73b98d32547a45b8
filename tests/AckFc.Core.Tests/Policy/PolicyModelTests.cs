using AckFc.AlibabaCloud.Cs;
using AckFc.Core.Policy;

namespace AckFc.Core.Tests.Policy;

/// <summary>The policy's building blocks on their own: globs, selectors, key allow-lists, remediation switches, errors.</summary>
public sealed class PolicyModelTests
{
    private static Glob GlobOf(string pattern) =>
        Glob.TryParse(pattern, out var error) ?? throw new InvalidOperationException($"'{pattern}' should be a glob: {error}");

    private static AckCluster Cluster(string id = "c-1", string name = "web-1", string region = "cn-hangzhou", string? spec = "ack.pro.small",
        string? profile = "Default", Dictionary<string, string>? tags = null) =>
        new(id, name, region, "running", "ManagedKubernetes", spec, profile, tags ?? [], ClusterEncryption.Off);

    [Theory]
    [InlineData("web-*", "web-1", true)]
    [InlineData("web-*", "web-", true)]
    [InlineData("web-*", "web-a-b-c", true)]
    [InlineData("web-*", "my-web-1", false)]
    [InlineData("web-*", "Web-1", false)]
    [InlineData("web-?", "web-1", true)]
    [InlineData("web-?", "web-", false)]
    [InlineData("web-?", "web-12", false)]
    [InlineData("*", "", true)]
    [InlineData("*", "anything at all", true)]
    [InlineData("key-1", "key-1", true)]
    [InlineData("key-1", "key-10", false)]
    [InlineData("key-1", "xkey-1", false)]
    [InlineData("ack.pro.*", "ack.pro.small", true)]
    [InlineData("ack.pro.*", "ackXproXsmall", false)]
    [InlineData("a+b", "a+b", true)]
    [InlineData("a+b", "aab", false)]
    [InlineData("(x)|y", "(x)|y", true)]
    [InlineData("(x)|y", "y", false)]
    [InlineData("$^", "$^", true)]
    [InlineData("alias/*-prod", "alias/pay-prod", true)]
    [InlineData("alias/*-prod", "alias/pay-prod-2", false)]
    [InlineData("a?c*", "abcdef", true)]
    public void Glob_IsMatch_WholeValueCaseSensitiveOnlyStarAndQuestionSpecial(string pattern, string value, bool matches) =>
        Assert.Equal(matches, GlobOf(pattern).IsMatch(value));

    [Fact]
    public void Glob_IsMatchNull_False() => Assert.False(GlobOf("*").IsMatch(null));

    [Theory]
    [InlineData("alias/*")]
    [InlineData("key-?")]
    [InlineData("acs:kms:cn-hangzhou:123:key/k-1")]
    public void Glob_PatternAndToString_TheTextAsWritten(string pattern)
    {
        var glob = GlobOf(pattern);

        Assert.Equal(pattern, glob.Pattern);
        Assert.Equal(pattern, glob.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\n")]
    public void Glob_TryParseEmpty_NullWithReason(string pattern)
    {
        Assert.Null(Glob.TryParse(pattern, out var error));
        Assert.Equal("a glob may not be empty", error);
    }

    [Theory]
    [InlineData("a[bc]")]
    [InlineData("a]")]
    [InlineData("{a,b}")]
    [InlineData("a}")]
    [InlineData("a\\*")]
    public void Glob_TryParseBracketBraceOrBackslash_NullWithReason(string pattern)
    {
        Assert.Null(Glob.TryParse(pattern, out var error));
        Assert.Equal($"'{pattern}' is not a valid glob: only '*' and '?' are special", error);
    }

    [Fact]
    public void Glob_TryParseValid_NoError()
    {
        Assert.NotNull(Glob.TryParse("web-*", out var error));
        Assert.Null(error);
    }

    [Fact]
    public void ClusterSelector_AllAndEmpty_MatchEveryCluster()
    {
        Assert.True(ClusterSelector.All.Matches(Cluster()));
        Assert.True(new ClusterSelector().Matches(Cluster(spec: null, profile: null)));
        Assert.False(ClusterSelector.All.MatchesNothing);
    }

    [Fact]
    public void ClusterSelector_None_MatchesNoCluster()
    {
        Assert.True(ClusterSelector.None.MatchesNothing);
        Assert.False(ClusterSelector.None.Matches(Cluster()));
        Assert.False((ClusterSelector.None with { Names = [GlobOf("*")] }).Matches(Cluster()));
    }

    public static TheoryData<ClusterSelector, bool> OneCondition() => new()
    {
        { new() { ClusterIds = [GlobOf("c-*")] }, true },
        { new() { ClusterIds = [GlobOf("x-*"), GlobOf("c-1")] }, true },
        { new() { ClusterIds = [GlobOf("x-*")] }, false },
        { new() { Names = [GlobOf("web-?")] }, true },
        { new() { Names = [GlobOf("db-*"), GlobOf("web-1")] }, true },
        { new() { Names = [GlobOf("db-*")] }, false },
        { new() { Regions = ["cn-hangzhou"] }, true },
        { new() { Regions = ["cn-beijing", "cn-hangzhou"] }, true },
        { new() { Regions = ["cn-beijing"] }, false },
        { new() { Regions = ["CN-HANGZHOU"] }, false },
        { new() { ClusterSpecs = [GlobOf("ack.pro.*")] }, true },
        { new() { ClusterSpecs = [GlobOf("ack.standard"), GlobOf("ack.pro.small")] }, true },
        { new() { ClusterSpecs = [GlobOf("ack.standard")] }, false },
        { new() { Profiles = ["Default"] }, true },
        { new() { Profiles = ["Serverless", "Default"] }, true },
        { new() { Profiles = ["Serverless"] }, false },
        { new() { Profiles = ["default"] }, false },
        { new() { Tags = new Dictionary<string, Glob> { ["env"] = GlobOf("prod*") } }, true },
        { new() { Tags = new Dictionary<string, Glob> { ["env"] = GlobOf("prod*"), ["team"] = GlobOf("pay") } }, true },
        { new() { Tags = new Dictionary<string, Glob> { ["env"] = GlobOf("dev") } }, false },
        { new() { Tags = new Dictionary<string, Glob> { ["env"] = GlobOf("prod*"), ["team"] = GlobOf("web") } }, false },
        { new() { Tags = new Dictionary<string, Glob> { ["owner"] = GlobOf("*") } }, false },
    };

    [Theory]
    [MemberData(nameof(OneCondition))]
    public void ClusterSelector_OneCondition_DecidesAlone(ClusterSelector selector, bool matches) =>
        Assert.Equal(matches, selector.Matches(Cluster(tags: new() { ["env"] = "production", ["team"] = "pay" })));

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, false)]
    public void ClusterSelector_TwoConditions_BothMustHold(bool nameMatches, bool regionMatches, bool expected)
    {
        var selector = new ClusterSelector
        {
            Names = [GlobOf(nameMatches ? "web-*" : "db-*")],
            Regions = [regionMatches ? "cn-hangzhou" : "cn-beijing"],
        };

        Assert.Equal(expected, selector.Matches(Cluster()));
    }

    [Theory]
    [InlineData("ClusterIds")]
    [InlineData("Names")]
    [InlineData("Regions")]
    [InlineData("ClusterSpecs")]
    [InlineData("Profiles")]
    [InlineData("Tags")]
    public void ClusterSelector_EachConditionFailing_FailsOtherwiseMatchingSelector(string failing)
    {
        var selector = new ClusterSelector
        {
            ClusterIds = [GlobOf(failing == "ClusterIds" ? "x-*" : "c-*")],
            Names = [GlobOf(failing == "Names" ? "db-*" : "web-*")],
            Regions = [failing == "Regions" ? "cn-beijing" : "cn-hangzhou"],
            ClusterSpecs = [GlobOf(failing == "ClusterSpecs" ? "ack.standard" : "ack.pro.*")],
            Profiles = [failing == "Profiles" ? "Serverless" : "Default"],
            Tags = new Dictionary<string, Glob> { ["env"] = GlobOf(failing == "Tags" ? "dev" : "prod") },
        };
        var cluster = Cluster(tags: new() { ["env"] = "prod" });

        Assert.False(selector.Matches(cluster));
        Assert.True((failing switch
        {
            "ClusterIds" => selector with { ClusterIds = [] },
            "Names" => selector with { Names = [] },
            "Regions" => selector with { Regions = [] },
            "ClusterSpecs" => selector with { ClusterSpecs = [] },
            "Profiles" => selector with { Profiles = [] },
            _ => selector with { Tags = new Dictionary<string, Glob>() },
        }).Matches(cluster));
    }

    [Fact]
    public void ClusterSelector_ClusterWithoutProfile_CountsAsDefault()
    {
        Assert.True(new ClusterSelector { Profiles = ["Default"] }.Matches(Cluster(profile: null)));
        Assert.False(new ClusterSelector { Profiles = ["Serverless"] }.Matches(Cluster(profile: null)));
    }

    [Fact]
    public void ClusterSelector_ServerlessCluster_MatchedByItsOwnProfileOnly()
    {
        Assert.True(new ClusterSelector { Profiles = ["Serverless"] }.Matches(Cluster(profile: "Serverless")));
        Assert.False(new ClusterSelector { Profiles = ["Default"] }.Matches(Cluster(profile: "Serverless")));
    }

    [Fact]
    public void ClusterSelector_ClusterWithoutSpec_NoSpecGlobMatches()
    {
        Assert.False(new ClusterSelector { ClusterSpecs = [GlobOf("*")] }.Matches(Cluster(spec: null)));
        Assert.True(new ClusterSelector().Matches(Cluster(spec: null)));
    }

    [Fact]
    public void KeyPolicy_Defaults_AsDocumented()
    {
        var keys = new KeyPolicy();

        Assert.Empty(keys.Allowed);
        Assert.Empty(keys.AllowedByRegion);
        Assert.Equal((true, true, false), (keys.RequireDeletionProtection, keys.RequireRotation, keys.RequireHsm));
        Assert.Equal((30, 30), (keys.DeletionWarningDays, keys.MaterialExpiryWarningDays));
        Assert.False(keys.NeedsAliases);
    }

    [Fact]
    public void KeyPolicy_AllowedIn_RegionListReplacesTheGeneralList()
    {
        var general = new[] { GlobOf("key-*") };
        var shanghai = new[] { GlobOf("alias/sh-*") };
        var keys = new KeyPolicy
        {
            Allowed = general,
            AllowedByRegion = new Dictionary<string, IReadOnlyList<Glob>> { ["cn-shanghai"] = shanghai, ["cn-beijing"] = [] },
        };

        Assert.Same(shanghai, keys.AllowedIn("cn-shanghai"));
        Assert.Same(general, keys.AllowedIn("cn-hangzhou"));
        Assert.Empty(keys.AllowedIn("cn-beijing"));
    }

    [Theory]
    [InlineData(new[] { "alias/prod" }, new string[0], true)]
    [InlineData(new[] { "key-1", "alias/*" }, new string[0], true)]
    [InlineData(new string[0], new[] { "alias/sh-*" }, true)]
    [InlineData(new[] { "key-1" }, new[] { "key-2" }, false)]
    [InlineData(new[] { "key-alias/x", "*alias/x" }, new[] { "Alias/x" }, false)]
    [InlineData(new string[0], new string[0], false)]
    public void KeyPolicy_NeedsAliases_WhenAnyListNamesAnAlias(string[] allowed, string[] shanghai, bool needs)
    {
        var keys = new KeyPolicy
        {
            Allowed = [.. allowed.Select(GlobOf)],
            AllowedByRegion = new Dictionary<string, IReadOnlyList<Glob>> { ["cn-shanghai"] = [.. shanghai.Select(GlobOf)] },
        };

        Assert.Equal(needs, keys.NeedsAliases);
    }

    [Fact]
    public void RemediationPolicy_Defaults_NothingOnFiveChanges()
    {
        var r = new RemediationPolicy();

        Assert.False(r.Any);
        Assert.Empty(r.DefaultKeys);
        Assert.Equal(5, r.MaxChangesPerSweep);
    }

    [Theory]
    [InlineData(true, false, false, false)]
    [InlineData(false, true, false, false)]
    [InlineData(false, false, true, false)]
    [InlineData(false, false, false, true)]
    public void RemediationPolicy_AnyOneSwitch_Any(bool encryption, bool cancel, bool protection, bool enable)
    {
        var r = new RemediationPolicy { EnableEncryption = encryption, CancelKeyDeletion = cancel, EnableDeletionProtection = protection, EnableKey = enable };

        Assert.True(r.Any);
    }

    [Fact]
    public void AckFcPolicy_EnforcementOf_RuleOverrideElseDefault()
    {
        var policy = new AckFcPolicy
        {
            DefaultEnforcement = Enforcement.DryRun,
            RuleEnforcement = new Dictionary<string, Enforcement> { ["ACKFC-KEY-010"] = Enforcement.Warn },
        };

        Assert.Equal(Enforcement.Warn, policy.EnforcementOf("ACKFC-KEY-010"));
        Assert.Equal(Enforcement.DryRun, policy.EnforcementOf("ACKFC-KEY-009"));
        Assert.Equal(Enforcement.Enforce, new AckFcPolicy().EnforcementOf("ACKFC-KEY-009"));
    }

    [Fact]
    public void AckFcPolicy_Defaults_EveryClusterEncryptedAndProtected()
    {
        var policy = new AckFcPolicy();

        Assert.Same(ClusterSelector.All, policy.EncryptionRequired);
        Assert.Same(ClusterSelector.All, policy.NeverDisable);
        Assert.Equal(Enforcement.Enforce, policy.DefaultEnforcement);
        Assert.Empty(policy.RuleEnforcement);
        Assert.Empty(policy.Waivers);
        Assert.Empty(policy.Guard.Actions);
    }

    [Fact]
    public void PolicyException_MessageIsFileLineColumnProblem()
    {
        var e = new PolicyException("policy.yaml", 12, 7, "keys.allowed must be a list");

        Assert.Equal("policy.yaml:12:7: keys.allowed must be a list", e.Message);
        Assert.Equal(("policy.yaml", 12L, 7L, "keys.allowed must be a list"), (e.File, e.Line, e.Column, e.Problem));
    }
}
