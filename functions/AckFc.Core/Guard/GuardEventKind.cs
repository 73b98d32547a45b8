namespace AckFc.Core.Guard;

/// <summary>What an event means to the guard (issue 13's table).</summary>
public enum GuardEventKind
{
    DisableKey,
    /// <summary><c>ScheduleKeyDeletion</c>; the pending window is in <see cref="GuardClassification.PendingWindowInDays"/>.</summary>
    ScheduleKeyDeletion,
    /// <summary><c>SetDeletionProtection</c> with protection off.</summary>
    DeletionProtectionOff,
    /// <summary><c>UpdateRotationPolicy</c> with rotation off.</summary>
    RotationOff,
    DeleteKeyMaterial,
    /// <summary><c>DeleteAlias</c>: the key is found through the alias.</summary>
    DeleteAlias,
    /// <summary><c>EnableKey</c>: re-judged, notified resolved when healthy.</summary>
    EnableKey,
    /// <summary><c>CancelKeyDeletion</c>: re-judged, notified resolved when healthy.</summary>
    CancelKeyDeletion,
    /// <summary>ACK <c>UpdateKMSEncryption</c> not made by AckFc.</summary>
    EncryptionDrift,
}
