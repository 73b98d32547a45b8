using AckFc.Core.Signatures;
using AckFc.Worker;
using Microsoft.Extensions.DependencyInjection;

namespace AckFc.Functions;

/// <summary>
/// The webhook's request authentication, as HTTP middleware in the worker's pipeline: every routed webhook call must
/// carry a valid <c>X-AckFc-Signature</c>; the signing key id becomes <see cref="FunctionContext.Caller"/>. Refused:
/// 401 with <c>WWW-Authenticate</c> (a replay too, whichever instance saw the signature first), or 503 with
/// <c>Retry-After</c> when the keys or the replay memory are unavailable (or the memory is full), with nothing done.
/// </summary>
public static class WebhookAuthentication
{
    public const string Scheme = "AckFc-HMAC-SHA256";

    public static async Task<HttpResponseData> InvokeAsync(HttpRequestData request, FunctionContext context, Func<Task<HttpResponseData>> next)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var check = await context.InstanceServices.GetRequiredService<WebhookAuthenticator>()
            .VerifyAsync(request.Header(AckFcSignature.HeaderName), request.Method, request.PathAndQuery, request.Body, context.CancellationToken);
        if (check.RetryLater)
        {
            return HttpResponseData.Problem(503, "Service Unavailable", check.Problem!).WithHeader("Retry-After", "30");
        }

        if (check.KeyId is not { } keyId)
        {
            return HttpResponseData.Problem(401, "Unauthorized", check.Problem!).WithHeader("WWW-Authenticate", Scheme);
        }

        context.Caller = keyId;
        return await next();
    }
}
