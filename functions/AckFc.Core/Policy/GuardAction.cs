namespace AckFc.Core.Policy;

/// <summary>The protective actions the key guard may take (the policy's <c>guard.actions</c>).</summary>
public enum GuardAction
{
    EnableKey,
    CancelKeyDeletion,
    EnableDeletionProtection,
    /// <summary>Turn Secret encryption back on after an out-of-band disable (through the webhook's change path).</summary>
    ReEnableEncryption,
}
