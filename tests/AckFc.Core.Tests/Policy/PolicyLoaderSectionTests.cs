using System.Security.Cryptography;
using System.Text;
using AckFc.AlibabaCloud.Cs;
using AckFc.Core.Policy;

namespace AckFc.Core.Tests.Policy;

/// <summary>
/// What the loader reads from each section: every key lands where docs/policy.md says, every default is the
/// documented one, and every range is open exactly up to its documented limit.
/// </summary>
public sealed class PolicyLoaderSectionTests
{
    private static LoadedPolicy Load(string yaml) => PolicyLoader.Parse(Encoding.UTF8.GetBytes(yaml), "p.yaml");

    private static AckFcPolicy Parse(string yaml) => Load(yaml).Policy;

    private static AckCluster Cluster(string id = "c1", string name = "web-1", string region = "cn-hangzhou", string? spec = "ack.pro.small",
        string? profile = "Default", Dictionary<string, string>? tags = null) =>
        new(id, name, region, "running", "ManagedKubernetes", spec, profile, tags ?? [], ClusterEncryption.Off);

    [Fact]
    public void Parse_VersionOnly_EveryDocumentedDefault()
    {
        var policy = Parse("version: 1\n");

        Assert.Same(ClusterSelector.All, policy.EncryptionRequired);
        Assert.Same(ClusterSelector.All, policy.NeverDisable);
        Assert.Empty(policy.Keys.Allowed);
        Assert.Empty(policy.Keys.AllowedByRegion);
        Assert.True(policy.Keys.RequireDeletionProtection);
        Assert.True(policy.Keys.RequireRotation);
        Assert.False(policy.Keys.RequireHsm);
        Assert.Equal((30, 30), (policy.Keys.DeletionWarningDays, policy.Keys.MaterialExpiryWarningDays));
        Assert.False(policy.Remediation.Any);
        Assert.Equal(5, policy.Remediation.MaxChangesPerSweep);
        Assert.Equal(Enforcement.Enforce, policy.DefaultEnforcement);
        Assert.Empty(policy.RuleEnforcement);
        Assert.Empty(policy.Waivers);
    }

    [Fact]
    public void Parse_EmptySections_SameDefaultsAsLeavingThemOut()
    {
        var policy = Parse("version: 1\nencryption: {}\nkeys: {}\nremediation: {}\nenforcement: {}\nguard: {}\nwaivers: []\n");

        Assert.Same(ClusterSelector.All, policy.EncryptionRequired);
        Assert.Same(ClusterSelector.All, policy.NeverDisable);
        Assert.True(policy.Keys.RequireDeletionProtection);
        Assert.True(policy.Keys.RequireRotation);
        Assert.False(policy.Keys.RequireHsm);
        Assert.Equal((30, 30), (policy.Keys.DeletionWarningDays, policy.Keys.MaterialExpiryWarningDays));
        Assert.Equal((false, false, false, false, 5), (policy.Remediation.EnableEncryption, policy.Remediation.CancelKeyDeletion,
            policy.Remediation.EnableDeletionProtection, policy.Remediation.EnableKey, policy.Remediation.MaxChangesPerSweep));
        Assert.Equal(Enforcement.Enforce, policy.DefaultEnforcement);
        Assert.Equal(Enum.GetValues<GuardReaction>(), policy.Guard.Reactions.Order());
        Assert.Empty(policy.Guard.Actions);
        Assert.Equal((Enforcement.Enforce, 10), (policy.Guard.DefaultEnforcement, policy.Guard.MaxActionsPerHour));
        Assert.Empty(policy.Waivers);
    }

