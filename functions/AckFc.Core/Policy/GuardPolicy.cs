namespace AckFc.Core.Policy;

/// <summary>
/// What the key guard does with an event. Everything reacts and notifies; no action is taken unless listed in
/// <see cref="Actions"/>, and then per rule as <see cref="EnforcementOf"/> says: <c>enforce</c> acts, <c>dryrun</c>
/// plans and reports the action without taking it, <c>warn</c> alerts only.
/// </summary>
public sealed record GuardPolicy
{
    /// <summary>The YAML names of <see cref="GuardReaction"/>, in order.</summary>
    public static IReadOnlyDictionary<string, GuardReaction> ReactionNames { get; } = new Dictionary<string, GuardReaction>(StringComparer.Ordinal)
    {
        ["disableKey"] = GuardReaction.DisableKey,
        ["scheduleKeyDeletion"] = GuardReaction.ScheduleKeyDeletion,
        ["deletionProtectionOff"] = GuardReaction.DeletionProtectionOff,
        ["rotationOff"] = GuardReaction.RotationOff,
        ["deleteKeyMaterial"] = GuardReaction.DeleteKeyMaterial,
        ["deleteAlias"] = GuardReaction.DeleteAlias,
        ["recovery"] = GuardReaction.Recovery,
        ["encryptionDrift"] = GuardReaction.EncryptionDrift,
    };

    /// <summary>The YAML names of <see cref="GuardAction"/>.</summary>
    public static IReadOnlyDictionary<string, GuardAction> ActionNames { get; } = new Dictionary<string, GuardAction>(StringComparer.Ordinal)
    {
        ["enableKey"] = GuardAction.EnableKey,
        ["cancelKeyDeletion"] = GuardAction.CancelKeyDeletion,
        ["enableDeletionProtection"] = GuardAction.EnableDeletionProtection,
        ["reEnableEncryption"] = GuardAction.ReEnableEncryption,
    };

    /// <summary>Reactions that are on; by default all of them.</summary>
    public IReadOnlySet<GuardReaction> Reactions { get; init; } = Enum.GetValues<GuardReaction>().ToHashSet();

    /// <summary>Protective actions the guard may take; by default none.</summary>
    public IReadOnlySet<GuardAction> Actions { get; init; } = new HashSet<GuardAction>();

    public Enforcement DefaultEnforcement { get; init; } = Enforcement.Enforce;

    public IReadOnlyDictionary<string, Enforcement> RuleEnforcement { get; init; } = new Dictionary<string, Enforcement>();

    /// <summary>Protective actions one instance may apply in any hour; the rest are reported as planned.</summary>
    public int MaxActionsPerHour { get; init; } = 10;

    public bool Reacts(GuardReaction reaction) => Reactions.Contains(reaction);

    public bool Allows(GuardAction action) => Actions.Contains(action);

    public Enforcement EnforcementOf(string ruleId) => RuleEnforcement.GetValueOrDefault(ruleId, DefaultEnforcement);

    /// <summary>The YAML name of a reaction (for messages).</summary>
    public static string NameOf(GuardReaction reaction) => ReactionNames.First(p => p.Value == reaction).Key;

    /// <summary>The YAML name of an action (for messages).</summary>
    public static string NameOf(GuardAction action) => ActionNames.First(p => p.Value == action).Key;
}
