using AckFc.Core.Clusters;
using AckFc.Core.Compliance;
using AckFc.Core.Encryption;
using AckFc.Core.Judging;
using AckFc.Core.Reporting;
using AckFc.Core.Settings;
using AckFc.Worker;

namespace AckFc.Functions;

/// <summary>The answer of a change request (contracts §4): the outcome, and the decision it rests on.</summary>
public sealed record ChangeAnswer(
    ChangeOutcome Outcome,
    string Message,
    Decision Decision,
    string? ClusterId,
    string? RegionId,
    string? ResolvedKmsKeyId,
    ChangePlan? Plan,
    EncryptionSummary? Before,
    EncryptionSummary? After,
    IReadOnlyList<string> CloudRequestIds,
    string? ErrorCode);

/// <summary>
/// The webhook's <c>GET|PUT /clusters/{clusterId}/kms</c> (contracts §4). The worker has routed it and
/// <see cref="WebhookAuthentication"/> has checked the signature; it parses strictly, calls one service and maps the
/// outcome. Nothing malformed or denied ever reaches ACK.
/// </summary>
public sealed class WebhookFunction(IEncryptionService encryption) : IHttpFunction
{
    [Function("webhook")]
    public async Task<HttpResponseData> RunAsync(
        [HttpTrigger("GET", "PUT", Route = "clusters/{clusterId}/kms")] HttpRequestData request, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var clusterId = request.RouteValues["clusterId"];
        if (!ClusterId.IsValid(clusterId))
        {
            return HttpResponseData.Problem(400, "Bad Request", $"clusterId must be {ClusterId.Format}.", "clusterId");
        }

        try
        {
            return request.Method == "GET"
                ? Answer(await encryption.GetStatusAsync(clusterId, context.InvocationId, context.CancellationToken))
                : Answer(await encryption.ChangeAsync(ChangeRequest(clusterId, KmsChangeBody.Parse(request.Body), context), context.CancellationToken));
        }
        catch (BadRequestException e)
        {
            return HttpResponseData.Problem(400, "Bad Request", e.Message, e.Field);
        }
        catch (OperationCanceledException)
        {
            // Only reached before any write (after a write the service answers 202 itself): nothing was changed.
            return HttpResponseData.Problem(503, "Service Unavailable", "The invocation ran out of time (or the caller left) before any change was made; nothing was changed. Try again.")
                .WithHeader("Retry-After", "5");
        }
    }

    /// <summary>
    /// The one mapping of Core's outcomes to HTTP. 400 only for what the request itself asks (e.g. a cluster type
    /// without Secret encryption), never for the cloud; a cloud failure is 503 when trying again may help, else 502.
    /// </summary>
    internal static int StatusCodeOf(ChangeOutcome outcome, bool retryable) => outcome switch
    {
        ChangeOutcome.Applied or ChangeOutcome.NoChange or ChangeOutcome.DryRun => 200,
        ChangeOutcome.Accepted => 202,
        ChangeOutcome.Invalid => 400,
        ChangeOutcome.Denied => 403,
        ChangeOutcome.NotFound => 404,
        ChangeOutcome.Conflict => 409,
        _ => retryable ? 503 : 502,
    };

    /// <inheritdoc cref="StatusCodeOf(ChangeOutcome, bool)"/>
    internal static int StatusCodeOf(StatusOutcome outcome, bool retryable) => outcome switch
    {
        StatusOutcome.Found => 200,
        StatusOutcome.NotFound => 404,
        _ => retryable ? 503 : 502,
    };

    private static EncryptionChangeRequest ChangeRequest(string clusterId, KmsChangeBody body, FunctionContext context) =>
        new(clusterId, body.KmsKeyId, body.DisableEncryption, body.DryRun, body.Reason, "webhook:" + context.Caller, context.InvocationId, Deadline: context.Deadline);

    private static HttpResponseData Answer(EncryptionChangeResult result)
    {
        var status = StatusCodeOf(result.Outcome, result.Retryable);
        if (result.Outcome == ChangeOutcome.Denied)
        {
            return HttpResponseData.Json(status, result.Decision, FunctionsJsonContext.Default.Decision);
        }

        var answer = new ChangeAnswer(result.Outcome, result.Message, result.Decision, result.ClusterId, result.RegionId, result.ResolvedKmsKeyId,
            result.Plan, result.Before, result.After, result.CloudRequestIds, result.ErrorCode);
        return HttpResponseData.Json(status, answer, FunctionsJsonContext.Default.ChangeAnswer);
    }

    private static HttpResponseData Answer(ClusterStatusResult result)
    {
        var status = StatusCodeOf(result.Outcome, result.Retryable);
        return status switch
        {
            200 => HttpResponseData.Json(status, result.Status!, FunctionsJsonContext.Default.ClusterKmsStatus),
            404 => HttpResponseData.Problem(status, "Not Found", result.Message!),
            503 => HttpResponseData.Problem(status, "Service Unavailable", result.Message!),
            _ => HttpResponseData.Problem(status, "Bad Gateway", result.Message!),
        };
    }
}