    [Fact]
    public void Parse_VersionAndSource_FromTheBytesAndTheCaller()
    {
        const string yaml = "version: 1\n";

        var loaded = Load(yaml);

        Assert.Equal("p.yaml", loaded.Source);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml))), loaded.Version);
        Assert.NotEqual(loaded.Version, Load("version: 1\n# same policy, other bytes\n").Version);
    }

    [Fact]
    public void LoadBundled_NamedAsTheBundledFile()
    {
        var loaded = PolicyLoader.LoadBundled();

        Assert.Equal(PolicyLoader.BundledSource, loaded.Source);
        Assert.Equal("bundled default-policy.yaml", loaded.Source);
        Assert.Equal(64, loaded.Version.Length);
        Assert.True(loaded.Policy.EncryptionRequired.Matches(Cluster(spec: "ack.pro.small")));
        Assert.False(loaded.Policy.EncryptionRequired.Matches(Cluster(spec: "ack.standard")));
    }

    [Fact]
    public void LoadFile_ReadsTheFileAndNamesIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ackfc-policy-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "version: 1\nkeys: { requireHsm: true }\n");
        try
        {
            var loaded = PolicyLoader.LoadFile(path);

            Assert.Equal(path, loaded.Source);
            Assert.True(loaded.Policy.Keys.RequireHsm);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), loaded.Version);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Parse_EncryptionRequiredOnly_NeverDisableStaysAll()
    {
        var policy = Parse("version: 1\nencryption: { required: { none: true } }\n");

        Assert.Same(ClusterSelector.None, policy.EncryptionRequired);
        Assert.Same(ClusterSelector.All, policy.NeverDisable);
    }

    [Fact]
    public void Parse_NeverDisableOnly_RequiredStaysAll()
    {
        var policy = Parse("version: 1\nencryption: { neverDisable: { none: true } }\n");

        Assert.Same(ClusterSelector.All, policy.EncryptionRequired);
        Assert.Same(ClusterSelector.None, policy.NeverDisable);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{ all: true }")]
    [InlineData("{ none: false }")]
    [InlineData("{ all: true, none: false }")]
    public void Parse_SelectorForEveryCluster_MatchesAnyCluster(string selector)
    {
        var required = Parse($"version: 1\nencryption: {{ required: {selector} }}\n").EncryptionRequired;

        Assert.False(required.MatchesNothing);
        Assert.True(required.Matches(Cluster()));
        Assert.True(required.Matches(Cluster(id: "c9", name: "db", region: "ap-southeast-1", spec: null, profile: null)));
    }

    [Theory]
    [InlineData("{ none: true }")]
    [InlineData("{ none: true, names: ['web-*'] }")]
    [InlineData("{ none: true, all: true }")]
    public void Parse_NoneTrue_MatchesNoCluster(string selector)
    {
        var required = Parse($"version: 1\nencryption: {{ required: {selector} }}\n").EncryptionRequired;

        Assert.True(required.MatchesNothing);
        Assert.False(required.Matches(Cluster()));
    }

    [Fact]
    public void Parse_SelectorEveryCondition_ReadIntoItsField()
    {
        var s = Parse("""
            version: 1
            encryption:
              required:
                clusterIds: ["c1", "c2*"]
                names: ["web-*"]
                regions: [cn-hangzhou, cn-shanghai]
                tags: { env: "prod*", team: pay }
                clusterSpecs: ["ack.pro.*"]
                profiles: [Default, Serverless]
            """).EncryptionRequired;

        Assert.Equal(["c1", "c2*"], s.ClusterIds.Select(g => g.Pattern));
        Assert.Equal(["web-*"], s.Names.Select(g => g.Pattern));
        Assert.Equal(["cn-hangzhou", "cn-shanghai"], s.Regions);
        Assert.Equal(new Dictionary<string, string> { ["env"] = "prod*", ["team"] = "pay" }, s.Tags.ToDictionary(t => t.Key, t => t.Value.Pattern));
        Assert.Equal(["ack.pro.*"], s.ClusterSpecs.Select(g => g.Pattern));
        Assert.Equal(["Default", "Serverless"], s.Profiles);
        Assert.False(s.MatchesNothing);
        Assert.True(s.Matches(Cluster(id: "c21", tags: new() { ["env"] = "production", ["team"] = "pay" })));
    }

    [Theory]
    [InlineData("clusterIds: [c1]", true)]
    [InlineData("clusterIds: [c2]", false)]
    [InlineData("names: ['web-?']", true)]
    [InlineData("names: ['db-*']", false)]
    [InlineData("regions: [cn-hangzhou]", true)]
    [InlineData("regions: [cn-beijing]", false)]
    [InlineData("clusterSpecs: ['ack.pro.small']", true)]
    [InlineData("clusterSpecs: ['ack.standard']", false)]
    [InlineData("profiles: [Default]", true)]
    [InlineData("profiles: [Serverless]", false)]
    [InlineData("tags: { env: prod }", true)]
    [InlineData("tags: { env: dev }", false)]
    public void Parse_SelectorCondition_DecidesTheMatch(string condition, bool matches)
    {
        var required = Parse($"version: 1\nencryption: {{ required: {{ {condition} }} }}\n").EncryptionRequired;

        Assert.Equal(matches, required.Matches(Cluster(tags: new() { ["env"] = "prod" })));
    }

    [Fact]
    public void Parse_KeysEveryKey_Read()
    {
        var keys = Parse("""
            version: 1
            keys:
              allowed: ["alias/prod-*", "key-1"]
              allowedByRegion:
                cn-shanghai: ["key-sh-*"]
                ap-southeast-1: []
              requireDeletionProtection: false
              requireRotation: false
              requireHsm: true
              deletionWarningDays: 7
              materialExpiryWarningDays: 90
            """).Keys;

        Assert.Equal(["alias/prod-*", "key-1"], keys.Allowed.Select(g => g.Pattern));
        Assert.Equal(["key-sh-*"], keys.AllowedIn("cn-shanghai").Select(g => g.Pattern));
        Assert.Empty(keys.AllowedIn("ap-southeast-1"));
        Assert.Equal(["alias/prod-*", "key-1"], keys.AllowedIn("cn-hangzhou").Select(g => g.Pattern));
        Assert.Equal((false, false, true), (keys.RequireDeletionProtection, keys.RequireRotation, keys.RequireHsm));
        Assert.Equal((7, 90), (keys.DeletionWarningDays, keys.MaterialExpiryWarningDays));
    }

    [Theory]
    [InlineData("requireDeletionProtection: true", true, true, false)]
    [InlineData("requireRotation: true", true, true, false)]
    [InlineData("requireHsm: false", true, true, false)]
    [InlineData("requireDeletionProtection: false", false, true, false)]
    [InlineData("requireRotation: false", true, false, false)]
    [InlineData("requireHsm: true", true, true, true)]
    public void Parse_OneKeyFlag_OthersKeepTheirDefaults(string flag, bool deletionProtection, bool rotation, bool hsm)
    {
        var keys = Parse($"version: 1\nkeys: {{ {flag} }}\n").Keys;

        Assert.Equal((deletionProtection, rotation, hsm), (keys.RequireDeletionProtection, keys.RequireRotation, keys.RequireHsm));
    }

    /// <summary>The documented ranges (docs/policy.md): each limit itself is accepted, and so is the value next to it.</summary>
    [Theory]
    [InlineData("keys", "deletionWarningDays", 0)]
    [InlineData("keys", "deletionWarningDays", 1)]
    [InlineData("keys", "deletionWarningDays", 365)]
    [InlineData("keys", "deletionWarningDays", 366)]
    [InlineData("keys", "materialExpiryWarningDays", 0)]
    [InlineData("keys", "materialExpiryWarningDays", 3649)]
    [InlineData("keys", "materialExpiryWarningDays", 3650)]
    [InlineData("remediation", "maxChangesPerSweep", 0)]
    [InlineData("remediation", "maxChangesPerSweep", 999)]
    [InlineData("remediation", "maxChangesPerSweep", 1000)]
    [InlineData("guard", "maxActionsPerHour", 0)]
    [InlineData("guard", "maxActionsPerHour", 1000)]
    public void Parse_NumberInsideItsRange_Read(string section, string key, int value)
    {
        var policy = Parse($"version: 1\n{section}: {{ {key}: {value} }}\n");

        var read = key switch
        {
            "deletionWarningDays" => policy.Keys.DeletionWarningDays,
            "materialExpiryWarningDays" => policy.Keys.MaterialExpiryWarningDays,
            "maxChangesPerSweep" => policy.Remediation.MaxChangesPerSweep,
            _ => policy.Guard.MaxActionsPerHour,
        };
        Assert.Equal(value, read);
    }

    [Theory]
    [InlineData("keys: { deletionWarningDays: 367 }", "keys.deletionWarningDays", 0, 366)]
    [InlineData("keys: { materialExpiryWarningDays: 3651 }", "keys.materialExpiryWarningDays", 0, 3650)]
    [InlineData("remediation: { maxChangesPerSweep: 1001 }", "remediation.maxChangesPerSweep", 0, 1000)]
    [InlineData("guard: { maxActionsPerHour: 1001 }", "guard.maxActionsPerHour", 0, 1000)]
    public void Parse_NumberOnePastItsRange_RejectedWithTheRange(string setting, string key, int min, int max)
    {
        var e = Assert.Throws<PolicyException>(() => Parse($"version: 1\n{setting}\n"));

        Assert.StartsWith($"{key} must be a whole number from {min} to {max}, not ", e.Problem, StringComparison.Ordinal);
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void Parse_RemediationEveryKey_Read()
    {
        var remediation = Parse("""
            version: 1
            remediation:
              enableEncryption:
                enabled: true
                defaultKeys: { cn-hangzhou: alias/ackfc, cn-shanghai: key-sh-1 }
              cancelKeyDeletion: true
              enableDeletionProtection: true
              enableKey: true
              maxChangesPerSweep: 20
            """).Remediation;

        Assert.True(remediation.EnableEncryption);
        Assert.Equal(new Dictionary<string, string> { ["cn-hangzhou"] = "alias/ackfc", ["cn-shanghai"] = "key-sh-1" }, remediation.DefaultKeys);
        Assert.Equal((true, true, true, 20), (remediation.CancelKeyDeletion, remediation.EnableDeletionProtection, remediation.EnableKey, remediation.MaxChangesPerSweep));
        Assert.True(remediation.Any);
    }

    [Theory]
    [InlineData("cancelKeyDeletion: true", false, true, false, false)]
    [InlineData("enableDeletionProtection: true", false, false, true, false)]
    [InlineData("enableKey: true", false, false, false, true)]
    [InlineData("enableEncryption: { enabled: true, defaultKeys: { cn-hangzhou: k } }", true, false, false, false)]
    [InlineData("cancelKeyDeletion: false", false, false, false, false)]
    [InlineData("enableDeletionProtection: false", false, false, false, false)]
    [InlineData("enableKey: false", false, false, false, false)]
    public void Parse_OneRemediation_OnlyThatOneOn(string setting, bool encryption, bool cancel, bool protection, bool enable)
    {
        var r = Parse($"version: 1\nremediation: {{ {setting} }}\n").Remediation;

        Assert.Equal((encryption, cancel, protection, enable), (r.EnableEncryption, r.CancelKeyDeletion, r.EnableDeletionProtection, r.EnableKey));
        Assert.Equal(encryption || cancel || protection || enable, r.Any);
        Assert.Equal(5, r.MaxChangesPerSweep);
    }

    [Theory]
    [InlineData("{ enabled: false }")]
    [InlineData("{}")]
    public void Parse_EnableEncryptionOffWithoutKeys_Loads(string section)
    {
        var r = Parse($"version: 1\nremediation: {{ enableEncryption: {section} }}\n").Remediation;

        Assert.False(r.EnableEncryption);
        Assert.Empty(r.DefaultKeys);
    }

    [Fact]
    public void Parse_DefaultKeysWhileDisabled_KeptButNotEnabled()
    {
        var r = Parse("version: 1\nremediation: { enableEncryption: { defaultKeys: { cn-hangzhou: k1 } } }\n").Remediation;

        Assert.False(r.EnableEncryption);
        Assert.Equal("k1", r.DefaultKeys["cn-hangzhou"]);
    }

    [Theory]
    [InlineData("enforce", Enforcement.Enforce)]
    [InlineData("dryrun", Enforcement.DryRun)]
    [InlineData("warn", Enforcement.Warn)]
    public void Parse_EnforcementWord_EachValue(string word, Enforcement expected)
    {
        var policy = Parse($"version: 1\nenforcement: {{ default: {word}, rules: {{ ACKFC-KEY-003: {word} }} }}\nguard: {{ enforcement: {{ default: {word}, rules: {{ ACKFC-KEY-002: {word} }} }} }}\n");

        Assert.Equal(expected, policy.DefaultEnforcement);
        Assert.Equal(expected, policy.EnforcementOf("ACKFC-KEY-003"));
        Assert.Equal(expected, policy.Guard.DefaultEnforcement);
        Assert.Equal(expected, policy.Guard.EnforcementOf("ACKFC-KEY-002"));
    }

    [Fact]
    public void Parse_EnforcementRulesWithoutDefault_DefaultStaysEnforce()
    {
        var policy = Parse("version: 1\nenforcement: { rules: { ACKFC-KEY-010: warn } }\nguard: { enforcement: { rules: { ACKFC-KEY-002: dryrun } } }\n");

        Assert.Equal(Enforcement.Enforce, policy.DefaultEnforcement);
        Assert.Equal(Enforcement.Warn, policy.EnforcementOf("ACKFC-KEY-010"));
        Assert.Equal(Enforcement.Enforce, policy.EnforcementOf("ACKFC-KEY-009"));
        Assert.Equal(new Dictionary<string, Enforcement> { ["ACKFC-KEY-010"] = Enforcement.Warn }, policy.RuleEnforcement);
        Assert.Equal(Enforcement.Enforce, policy.Guard.DefaultEnforcement);
        Assert.Equal(Enforcement.DryRun, policy.Guard.EnforcementOf("ACKFC-KEY-002"));
        Assert.Equal(Enforcement.Enforce, policy.Guard.EnforcementOf("ACKFC-KEY-003"));
    }

    [Fact]
    public void Parse_WebhookAndGuardEnforcement_Independent()
    {
        var policy = Parse("version: 1\nenforcement: { default: warn }\nguard: { enforcement: { default: dryrun } }\n");

        Assert.Equal(Enforcement.Warn, policy.DefaultEnforcement);
        Assert.Equal(Enforcement.DryRun, policy.Guard.DefaultEnforcement);
        Assert.Empty(policy.Guard.RuleEnforcement);
    }

    [Fact]
    public void Parse_Waivers_EveryFieldReadInOrder()
    {
        var waivers = Parse("""
            version: 1
            waivers:
              - rule: ACKFC-KEY-010
                selector: { names: ["search-*"] }
                reason: "BYOK keys rotate with the yearly re-import (CHG-2210)."
                owner: security@example.com
                expires: 2027-03-31
              - rule: ACKFC-ENC-001
                reason: legacy
                owner: ops
                expires: 2027-01-15T08:30:00+08:00
            """).Waivers;

        Assert.Equal(2, waivers.Count);
        var (first, second) = (waivers[0], waivers[1]);
        Assert.Equal(("ACKFC-KEY-010", "BYOK keys rotate with the yearly re-import (CHG-2210).", "security@example.com"), (first.RuleId, first.Reason, first.Owner));
        Assert.Equal(new DateTimeOffset(2027, 3, 31, 0, 0, 0, TimeSpan.Zero), first.Expires);
        Assert.True(first.Selector.Matches(Cluster(name: "search-2")));
        Assert.False(first.Selector.Matches(Cluster(name: "web-2")));
        Assert.Equal(("ACKFC-ENC-001", "legacy", "ops"), (second.RuleId, second.Reason, second.Owner));
        Assert.Same(ClusterSelector.All, second.Selector);
        Assert.Equal(new DateTimeOffset(2027, 1, 15, 0, 30, 0, TimeSpan.Zero), second.Expires);
    }

    [Theory]
    [InlineData("2027-03-31", "2027-03-31T00:00:00Z")]
    [InlineData("2027-03-31T23:59:59Z", "2027-03-31T23:59:59Z")]
    [InlineData("2027-03-31T08:00:00+08:00", "2027-03-31T00:00:00Z")]
    [InlineData("2027-03-31T10:00:00", "2027-03-31T10:00:00Z")]
    public void Parse_WaiverExpires_HeldInUtc(string expires, string utc)
    {
        var waiver = Parse($"version: 1\nwaivers:\n  - {{ rule: ACKFC-KEY-010, reason: r, owner: o, expires: \"{expires}\" }}\n").Waivers.Single();

        Assert.Equal(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture), waiver.Expires);
        Assert.Equal(TimeSpan.Zero, waiver.Expires.Offset);
    }
}
