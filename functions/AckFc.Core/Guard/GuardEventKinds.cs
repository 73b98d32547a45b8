using AckFc.Core.Policy;
using AckFc.Core.Rules;

namespace AckFc.Core.Guard;

/// <summary>How a kind maps to the policy and the rules.</summary>
public static class GuardEventKinds
{
    public static GuardReaction ReactionOf(GuardEventKind kind) => kind switch
    {
        GuardEventKind.DisableKey => GuardReaction.DisableKey,
        GuardEventKind.ScheduleKeyDeletion => GuardReaction.ScheduleKeyDeletion,
        GuardEventKind.DeletionProtectionOff => GuardReaction.DeletionProtectionOff,
        GuardEventKind.RotationOff => GuardReaction.RotationOff,
        GuardEventKind.DeleteKeyMaterial => GuardReaction.DeleteKeyMaterial,
        GuardEventKind.DeleteAlias => GuardReaction.DeleteAlias,
        GuardEventKind.EnableKey or GuardEventKind.CancelKeyDeletion => GuardReaction.Recovery,
        _ => GuardReaction.EncryptionDrift,
    };

    /// <summary>The rule the event is about first.</summary>
    public static string PrimaryRule(GuardEventKind kind) => kind switch
    {
        GuardEventKind.DisableKey or GuardEventKind.EnableKey => RuleCatalog.KeyDisabled,
        GuardEventKind.ScheduleKeyDeletion or GuardEventKind.CancelKeyDeletion => RuleCatalog.KeyPendingDeletion,
        GuardEventKind.DeletionProtectionOff => RuleCatalog.DeletionProtection,
        GuardEventKind.RotationOff => RuleCatalog.Rotation,
        GuardEventKind.DeleteKeyMaterial => RuleCatalog.KeyMaterial,
        GuardEventKind.DeleteAlias => RuleCatalog.KeyNotAllowed,
        _ => RuleCatalog.NeverDisable,
    };

    public static bool IsRecovery(GuardEventKind kind) => kind is GuardEventKind.EnableKey or GuardEventKind.CancelKeyDeletion;
}
