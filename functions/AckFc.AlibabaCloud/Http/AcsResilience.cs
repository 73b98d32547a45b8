using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.RateLimiting;
using Polly.Retry;
using Polly.Timeout;

namespace AckFc.AlibabaCloud.Http;

/// <summary>
/// The resilience pipeline of every call, outermost first: total timeout, retry, client-side rate limit,
/// attempt timeout. The rate limit sits outside the attempt timeout so waiting for a token never counts as
/// an attempt that timed out (which would end a write).
/// </summary>
internal static partial class AcsResilience
{
    public const string PipelineName = "acs";

    public static void Configure(
        ResiliencePipelineBuilder<HttpResponseMessage> builder,
        AlibabaCloudOptions options,
        AcsRateLimiterRegistry limiters,
        ILogger logger)
    {
        builder.AddTimeout(options.TotalTimeout);
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = args => ShouldRetryAsync(args.Outcome, args.Context),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome, options.RetryMaxDelay)),
                OnRetry = args =>
                {
                    var call = AcsCall.Of(args.Context.GetRequestMessage());
                    LogRetry(
                        logger,
                        call?.Request.Action,
                        call?.Request.RegionId,
                        Reason(args.Outcome),
                        args.AttemptNumber + 1,
                        (long)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddRateLimiter(new RateLimiterStrategyOptions
        {
            RateLimiter = args =>
            {
                var call = AcsCall.Of(args.Context.GetRequestMessage())
                    ?? throw new InvalidOperationException("A request reached the Alibaba Cloud pipeline without its call data.");
                return limiters.AcquireAsync(call.Request.Service, call.Request.RegionId, args.Context.CancellationToken);
            },
        });
        builder.AddTimeout(options.AttemptTimeout);
    }

    /// <summary>
    /// Throttling is always retried: the cloud did not execute the request. A timeout, a broken connection or a
    /// 5xx leaves a write's outcome unknown, so only reads are repeated after those.
    /// </summary>
    internal static async ValueTask<bool> ShouldRetryAsync(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        var isWrite = AcsCall.Of(context.GetRequestMessage())?.Request.IsWrite ?? true;
        if (outcome.Exception is { } exception)
        {
            return !isWrite && exception is TimeoutRejectedException or HttpRequestException;
        }

        var response = outcome.Result;
        if (response is null || response.IsSuccessStatusCode)
        {
            return false;
        }

        var kind = await ClassifyAsync(response, context.CancellationToken).ConfigureAwait(false);
        return kind == AlibabaCloudErrorKind.Throttling || (kind == AlibabaCloudErrorKind.Transient && !isWrite);
    }

    private static async ValueTask<AlibabaCloudErrorKind> ClassifyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        if (status == 429)
        {
            return AlibabaCloudErrorKind.Throttling;
        }

        // Throttling often arrives as a 400 whose code says so, so the body decides. Buffered: the caller reads it again.
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var error = AcsErrors.Parse(status, response.Content.Headers.ContentType?.MediaType, body);
        return AcsErrors.Classify(status, error.Code);
    }

    /// <summary>The delay the cloud asked for in <c>x-acs-retry-after</c> (milliseconds), capped; null lets the backoff decide.</summary>
    internal static TimeSpan? RetryAfter(Outcome<HttpResponseMessage> outcome, TimeSpan max) =>
        outcome.Result?.Headers is HttpResponseHeaders headers && AcsErrors.RetryAfterMilliseconds(headers) is { } ms
            ? TimeSpan.FromMilliseconds(Math.Min(ms, max.TotalMilliseconds))
            : null;

    private static string Reason(Outcome<HttpResponseMessage> outcome) => outcome.Exception switch
    {
        TimeoutRejectedException => "attempt timeout",
        HttpRequestException => "connection failure",
        { } other => other.GetType().Name,
        null => $"HTTP {(int?)outcome.Result?.StatusCode}",
    };

    [LoggerMessage(
        EventId = 1,
        Level = LogLevel.Warning,
        Message = "Retrying {Action} in {RegionId} after {Reason}: attempt {Attempt} in {DelayMilliseconds} ms")]
    private static partial void LogRetry(
        ILogger logger, string? action, string? regionId, string reason, int attempt, long delayMilliseconds);
}
