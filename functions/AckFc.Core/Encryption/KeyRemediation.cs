using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Judging;

namespace AckFc.Core.Encryption;

/// <summary>
/// The key actions of remediation (enable a key, cancel its deletion, turn on its deletion protection), shared by the
/// sweep and the key guard: the key is re-read right before acting, so a retried sweep or a duplicate event never
/// acts twice, and an action that is no longer needed is skipped.
/// </summary>
internal sealed class KeyRemediation(IKmsClient kms)
{
    /// <summary>
    /// Re-reads the key and applies <paramref name="action"/> when it is still needed. A cloud failure is the action's
    /// <see cref="RemediationStatus.Failed"/>; cancellation goes on to the caller, after <paramref name="writing"/>
    /// was called if the write had been sent. <paramref name="calls"/> counts the cloud calls made.
    /// </summary>
    public async Task<RemediationAction> ApplyAsync(RemediationAction action, Action? writing, CloudCallCounter? calls, CancellationToken token)
    {
        KmsKeyMetadata key;
        try
        {
            calls?.Add();
            key = await kms.DescribeKeyAsync(action.RegionId, action.KmsKeyId!, token);
        }
        catch (AlibabaCloudException e)
        {
            return Failed(action, e);
        }

        return await ActAsync(action, key, writing, calls, token);
    }

    /// <summary>
    /// Applies <paramref name="action"/> when <paramref name="keyReadNow"/> (read by the caller right before, under its
    /// lock) still needs it; otherwise skipped. Failures and cancellation as in <see cref="ApplyAsync"/>.
    /// </summary>
    public async Task<RemediationAction> ActAsync(RemediationAction action, KmsKeyMetadata keyReadNow, Action? writing, CloudCallCounter? calls, CancellationToken token)
    {
        var key = keyReadNow;
        if (!StillNeeded(action.Kind, key))
        {
            return action with { Status = RemediationStatus.Skipped, Reason = $"Already done when re-read (key {key.KeyId} is {key.KeyState})." };
        }

        try
        {
            writing?.Invoke();
            calls?.Add();
            var requestId = action.Kind switch
            {
                RemediationKind.CancelKeyDeletion => await kms.CancelKeyDeletionAsync(action.RegionId, key.KeyId, token),
                RemediationKind.EnableKey => await kms.EnableKeyAsync(action.RegionId, key.KeyId, token),
                _ => await kms.SetDeletionProtectionAsync(action.RegionId, key.Arn ?? key.KeyId, true, $"Protected by AckFc: used by cluster {action.ClusterId}", token),
            };
            return action with { Status = RemediationStatus.Applied, RequestId = requestId, Reason = $"{Describe(action.Kind)} key {key.KeyId}." };
        }
        catch (AlibabaCloudException e)
        {
            return Failed(action, e);
        }
    }

    private static RemediationAction Failed(RemediationAction action, AlibabaCloudException e) =>
        action with { Status = RemediationStatus.Failed, ErrorCode = e.Code, RequestId = e.RequestId, Reason = $"{Describe(action.Kind)} failed: {e.Code}: {e.ErrorMessage}" };

    /// <summary>Whether the key shows the action done (the one re-read after an interrupted action).</summary>
    public async Task<(bool Done, string KeyId)> IsDoneAsync(RemediationAction action, CancellationToken token)
    {
        var key = await kms.DescribeKeyAsync(action.RegionId, action.KmsKeyId!, token);
        var done = action.Kind switch
        {
            RemediationKind.CancelKeyDeletion => key.KeyState != KmsKeyStates.PendingDeletion,
            RemediationKind.EnableDeletionProtection => key.DeletionProtection,
            RemediationKind.EnableKey => key.KeyState != KmsKeyStates.Disabled,
            _ => false,
        };
        return (done, key.KeyId);
    }

    /// <summary>Whether the key, as read now, still needs the action.</summary>
    public static bool StillNeeded(RemediationKind kind, KmsKeyMetadata key) => kind switch
    {
        RemediationKind.CancelKeyDeletion => key.KeyState == KmsKeyStates.PendingDeletion,
        RemediationKind.EnableDeletionProtection => !key.DeletionProtection,
        RemediationKind.EnableKey => key.KeyState == KmsKeyStates.Disabled,
        _ => false,
    };

    /// <summary>The past tense of an action, for reasons and messages.</summary>
    public static string Describe(RemediationKind kind) => kind switch
    {
        RemediationKind.CancelKeyDeletion => "Cancelled the deletion of",
        RemediationKind.EnableKey => "Enabled",
        RemediationKind.EnableDeletionProtection => "Turned on deletion protection of",
        _ => "Enabled encryption with",
    };
}
