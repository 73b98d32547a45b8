using System.Text;
using AckFc.Core.Policy;
using AckFc.Core.Rules;

namespace AckFc.Core.Tests.Policy;

/// <summary>
/// What the loader tells the user when a policy cannot be used: each message names the key (by its full path in the
/// file) and, where it matters, the value it read and what it wanted instead.
/// </summary>
public sealed class PolicyLoaderErrorTests
{
    private static PolicyException Fails(string yaml) =>
        Assert.Throws<PolicyException>(() => PolicyLoader.Parse(Encoding.UTF8.GetBytes(yaml), "p.yaml"));

    /// <summary>A file that starts with <c>version: 1</c> and then has <paramref name="rest"/>.</summary>
    private static PolicyException FailsV1(string rest) => Fails("version: 1\n" + rest);

    public static TheoryData<string, string> TopLevelMistakes() => new()
    {
        { "kind: policy\n", "unknown key 'kind' in policy; allowed: version, encryption, keys, remediation, enforcement, waivers, guard" },
        { "encryption: {}\n", "version is required" },
        { "version: one\n", "version must be a whole number, not 'one'" },
        { "version: -1\n", "version must be a whole number, not '-1'" },
        { "version: 1.0\n", "version must be a whole number, not '1.0'" },
        { "version: 99999999999\n", "version must be a whole number, not '99999999999'" },
        { "version: [1]\n", "version must be a single value" },
        { "version: 0\n", "version must be 1" },
        { "version: 1\nencryption: yes\n", "encryption must be a mapping" },
        { "version: 1\nkeys: []\n", "keys must be a mapping" },
        { "version: 1\nremediation: off\n", "remediation must be a mapping" },
        { "version: 1\nenforcement: warn\n", "enforcement must be a mapping" },
        { "version: 1\nwaivers: {}\n", "waivers must be a list" },
        { "version: 1\n? [a]\n: b\n", "a key of policy must be a single value" },
    };

