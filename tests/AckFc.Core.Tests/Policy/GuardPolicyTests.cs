using System.Text;
using AckFc.Core.Policy;

namespace AckFc.Core.Tests.Policy;

/// <summary>The policy's <c>guard</c> section: defaults, every key read, and mistakes located like the rest of the file.</summary>
public sealed class GuardPolicyTests
{
    private static AckFcPolicy Parse(string yaml) => PolicyLoader.Parse(Encoding.UTF8.GetBytes(yaml), "p.yaml").Policy;

    [Fact]
    public void NoGuardSection_ReactsToEverythingAndActsOnNothing()
    {
        var guard = Parse("version: 1\n").Guard;

        Assert.Equal(Enum.GetValues<GuardReaction>(), guard.Reactions.Order());
        Assert.Empty(guard.Actions);
        Assert.Equal((Enforcement.Enforce, 10), (guard.DefaultEnforcement, guard.MaxActionsPerHour));
    }

    [Fact]
    public void Bundled_GuardReportsAndNotifiesButChangesNothing()
    {
        var guard = PolicyLoader.LoadBundled().Policy.Guard;

        Assert.Empty(guard.Actions);
        Assert.True(guard.Reacts(GuardReaction.DisableKey));
        Assert.True(guard.Reacts(GuardReaction.EncryptionDrift));
    }

    [Fact]
    public void FullSection_EveryKeyRead()
    {
        var guard = Parse("""
            version: 1
            guard:
              reactions: { rotationOff: false, deleteAlias: false }
              actions: { enableKey: true, cancelKeyDeletion: true, enableDeletionProtection: false, reEnableEncryption: true }
              enforcement:
                default: dryrun
                rules: { ACKFC-KEY-002: enforce, ACKFC-POL-001: warn }
              maxActionsPerHour: 3
            """).Guard;

        Assert.False(guard.Reacts(GuardReaction.RotationOff));
        Assert.False(guard.Reacts(GuardReaction.DeleteAlias));
        Assert.True(guard.Reacts(GuardReaction.DisableKey));
        Assert.Equal([GuardAction.EnableKey, GuardAction.CancelKeyDeletion, GuardAction.ReEnableEncryption], guard.Actions.Order());
        Assert.Equal((Enforcement.DryRun, Enforcement.Enforce, Enforcement.Warn), (guard.DefaultEnforcement, guard.EnforcementOf("ACKFC-KEY-002"), guard.EnforcementOf("ACKFC-POL-001")));
        Assert.Equal(Enforcement.DryRun, guard.EnforcementOf("ACKFC-KEY-003"));
        Assert.Equal(3, guard.MaxActionsPerHour);
    }

    [Theory]
    [InlineData("version: 1\nguard:\n  reactions: { disableKeys: true }\n", 3, 16, "unknown key 'disableKeys' in guard.reactions")]
    [InlineData("version: 1\nguard:\n  actions:\n    enableKey: yes\n", 4, 16, "guard.actions.enableKey must be true or false")]
    [InlineData("version: 1\nguard:\n  actions: { disableKey: true }\n", 3, 14, "unknown key 'disableKey' in guard.actions")]
    [InlineData("version: 1\nguard:\n  maxActionsPerHour: 5000\n", 3, 22, "guard.maxActionsPerHour must be a whole number from 0 to 1000")]
    [InlineData("version: 1\nguard:\n  enforcement: { default: block }\n", 3, 27, "guard.enforcement.default must be enforce, dryrun or warn")]
    [InlineData("version: 1\nguard:\n  enforcement:\n    rules: { ACKFC-KEY-099: warn }\n", 4, 14, "'ACKFC-KEY-099' is not a rule id")]
    [InlineData("version: 1\nguard:\n  remediate: true\n", 3, 3, "unknown key 'remediate' in guard")]
    [InlineData("version: 1\nguard: on\n", 2, 8, "guard must be a mapping")]
    public void Mistake_PolicyExceptionWithLineAndColumn(string yaml, int line, int column, string message)
    {
        var e = Assert.Throws<PolicyException>(() => Parse(yaml));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Equal((line, column), ((int)e.Line, (int)e.Column));
    }

