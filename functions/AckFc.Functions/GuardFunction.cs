using System.Text;
using System.Text.Json;
using AckFc.AlibabaCloud.Credentials;
using AckFc.Core.Guard;
using AckFc.Core.Judging;
using AckFc.Worker;

namespace AckFc.Functions;

/// <summary>
/// The key guard (contracts §8): one EventBridge CloudEvent per invocation, handed to <see cref="IGuardService"/> with
/// this invocation's own access key id (so AckFc's own calls are recognised). The answer says what was decided and
/// done; a failed read or action answers 404 + <c>x-fc-status</c> with that answer, so Function Compute retries.
/// </summary>
public sealed class GuardFunction(IGuardService guard, ICredentialsProvider credentials) : IEventFunction
{
    /// <summary>
    /// The trigger's event pattern, s.yaml's <c>eventRuleFilterPattern</c> (the drift test compares the two): the four
    /// ActionTrail types of KMS and ACK, and the API names the guard reacts to, recovery events included.
    /// </summary>
    public const string FilterPattern =
        """{"type":["kms:ActionTrail:ApiCall","kms:ActionTrail:ConsoleOperation","cs:ActionTrail:ApiCall","cs:ActionTrail:ConsoleOperation"],"data":{"eventName":["DisableKey","ScheduleKeyDeletion","SetDeletionProtection","UpdateRotationPolicy","DeleteAlias","DeleteKeyMaterial","UpdateKMSEncryption","EnableKey","CancelKeyDeletion"]}}""";

    /// <summary>At most this many failures are named in the error message; the answer has them all.</summary>
    private const int NamedFailures = 5;

    [Function("guard")]
    public async Task<ResponseBody> RunAsync([EventBridgeTrigger(FilterPattern)] EventInfo cloudEvent, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ArgumentNullException.ThrowIfNull(context);
        GuardAnswer answer;
        try
        {
            answer = await guard.HandleAsync(cloudEvent.Body, new GuardInvocation(context.InvocationId, OwnAccessKeyId(context)), context.CancellationToken);
        }
        catch (GuardEventException e)
        {
            throw new InvalidEventException(e.Message);
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(answer, FunctionsJsonContext.Default.GuardAnswer);
        return answer.Failed ? throw new EventFailedException("GuardFailed", FailureOf(answer), body) : body;
    }

    /// <summary>
    /// The access key id the guard's cloud clients sign with for this invocation: the role's STS key Function Compute
    /// handed over, else whatever the credential chain finds (the environment locally); null when there is none.
    /// </summary>
    private string? OwnAccessKeyId(FunctionContext context)
    {
        if (context.Credentials is { } handed)
        {
            return handed.AccessKeyId;
        }

        try
        {
            return credentials.GetCredentials().AccessKeyId;
        }
        catch (CredentialsNotFoundException)
        {
            // No credentials at all: the guard's reads will fail and say so; loop safety falls back to the role names.
            return null;
        }
    }

    /// <summary>One sentence naming each failed event (id, name, why) and each failed action (what, on what, the code).</summary>
    internal static string FailureOf(GuardAnswer answer)
    {
        var failed = answer.Events.Where(e => e.Decision == GuardDecision.Failed).ToList();
        var text = new StringBuilder($"The guard could not finish {failed.Count} of {answer.Events.Count} event(s): ");
        var named = 0;
        foreach (var e in failed.Take(NamedFailures))
        {
            text.Append(named++ == 0 ? string.Empty : "; ")
                .Append("event ").Append(e.EventId ?? "(no id)").Append(" (").Append(e.EventName ?? "no event name").Append("): ").Append(e.Reason);
            foreach (var action in e.Actions.Where(a => a.Status == RemediationStatus.Failed))
            {
                text.Append(" [").Append(action.Kind).Append(" on ").Append(action.KmsKeyId ?? action.ClusterId ?? "?")
                    .Append(" in ").Append(action.RegionId).Append(action.ErrorCode is { } code ? ": " + code : string.Empty).Append(']');
            }
        }

        if (failed.Count > NamedFailures)
        {
            text.Append("; and ").Append(failed.Count - NamedFailures).Append(" more (see the answer)");
        }

        return text.Append('.').ToString();
    }
}
