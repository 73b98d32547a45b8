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
                // Throttled attempts, which the cloud did not execute, may go on longer than the rest (see ShouldRetryAsync).
                MaxRetryAttempts = ThrottledAttempts(options.MaxAttempts) - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = args => ShouldRetryAsync(args.Outcome, args.Context, args.AttemptNumber, options.MaxAttempts),
                DelayGenerator = args => DelayAsync(args.Outcome, args.Context, args.AttemptNumber, options),
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
    /// Attempts a throttled call gets: twice <c>ACKFC_CLOUD_MAX_ATTEMPTS</c>. Flow control answers every request over
    /// the limit of a window (about a second) at once; with the usual attempts, all spent inside one or two windows,
    /// a burst larger than the limit leaves calls failed although waiting a little longer would have served them.
    /// </summary>
    internal static int ThrottledAttempts(int maxAttempts) => maxAttempts * 2;

    /// <summary>
    /// Throttling is retried (the cloud did not execute the request) up to <see cref="ThrottledAttempts"/>. A timeout,
    /// a broken connection or a 5xx leaves a write's outcome unknown, so only reads are repeated after those, up to
    /// <paramref name="maxAttempts"/>. <paramref name="attemptNumber"/> is the 0-based number of the attempt that failed.
    /// </summary>
    internal static async ValueTask<bool> ShouldRetryAsync(Outcome<HttpResponseMessage> outcome, ResilienceContext context, int attemptNumber, int maxAttempts)
    {
        var isWrite = AcsCall.Of(context.GetRequestMessage())?.Request.IsWrite ?? true;
        var otherRetryLeft = attemptNumber + 1 < maxAttempts;
        if (outcome.Exception is { } exception)
        {
            return otherRetryLeft && !isWrite && exception is TimeoutRejectedException or HttpRequestException;
        }

        var response = outcome.Result;
        if (response is null || response.IsSuccessStatusCode)
        {
            return false;
        }

        var kind = await ClassifyAsync(response, context.CancellationToken).ConfigureAwait(false);
        return kind == AlibabaCloudErrorKind.Throttling || (otherRetryLeft && kind == AlibabaCloudErrorKind.Transient && !isWrite);
    }

    /// <summary>The delay before the next attempt: <see cref="ThrottledDelay"/> after throttling, else the exponential backoff (null).</summary>
    private static async ValueTask<TimeSpan?> DelayAsync(Outcome<HttpResponseMessage> outcome, ResilienceContext context, int attemptNumber, AlibabaCloudOptions options)
    {
        if (outcome.Result is not { IsSuccessStatusCode: false } response
            || await ClassifyAsync(response, context.CancellationToken).ConfigureAwait(false) != AlibabaCloudErrorKind.Throttling)
        {
            return null;
        }

        return ThrottledDelay(RetryAfter(outcome, options.RetryMaxDelay), attemptNumber, options.RetryBaseDelay, options.RetryMaxDelay, Random.Shared.NextDouble());
    }

    /// <summary>
    /// The delay before retrying a throttled call: at least what the cloud asked (<c>x-acs-retry-after</c>) or the base
    /// delay, doubled with every attempt, and spread by up to as much again at random (<paramref name="jitter"/> in
    /// [0, 1)) so that calls throttled together do not come back together into the next window; at most
    /// <paramref name="max"/>.
    /// </summary>
    internal static TimeSpan ThrottledDelay(TimeSpan? asked, int attemptNumber, TimeSpan baseDelay, TimeSpan max, double jitter)
    {
        var floor = Max(asked ?? MinimumThrottledDelay, baseDelay);
        var grown = floor.TotalMilliseconds * Math.Pow(2, Math.Clamp(attemptNumber, 0, 16));
        return TimeSpan.FromMilliseconds(Math.Min(grown * (1 + jitter), max.TotalMilliseconds));
    }

    /// <summary>The first wait after throttling when the cloud names none and the base delay is shorter.</summary>
    internal static readonly TimeSpan MinimumThrottledDelay = TimeSpan.FromMilliseconds(50);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

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