    [Theory]
    [InlineData("disableKey", GuardReaction.DisableKey)]
    [InlineData("scheduleKeyDeletion", GuardReaction.ScheduleKeyDeletion)]
    [InlineData("deletionProtectionOff", GuardReaction.DeletionProtectionOff)]
    [InlineData("rotationOff", GuardReaction.RotationOff)]
    [InlineData("deleteKeyMaterial", GuardReaction.DeleteKeyMaterial)]
    [InlineData("deleteAlias", GuardReaction.DeleteAlias)]
    [InlineData("recovery", GuardReaction.Recovery)]
    [InlineData("encryptionDrift", GuardReaction.EncryptionDrift)]
    public void Reaction_TurnedOff_OnlyThatOneStops(string name, GuardReaction reaction)
    {
        var off = Parse($"version: 1\nguard:\n  reactions: {{ {name}: false }}\n").Guard;
        var on = Parse($"version: 1\nguard:\n  reactions: {{ {name}: true }}\n").Guard;

        Assert.False(off.Reacts(reaction));
        Assert.Equal(Enum.GetValues<GuardReaction>().Where(r => r != reaction), off.Reactions.Order());
        Assert.Equal(Enum.GetValues<GuardReaction>(), on.Reactions.Order());
        Assert.Equal(name, GuardPolicy.NameOf(reaction));
    }

    [Theory]
    [InlineData("enableKey", GuardAction.EnableKey)]
    [InlineData("cancelKeyDeletion", GuardAction.CancelKeyDeletion)]
    [InlineData("enableDeletionProtection", GuardAction.EnableDeletionProtection)]
    [InlineData("reEnableEncryption", GuardAction.ReEnableEncryption)]
    public void Action_TurnedOn_OnlyThatOneAllowed(string name, GuardAction action)
    {
        var on = Parse($"version: 1\nguard:\n  actions: {{ {name}: true }}\n").Guard;
        var off = Parse($"version: 1\nguard:\n  actions: {{ {name}: false }}\n").Guard;

        Assert.True(on.Allows(action));
        Assert.Equal([action], on.Actions);
        Assert.False(off.Allows(action));
        Assert.Empty(off.Actions);
        Assert.Equal(name, GuardPolicy.NameOf(action));
    }

    [Fact]
    public void Names_EveryEnumValueHasExactlyOneYamlName()
    {
        Assert.Equal(Enum.GetValues<GuardReaction>(), GuardPolicy.ReactionNames.Values.Order());
        Assert.Equal(Enum.GetValues<GuardAction>(), GuardPolicy.ActionNames.Values.Order());
    }

    [Fact]
    public void GuardSectionWithoutMaxActions_TenPerHour()
    {
        var guard = Parse("version: 1\nguard:\n  actions: { enableKey: true }\n").Guard;

        Assert.Equal(10, guard.MaxActionsPerHour);
        Assert.Equal(Enforcement.Enforce, guard.EnforcementOf("ACKFC-KEY-002"));
    }

    [Fact]
    public void Defaults_ReactToAllAllowNoneEnforce()
    {
        var guard = new GuardPolicy();

        Assert.All(Enum.GetValues<GuardReaction>(), r => Assert.True(guard.Reacts(r)));
        Assert.All(Enum.GetValues<GuardAction>(), a => Assert.False(guard.Allows(a)));
        Assert.Equal(Enforcement.Enforce, guard.EnforcementOf("ACKFC-KEY-002"));
        Assert.Equal(10, guard.MaxActionsPerHour);
    }

    [Fact]
    public void EnforcementOf_RuleOverrideElseDefault()
    {
        var guard = new GuardPolicy
        {
            DefaultEnforcement = Enforcement.Warn,
            RuleEnforcement = new Dictionary<string, Enforcement> { ["ACKFC-KEY-003"] = Enforcement.DryRun },
        };

        Assert.Equal(Enforcement.DryRun, guard.EnforcementOf("ACKFC-KEY-003"));
        Assert.Equal(Enforcement.Warn, guard.EnforcementOf("ACKFC-KEY-002"));
    }
}
