using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using AckFc.Worker;
using Microsoft.Extensions.Logging;

namespace AckFc.Functions;

/// <summary>
/// The webhook's <c>POST /sweeps</c> (contracts §4): a manual sweep, one at a time per instance, answered with the
/// full report. Routed by the worker and authenticated by <see cref="WebhookAuthentication"/> before it runs.
/// </summary>
public sealed partial class WebhookSweepFunction(SweepAndPublish sweeps, SweepGate gate, ILogger<WebhookSweepFunction> logger) : IHttpFunction
{
    [Function("webhook")]
    public async Task<HttpResponseData> RunAsync([HttpTrigger("POST", Route = "sweeps")] HttpRequestData request, FunctionContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        SweepRequest sweep;
        try
        {
            sweep = sweeps.Parse(request.Body, "body", "manual-" + context.InvocationId, "webhook:" + context.Caller);
        }
        catch (BadRequestException e)
        {
            return HttpResponseData.Problem(400, "Bad Request", e.Message, e.Field);
        }

        // One fleet sweep at a time per instance; its own deadline leaves time to publish (no 500 at the deadline).
        if (!gate.TryEnter(out var release))
        {
            return HttpResponseData.Problem(409, "Conflict", "A sweep is already running on this instance; try again when it has finished.")
                .WithHeader("Retry-After", "60");
        }

        using (release)
        {
            try
            {
                var published = await sweeps.RunAsync(sweep, context);
                return new HttpResponseData(200, ResponseBody.Json(published.Report, ReportJsonContext.Default.ComplianceReport));
            }
            catch (ReportPublishException e)
            {
                // The same one Error line as the timer's, with the findings; the caller learns the store failed.
                LogNotPublished(logger, PublishFailureLine.For(e));
                return HttpResponseData.Problem(503, "Service Unavailable", $"{e.Message} The sweep ran; its findings are in the function's log. Try again.")
                    .WithHeader("Retry-After", "60");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Failure}")]
    private static partial void LogNotPublished(ILogger logger, string failure);
}
