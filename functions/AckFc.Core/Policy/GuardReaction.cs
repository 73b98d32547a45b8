namespace AckFc.Core.Policy;

/// <summary>The events the key guard can react to (the policy's <c>guard.reactions</c>).</summary>
public enum GuardReaction
{
    /// <summary><c>DisableKey</c>.</summary>
    DisableKey,
    /// <summary><c>ScheduleKeyDeletion</c>.</summary>
    ScheduleKeyDeletion,
    /// <summary><c>SetDeletionProtection</c> turning protection off.</summary>
    DeletionProtectionOff,
    /// <summary><c>UpdateRotationPolicy</c> turning automatic rotation off.</summary>
    RotationOff,
    /// <summary><c>DeleteKeyMaterial</c>.</summary>
    DeleteKeyMaterial,
    /// <summary><c>DeleteAlias</c>.</summary>
    DeleteAlias,
    /// <summary><c>EnableKey</c> and <c>CancelKeyDeletion</c>: re-judged, notified as resolved.</summary>
    Recovery,
    /// <summary>ACK <c>UpdateKMSEncryption</c> not made by AckFc.</summary>
    EncryptionDrift,
}