    [Theory]
    [MemberData(nameof(TopLevelMistakes))]
    public void Parse_TopLevelMistake_ProblemNamesTheKey(string yaml, string problem)
    {
        var e = Fails(yaml);

        Assert.Equal(problem, e.Problem);
        Assert.Equal($"p.yaml:{e.Line}:{e.Column}: {problem}", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("version: 1\n---\nversion: 1\n")]
    [InlineData("- version: 1\n")]
    [InlineData("just words\n")]
    public void Parse_NotOneMappingDocument_FailsAtTheStart(string yaml)
    {
        var e = Fails(yaml);

        Assert.Equal("a policy is one YAML document whose top level is a mapping", e.Problem);
        Assert.Equal((1, 1), (e.Line, e.Column));
    }

    [Fact]
    public void Parse_MalformedYaml_LocatedAtTheParserError()
    {
        var e = Fails("version: 1\nkeys:\n  allowed: [\"alias/a\"\n");

        Assert.StartsWith("not valid YAML: ", e.Problem, StringComparison.Ordinal);
        Assert.True(e.Line >= 3, e.Message);
        Assert.True(e.Column >= 1, e.Message);
    }

    [Fact]
    public void Parse_StrayColonBeforeAnotherKey_LocatedWhereTheParserStopped()
    {
        var e = Fails("version: 1\nkeys:\n   : a\n  b: c\n");

        Assert.StartsWith("not valid YAML near here: ", e.Problem, StringComparison.Ordinal);
        Assert.Equal((4, 3), (e.Line, e.Column));
    }

    [Theory]
    [InlineData("version: 1\nversion: 1\n", "version")]
    [InlineData("version: 1\nkeys: { requireHsm: true, requireHsm: false }\n", "requireHsm")]
    public void Parse_DuplicateKey_RejectedNotLastOneWins(string yaml, string key)
    {
        var e = Fails(yaml);

        Assert.StartsWith("not valid YAML: ", e.Problem, StringComparison.Ordinal);
        Assert.Contains($"Duplicate key {key}", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RequiredVersionMissing_LocatedAtTheTopLevelMapping()
    {
        var e = Fails("\n\nkeys: {}\n");

        Assert.Equal("version is required", e.Problem);
        Assert.Equal((3, 1), (e.Line, e.Column));
    }

    public static TheoryData<string, string> SelectorMistakes() => new()
    {
        { "encryption: { require: {} }\n", "unknown key 'require' in encryption; allowed: required, neverDisable" },
        { "encryption: { required: [] }\n", "encryption.required must be a mapping" },
        { "encryption: { required: { nobody: true } }\n", "unknown key 'nobody' in encryption.required; allowed: all, none, clusterIds, names, regions, tags, clusterSpecs, profiles" },
        { "encryption: { required: { all: false } }\n", "encryption.required.all can only be true; use 'none: true' to select no cluster" },
        { "encryption: { neverDisable: { all: false } }\n", "encryption.neverDisable.all can only be true; use 'none: true' to select no cluster" },
        { "encryption: { required: { all: yes } }\n", "encryption.required.all must be true or false, not 'yes'" },
        { "encryption: { neverDisable: { none: maybe } }\n", "encryption.neverDisable.none must be true or false, not 'maybe'" },
        { "encryption: { required: { clusterIds: c1 } }\n", "encryption.required.clusterIds must be a list" },
        { "encryption: { required: { clusterIds: [''] } }\n", "encryption.required.clusterIds: a glob may not be empty" },
        { "encryption: { required: { names: 'web-*' } }\n", "encryption.required.names must be a list" },
        { "encryption: { required: { names: ['a{b}'] } }\n", "encryption.required.names: 'a{b}' is not a valid glob: only '*' and '?' are special" },
        { "encryption: { required: { regions: cn-hangzhou } }\n", "encryption.required.regions must be a list" },
        { "encryption: { required: { regions: [cn-hangzhou, Hangzhou] } }\n", "encryption.required.regions: 'Hangzhou' is not a region id such as cn-hangzhou" },
        { "encryption: { required: { regions: [[cn-hangzhou]] } }\n", "encryption.required.regions must be a single value" },
        { "encryption: { required: { tags: [env] } }\n", "encryption.required.tags must be a mapping" },
        { "encryption: { required: { tags: { env: '' } } }\n", "encryption.required.tags.env: a glob may not be empty" },
        { "encryption: { required: { tags: { env: [prod] } } }\n", "encryption.required.tags.env must be a single value" },
        { "encryption:\n  required:\n    tags:\n      ? [env]\n      : prod\n", "tag key must be a single value" },
        { "encryption: { required: { clusterSpecs: ack.pro.* } }\n", "encryption.required.clusterSpecs must be a list" },
        { "encryption: { required: { clusterSpecs: ['ack.pro.\\'] } }\n", "encryption.required.clusterSpecs: 'ack.pro.\\' is not a valid glob: only '*' and '?' are special" },
        { "encryption: { required: { profiles: Default } }\n", "encryption.required.profiles must be a list" },
        { "encryption: { required: { profiles: [[Default]] } }\n", "encryption.required.profiles must be a single value" },
    };

    [Theory]
    [MemberData(nameof(SelectorMistakes))]
    public void Parse_SelectorMistake_ProblemNamesTheSelectorPath(string rest, string problem) =>
        Assert.Equal(problem, FailsV1(rest).Problem);

    public static TheoryData<string, string> KeyMistakes() => new()
    {
        { "keys: { allow: [] }\n", "unknown key 'allow' in keys; allowed: allowed, allowedByRegion, requireDeletionProtection, requireRotation, requireHsm, deletionWarningDays, materialExpiryWarningDays" },
        { "keys: { allowed: 'alias/*' }\n", "keys.allowed must be a list" },
        { "keys: { allowed: ['alias/[a-z]'] }\n", "keys.allowed: 'alias/[a-z]' is not a valid glob: only '*' and '?' are special" },
        { "keys: { allowed: ['  '] }\n", "keys.allowed: a glob may not be empty" },
        { "keys: { allowed: [{ id: k }] }\n", "keys.allowed must be a single value" },
        { "keys: { allowedByRegion: [cn-hangzhou] }\n", "keys.allowedByRegion must be a mapping" },
        { "keys: { allowedByRegion: { Hangzhou: ['*'] } }\n", "keys.allowedByRegion: 'Hangzhou' is not a region id such as cn-hangzhou" },
        { "keys: { allowedByRegion: { cn-hangzhou: '*' } }\n", "keys.allowedByRegion.cn-hangzhou must be a list" },
        { "keys: { allowedByRegion: { cn-hangzhou: [''] } }\n", "keys.allowedByRegion.cn-hangzhou: a glob may not be empty" },
        { "keys: { requireDeletionProtection: yes }\n", "keys.requireDeletionProtection must be true or false, not 'yes'" },
        { "keys: { requireRotation: 'True' }\n", "keys.requireRotation must be true or false, not 'True'" },
        { "keys: { requireHsm: 1 }\n", "keys.requireHsm must be true or false, not '1'" },
        { "keys: { requireHsm: [true] }\n", "keys.requireHsm must be a single value" },
        { "keys: { deletionWarningDays: 367 }\n", "keys.deletionWarningDays must be a whole number from 0 to 366, not '367'" },
        { "keys: { deletionWarningDays: -1 }\n", "keys.deletionWarningDays must be a whole number from 0 to 366, not '-1'" },
        { "keys: { deletionWarningDays: 7.5 }\n", "keys.deletionWarningDays must be a whole number from 0 to 366, not '7.5'" },
        { "keys: { deletionWarningDays: a month }\n", "keys.deletionWarningDays must be a whole number from 0 to 366, not 'a month'" },
        { "keys: { materialExpiryWarningDays: 3651 }\n", "keys.materialExpiryWarningDays must be a whole number from 0 to 3650, not '3651'" },
        { "keys: { materialExpiryWarningDays: +30 }\n", "keys.materialExpiryWarningDays must be a whole number from 0 to 3650, not '+30'" },
    };

    [Theory]
    [MemberData(nameof(KeyMistakes))]
    public void Parse_KeysMistake_ProblemNamesTheKey(string rest, string problem) =>
        Assert.Equal(problem, FailsV1(rest).Problem);

    public static TheoryData<string, string> RemediationMistakes() => new()
    {
        { "remediation: { maxChanges: 1 }\n", "unknown key 'maxChanges' in remediation; allowed: enableEncryption, cancelKeyDeletion, enableDeletionProtection, enableKey, maxChangesPerSweep" },
        { "remediation: { enableEncryption: true }\n", "remediation.enableEncryption must be a mapping" },
        { "remediation: { enableEncryption: { on: true } }\n", "unknown key 'on' in remediation.enableEncryption; allowed: enabled, defaultKeys" },
        { "remediation: { enableEncryption: { enabled: 1 } }\n", "remediation.enableEncryption.enabled must be true or false, not '1'" },
        { "remediation: { enableEncryption: { defaultKeys: [k] } }\n", "remediation.enableEncryption.defaultKeys must be a mapping" },
        { "remediation: { enableEncryption: { defaultKeys: { Hangzhou: k } } }\n", "remediation.enableEncryption.defaultKeys: 'Hangzhou' is not a region id such as cn-hangzhou" },
        { "remediation: { enableEncryption: { defaultKeys: { cn-hangzhou: [k] } } }\n", "remediation.enableEncryption.defaultKeys value must be a single value" },
        { "remediation: { enableEncryption: { enabled: true } }\n", "remediation.enableEncryption.enabled needs defaultKeys: the key to use in each region" },
        { "remediation: { enableEncryption: { enabled: true, defaultKeys: {} } }\n", "remediation.enableEncryption.enabled needs defaultKeys: the key to use in each region" },
        { "remediation: { cancelKeyDeletion: on }\n", "remediation.cancelKeyDeletion must be true or false, not 'on'" },
        { "remediation: { enableDeletionProtection: Yes }\n", "remediation.enableDeletionProtection must be true or false, not 'Yes'" },
        { "remediation: { enableKey: 'TRUE' }\n", "remediation.enableKey must be true or false, not 'TRUE'" },
        { "remediation: { maxChangesPerSweep: 1001 }\n", "remediation.maxChangesPerSweep must be a whole number from 0 to 1000, not '1001'" },
        { "remediation: { maxChangesPerSweep: many }\n", "remediation.maxChangesPerSweep must be a whole number from 0 to 1000, not 'many'" },
    };

    [Theory]
    [MemberData(nameof(RemediationMistakes))]
    public void Parse_RemediationMistake_ProblemNamesTheKey(string rest, string problem) =>
        Assert.Equal(problem, FailsV1(rest).Problem);

    public static TheoryData<string, string> EnforcementMistakes() => new()
    {
        { "enforcement: { mode: warn }\n", "unknown key 'mode' in enforcement; allowed: default, rules" },
        { "enforcement: { default: block }\n", "enforcement.default must be enforce, dryrun or warn, not 'block'" },
        { "enforcement: { default: Enforce }\n", "enforcement.default must be enforce, dryrun or warn, not 'Enforce'" },
        { "enforcement: { default: [warn] }\n", "enforcement.default must be a single value" },
        { "enforcement: { rules: [ACKFC-KEY-002] }\n", "enforcement.rules must be a mapping" },
        { "enforcement: { rules: { ACKFC-KEY-002: block } }\n", "enforcement.rules.ACKFC-KEY-002 must be enforce, dryrun or warn, not 'block'" },
        { "enforcement: { rules: { ACKFC-KEY-002: dry-run } }\n", "enforcement.rules.ACKFC-KEY-002 must be enforce, dryrun or warn, not 'dry-run'" },
        { "enforcement:\n  rules:\n    ? [ACKFC-KEY-002]\n    : warn\n", "rule id must be a single value" },
        { "guard: { enforcement: warn }\n", "guard.enforcement must be a mapping" },
        { "guard: { enforcement: { mode: warn } }\n", "unknown key 'mode' in guard.enforcement; allowed: default, rules" },
        { "guard: { enforcement: { default: off } }\n", "guard.enforcement.default must be enforce, dryrun or warn, not 'off'" },
        { "guard: { enforcement: { rules: [ACKFC-KEY-002] } }\n", "guard.enforcement.rules must be a mapping" },
        { "guard: { enforcement: { rules: { ACKFC-KEY-002: block } } }\n", "guard.enforcement.rules.ACKFC-KEY-002 must be enforce, dryrun or warn, not 'block'" },
    };

    [Theory]
    [MemberData(nameof(EnforcementMistakes))]
    public void Parse_EnforcementMistake_ProblemNamesTheKey(string rest, string problem) =>
        Assert.Equal(problem, FailsV1(rest).Problem);

    [Theory]
    [InlineData("enforcement: { rules: { ACKFC-KEY-099: warn } }\n")]
    [InlineData("guard: { enforcement: { rules: { ackfc-key-002: warn } } }\n")]
    [InlineData("waivers:\n  - { rule: ACKFC-ENC-01, reason: r, owner: o, expires: 2027-01-01 }\n")]
    public void Parse_UnknownRuleId_ProblemListsEveryKnownId(string rest)
    {
        var e = FailsV1(rest);

        var known = string.Join(", ", RuleCatalog.All.Select(r => r.Id));
        Assert.Matches(@"^'[^']+' is not a rule id; known ids: ", e.Problem);
        Assert.EndsWith($"known ids: {known}", e.Problem, StringComparison.Ordinal);
        Assert.Contains("ACKFC-ENC-001, ACKFC-KEY-001, ACKFC-KEY-002", e.Problem, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> GuardMistakes() => new()
    {
        { "guard: { remediate: true }\n", "unknown key 'remediate' in guard; allowed: reactions, actions, enforcement, maxActionsPerHour" },
        { "guard: { reactions: [disableKey] }\n", "guard.reactions must be a mapping" },
        { "guard: { reactions: { disableKeys: false } }\n", "unknown key 'disableKeys' in guard.reactions; allowed: disableKey, scheduleKeyDeletion, deletionProtectionOff, rotationOff, deleteKeyMaterial, deleteAlias, recovery, encryptionDrift" },
        { "guard: { reactions: { rotationOff: no } }\n", "guard.reactions.rotationOff must be true or false, not 'no'" },
        { "guard: { actions: enableKey }\n", "guard.actions must be a mapping" },
        { "guard: { actions: { reEnable: true } }\n", "unknown key 'reEnable' in guard.actions; allowed: enableKey, cancelKeyDeletion, enableDeletionProtection, reEnableEncryption" },
        { "guard: { actions: { cancelKeyDeletion: [true] } }\n", "guard.actions.cancelKeyDeletion must be a single value" },
        { "guard: { maxActionsPerHour: 1001 }\n", "guard.maxActionsPerHour must be a whole number from 0 to 1000, not '1001'" },
        { "guard: { maxActionsPerHour: ten }\n", "guard.maxActionsPerHour must be a whole number from 0 to 1000, not 'ten'" },
    };

    [Theory]
    [MemberData(nameof(GuardMistakes))]
    public void Parse_GuardMistake_ProblemNamesTheKey(string rest, string problem) =>
        Assert.Equal(problem, FailsV1(rest).Problem);

    public static TheoryData<string, string> WaiverMistakes() => new()
    {
        { "waivers: [ACKFC-KEY-010]\n", "waivers[0] must be a mapping" },
        { "waivers:\n  - { rule: ACKFC-KEY-010, reason: r, owner: o, expires: 2027-01-01, ticket: CHG-1 }\n", "unknown key 'ticket' in waivers[0]; allowed: rule, selector, reason, owner, expires" },
        { "waivers:\n  - { reason: r, owner: o, expires: 2027-01-01 }\n", "waivers[0].rule is required" },
        { "waivers:\n  - { rule: ACKFC-KEY-010, owner: o, expires: 2027-01-01 }\n", "waivers[0].reason is required" },
        { "waivers:\n  - { rule: ACKFC-KEY-010, reason: r, expires: 2027-01-01 }\n", "waivers[0].owner is required" },
        { "waivers:\n  - { rule: ACKFC-KEY-010, reason: r, owner: o }\n", "waivers[0].expires is required" },
        { "waivers:\n  - { rule: ACKFC-KEY-010, reason: r, owner: o, expires: 2027-01-01 }\n  - { rule: ACKFC-KEY-009, reason: r, owner: o }\n", "waivers[1].expires is required" },
        { "waivers:\n  - { rule: [ACKFC-KEY-010], reason: r, owner: o, expires: 2027-01-01 }\n", "rule id must be a single value" },
        { "waivers:\n  - { rule: ACKFC-KEY-010, reason: [r], owner: o, expires: 2027-01-01 }\n", "waivers[0].reason must be a single value" },
        { "waivers:\n  - { rule: ACKFC-KEY-010, reason: r, owner: {}, expires: 2027-01-01 }\n", "waivers[0].owner must be a single value" },
        { "waivers:\n  - { rule: ACKFC-KEY-010, reason: r, owner: o, expires: [2027-01-01] }\n", "waivers[0].expires must be a single value" },
        { "waivers:\n  - { rule: ACKFC-KEY-010, reason: r, owner: o, expires: soon }\n", "waivers[0].expires must be a date (2026-12-31) or an ISO 8601 time, not 'soon'" },
        { "waivers:\n  - { rule: ACKFC-KEY-010, reason: r, owner: o, expires: 2027-02-30 }\n", "waivers[0].expires must be a date (2026-12-31) or an ISO 8601 time, not '2027-02-30'" },
        { "waivers:\n  - { rule: ACKFC-KEY-010, reason: '', owner: o, expires: 2027-01-01 }\n", "waivers[0] needs a non-empty reason and owner" },
        { "waivers:\n  - { rule: ACKFC-KEY-010, reason: r, owner: '  ', expires: 2027-01-01 }\n", "waivers[0] needs a non-empty reason and owner" },
        { "waivers:\n  - { rule: ACKFC-KEY-010, reason: r, owner: o, expires: 2027-01-01, selector: [all] }\n", "waivers[0].selector must be a mapping" },
        { "waivers:\n  - { rule: ACKFC-KEY-010, reason: r, owner: o, expires: 2027-01-01, selector: { all: false } }\n", "waivers[0].selector.all can only be true; use 'none: true' to select no cluster" },
        { "waivers:\n  - { rule: ACKFC-KEY-010, reason: r, owner: o, expires: 2027-01-01, selector: { names: ['[x]'] } }\n", "waivers[0].selector.names: '[x]' is not a valid glob: only '*' and '?' are special" },
    };

    [Theory]
    [MemberData(nameof(WaiverMistakes))]
    public void Parse_WaiverMistake_ProblemNamesTheWaiverByIndex(string rest, string problem) =>
        Assert.Equal(problem, FailsV1(rest).Problem);

    [Fact]
    public void Parse_WaiverWithoutReason_LocatedAtTheWaiver()
    {
        var e = FailsV1("waivers:\n  - rule: ACKFC-KEY-010\n    reason: \"\"\n    owner: o\n    expires: 2027-01-01\n");

        Assert.Equal((3, 5), (e.Line, e.Column));
    }

    [Fact]
    public void Parse_WaiverExpiryNotADate_LocatedAtTheValue()
    {
        var e = FailsV1("waivers:\n  - rule: ACKFC-KEY-010\n    reason: r\n    owner: o\n    expires: next year\n");

        Assert.Equal((6, 14), (e.Line, e.Column));
    }

    [Fact]
    public void LoadFile_Missing_FailsNamingTheFileWithoutAPosition()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ackfc-no-such-policy-{Guid.NewGuid():N}.yaml");

        var e = Assert.Throws<PolicyException>(() => PolicyLoader.LoadFile(path));

        Assert.Equal((path, 0L, 0L), (e.File, e.Line, e.Column));
        Assert.StartsWith("cannot read the policy file: ", e.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"{path}:0:0: cannot read the policy file: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFile_Directory_FailsAsUnreadable()
    {
        var path = Directory.CreateTempSubdirectory("ackfc-policy-").FullName;
        try
        {
            var e = Assert.Throws<PolicyException>(() => PolicyLoader.LoadFile(path));

            Assert.Equal(path, e.File);
            Assert.StartsWith("cannot read the policy file: ", e.Problem, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(path);
        }
    }
}
