using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Encryption;
using AckFc.Core.Judging;
using AckFc.Core.Reporting;
using AckFc.Core.Settings;
using AckFc.Worker;
using Microsoft.Extensions.DependencyInjection;

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
/// The HTTP webhook of contracts §4. It authenticates, parses strictly, calls one service and maps the result; nothing
/// unauthenticated, malformed or denied ever reaches ACK.
/// </summary>
public sealed class WebhookFunction(
    WebhookAuthenticator authenticator,
    IEncryptionService encryption,
    IComplianceService compliance,
    IReportPublisher publisher) : IHttpFunction
{
    public const int MaxBodyBytes = 64 * 1024;

    [Function("webhook")]
    public async Task<HttpResponseData> RunAsync([HttpTrigger("GET", "PUT", "POST")] HttpRequestData request, FunctionContext context)
    {
        var segments = request.Path.Trim('/').Split('/');
        string[] allowed;
        if (segments is ["clusters", _, "kms"])
        {
            allowed = ["GET", "PUT"];
        }
        else if (segments is ["sweeps"])
        {
            allowed = ["POST"];
        }
        else
        {
            return Problem(404, "Not Found", $"No route {request.Path}. Routes: PUT|GET /clusters/{{clusterId}}/kms, POST /sweeps, GET /healthz.");
        }

        if (!allowed.Contains(request.Method, StringComparer.Ordinal))
        {
            var wrong = Problem(405, "Method Not Allowed", $"{request.Path} takes {string.Join(" or ", allowed)}.");
            wrong.Headers["Allow"] = string.Join(", ", allowed);
            return wrong;
        }

        if (request.BodyTooLarge || request.Body.Length > MaxBodyBytes)
        {
            return Problem(413, "Content Too Large", $"The body is larger than {MaxBodyBytes / 1024} KiB.");
        }

        var check = authenticator.Verify(request.Header(WebhookSignature.HeaderName), request.Method, request.PathAndQuery, request.Body);
        if (check.ReplayCacheFull)
        {
            var busy = Problem(503, "Service Unavailable", check.Problem!);
            busy.Headers["Retry-After"] = "30";
            return busy;
        }

        if (check.KeyId is not { } keyId)
        {
            var refused = Problem(401, "Unauthorized", check.Problem!);
            refused.Headers["WWW-Authenticate"] = "AckFc-HMAC-SHA256";
            return refused;
        }

        try
        {
            if (segments is ["sweeps"])
            {
                return await SweepAsync(request, keyId, context);
            }

            var clusterId = Uri.UnescapeDataString(segments[1]);
            if (!Payloads.IsClusterId(clusterId))
            {
                return Problem(400, "Bad Request", "clusterId must be an ACK cluster id: 'c' followed by 6 to 64 lowercase letters, digits or dashes.", "clusterId");
            }

            return request.Method == "GET"
                ? await StatusAsync(clusterId, context)
                : await ChangeAsync(clusterId, request, keyId, context);
        }
        catch (BadRequestException e)
        {
            return Problem(400, "Bad Request", e.Message, e.Field);
        }
        catch (OperationCanceledException) when (segments is not ["sweeps"])
        {
            // Only reached before any write (after a write the service answers 202 itself): nothing was changed.
            var late = Problem(503, "Service Unavailable", "The invocation ran out of time (or the caller left) before any change was made; nothing was changed. Try again.");
            late.Headers["Retry-After"] = "5";
            return late;
        }
    }

    private async Task<HttpResponseData> ChangeAsync(string clusterId, HttpRequestData request, string keyId, FunctionContext context)
    {
        var body = Payloads.ParseKmsChange(request.Body);
        var result = await encryption.ChangeAsync(
            new EncryptionChangeRequest(clusterId, body.KmsKeyId, body.DisableEncryption, body.DryRun, body.Reason, "webhook:" + keyId, context.InvocationId,
                Deadline: context.Deadline),
            context.CancellationToken);
        if (result.Outcome == ChangeOutcome.Denied)
        {
            return Json(403, result.Decision, FunctionsJsonContext.Default.Decision);
        }

        var status = result.Outcome switch
        {
            ChangeOutcome.Applied or ChangeOutcome.NoChange or ChangeOutcome.DryRun => 200,
            ChangeOutcome.Accepted => 202,
            // 400 only for what the request itself asks (e.g. a cluster type without Secret encryption), never for the cloud.
            ChangeOutcome.Invalid => 400,
            ChangeOutcome.NotFound => 404,
            ChangeOutcome.Conflict => 409,
            _ => result.Retryable ? 503 : 502,
        };
        var answer = new ChangeAnswer(result.Outcome, result.Message, result.Decision, result.ClusterId, result.RegionId, result.ResolvedKmsKeyId,
            result.Plan, result.Before, result.After, result.CloudRequestIds, result.ErrorCode);
        return Json(status, answer, FunctionsJsonContext.Default.ChangeAnswer);
    }

    private async Task<HttpResponseData> StatusAsync(string clusterId, FunctionContext context)
    {
        var result = await encryption.GetStatusAsync(clusterId, context.InvocationId, context.CancellationToken);
        return result.Outcome switch
        {
            StatusOutcome.Found => Json(200, result.Status!, FunctionsJsonContext.Default.ClusterKmsStatus),
            StatusOutcome.NotFound => Problem(404, "Not Found", result.Message!),
            _ when result.Retryable => Problem(503, "Service Unavailable", result.Message!),
            _ => Problem(502, "Bad Gateway", result.Message!),
        };
    }

    private async Task<HttpResponseData> SweepAsync(HttpRequestData request, string keyId, FunctionContext context)
    {
        var payload = Payloads.ParseSweep(request.Body, "body");
        Payloads.RequireConfiguredRegions(payload, context.InstanceServices.GetRequiredService<AckFcCoreOptions>().Regions);
        // One fleet sweep at a time per instance; its own deadline leaves time to publish (no 500 at the deadline).
        if (!context.InstanceServices.GetRequiredService<SweepGate>().TryEnter(out var release))
        {
            var busy = Problem(409, "Conflict", "A sweep is already running on this instance; try again when it has finished.");
            busy.Headers["Retry-After"] = "60";
            return busy;
        }

        using (release)
        {
            var published = await SweepRun.RunAsync(compliance, publisher,
                new SweepRequest(payload.Mode, payload.Regions, "manual-" + context.InvocationId, "webhook:" + keyId), context,
                context.InstanceServices.GetRequiredService<TimeProvider>());
            return new HttpResponseData(200, ResponseBody.Json(published.Report, ReportJsonContext.Default.ComplianceReport));
        }
    }

    private static HttpResponseData Json<T>(int status, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        new(status, JsonSerializer.SerializeToUtf8Bytes(value, type));

    private static HttpResponseData Problem(int status, string title, string detail, string? field = null) =>
        new(status, JsonSerializer.SerializeToUtf8Bytes(new ProblemBody("about:blank", title, status, detail, field), FunctionsJsonContext.Default.ProblemBody), "application/problem+json");
}
